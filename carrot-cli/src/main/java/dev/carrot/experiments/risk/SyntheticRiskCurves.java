package dev.carrot.experiments.risk;

import dev.carrot.train.Progress;
import dev.carrot.train.linear.TribuoLinear;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The synthetic learning curves: for every setting, training size n of the grid and repeat, a fresh training sample,
 * the KNN router ({@code k = ceil(c n^(2 beta/(2 beta + d)))}) and the logistic router trained on it, and their exact
 * excess risk; then, per setting and router, the mean log excess risk per n with a 95% band and the log-log slope.
 *
 * <p>Results depend only on the configuration (seeds are derived from the config seed, the setting's index, n's index
 * and the repeat), not on the number of threads.
 */
public final class SyntheticRiskCurves {
    private static final Logger LOG = LoggerFactory.getLogger(SyntheticRiskCurves.class);
    /** Excess risks are floored here before taking logs (an exact 0 is possible only on a coarse grid). */
    static final double FLOOR = 1e-12;

    /** The routers compared. */
    public enum RouterKind {
        /** Plug-in KNN regression of the outcomes, k by the theoretical schedule. */
        KNN,
        /** Per-model logistic regression on the raw features (misspecified: the truth is a bump). */
        LOGISTIC;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final RiskCurveConfig config;

    public SyntheticRiskCurves(RiskCurveConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * One trained router.
     *
     * @param k          KNN's k (0 for the logistic router)
     * @param loss       L(r)
     * @param bayesLoss  L(Bayes)
     * @param excessRisk L(Bayes) - L(r)
     */
    public record Run(String setting, RouterKind router, int n, int repeat, int k, double loss, double bayesLoss,
                      double excessRisk) {
    }

    /**
     * The excess risk at one n over the repeats.
     *
     * @param meanExcess mean excess risk
     * @param meanLog    mean of log excess risk (the log of the geometric mean)
     * @param seLog      standard error of meanLog
     * @param bandLow    {@code exp(meanLog - 1.96 seLog)}
     * @param bandHigh   {@code exp(meanLog + 1.96 seLog)}
     * @param k          KNN's k (0 for logistic)
     */
    public record Point(String setting, RouterKind router, int n, int repeats, double meanExcess, double meanLog,
                        double seLog, double bandLow, double bandHigh, int k) {
        public double geometricMean() {
            return Math.exp(meanLog);
        }
    }

    /**
     * The decay of one router's excess risk in one setting.
     *
     * @param theoryExponent {@code beta (1 + alpha) / (2 beta + d)}
     * @param all            the fit over the whole grid
     * @param upperHalf      the fit over the larger half of the grid (at least 3 sizes)
     * @param ofMean         the fit of log(mean excess risk) instead of mean(log excess risk), over the whole grid (a
     *                       check that the conclusion does not hang on the summary)
     * @param consistent     whether the theory lies within {@code all}'s CI widened by the configured tolerance
     * @param seconds        wall-clock time spent training and evaluating this router (summed over threads)
     */
    public record Fit(String setting, RouterKind router, double theoryExponent, LogLogFit all, LogLogFit upperHalf,
                      LogLogFit ofMean, boolean consistent, double seconds) {
    }

    /** Everything the experiment produced. */
    public record Result(RiskCurveConfig config, List<Run> runs, List<Point> points, List<Fit> fits,
                         double seconds) {
        public Result {
            runs = List.copyOf(runs);
            points = List.copyOf(points);
            fits = List.copyOf(fits);
        }

        public Fit fit(String setting, RouterKind router) {
            return fits.stream().filter(f -> f.setting().equals(setting) && f.router() == router).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no fit for " + setting + "/" + router.id()));
        }

        public List<Point> points(String setting, RouterKind router) {
            return points.stream().filter(p -> p.setting().equals(setting) && p.router() == router).toList();
        }
    }

    /** The units of work {@link #run} reports to its progress: the sum of n over all (setting, n, repeat). */
    public long work() {
        long sum = 0;
        for (int n : config.sizes()) {
            sum += n;
        }
        return sum * config.repeats() * config.settings().size();
    }

    /** A seed for each (setting, size, repeat): SplitMix64 steps over the config seed. */
    static long seedFor(long seed, int setting, int size, int repeat) {
        long h = mix(seed);
        h = mix(h ^ (setting + 1L) * 0x9E3779B97F4A7C15L);
        h = mix(h ^ (size + 1L) * 0xC2B2AE3D27D4EB4FL);
        return mix(h ^ (repeat + 1L) * 0x165667B19E3779F9L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Runs the experiment on {@code threads} worker threads. */
    public Result run(int threads, Progress progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        long start = System.nanoTime();
        int[] sizes = config.sizes();
        List<SyntheticSetting> settings = config.settings();
        int repeats = config.repeats();
        List<RiskEvaluator> evaluators = new ArrayList<>();
        List<float[]> logisticGrids = new ArrayList<>();
        for (SyntheticSetting s : settings) {
            RiskEvaluator ev = RiskEvaluator.withAbout(new SyntheticProblem(s), config.evalPoints());
            evaluators.add(ev);
            double[] pts = ev.pointsView();
            float[] f = new float[pts.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (pts[i] - 0.5);
            }
            logisticGrids.add(f);
            LOG.info("setting {}: d = {}, beta = {}, alpha = {}, {} models; theoretical exponent {}; evaluated on {}"
                            + " grid points ({} per axis); L(Bayes) = {}", s.name(), s.dimension(), s.beta(),
                    s.alpha(), s.modelCount(), String.format(Locale.ROOT, "%.4f", s.theoryExponent()), ev.points(),
                    ev.perAxis(), String.format(Locale.ROOT, "%.6f", ev.bayesLoss()));
        }
        // one task per (setting, size, repeat), largest first for load balance
        record Task(int setting, int size, int repeat) {
        }
        List<Task> tasks = new ArrayList<>();
        for (int s = 0; s < settings.size(); s++) {
            for (int j = 0; j < sizes.length; j++) {
                for (int r = 0; r < repeats; r++) {
                    tasks.add(new Task(s, j, r));
                }
            }
        }
        tasks.sort(Comparator.comparingInt((Task t) -> -sizes[t.size()]).thenComparingInt(Task::setting)
                .thenComparingInt(Task::size).thenComparingInt(Task::repeat));
        Run[][][][] runs = new Run[settings.size()][sizes.length][repeats][];
        double[][] nanos = new double[settings.size()][RouterKind.values().length];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Task t : tasks) {
                jobs.add(pool.submit(() -> {
                    int n = sizes[t.size()];
                    long seed = seedFor(config.seed(), t.setting(), t.size(), t.repeat());
                    Run[] out = runOne(settings.get(t.setting()), evaluators.get(t.setting()),
                            logisticGrids.get(t.setting()), n, t.repeat(), seed, nanos[t.setting()]);
                    runs[t.setting()][t.size()][t.repeat()] = out;
                    progress.step(n);
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing risk curves", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a risk-curve run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<Run> all = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        List<Fit> fits = new ArrayList<>();
        for (int s = 0; s < settings.size(); s++) {
            SyntheticSetting st = settings.get(s);
            for (RouterKind kind : RouterKind.values()) {
                int reps = kind == RouterKind.KNN ? repeats : config.logisticRepeats();
                if (reps == 0) {
                    continue;
                }
                double[] meanLog = new double[sizes.length];
                double[] logMean = new double[sizes.length];
                for (int j = 0; j < sizes.length; j++) {
                    double[] logs = new double[reps];
                    double sum = 0;
                    int k = 0;
                    for (int r = 0; r < reps; r++) {
                        Run run = runs[s][j][r][kind.ordinal()];
                        all.add(run);
                        sum += run.excessRisk();
                        if (run.excessRisk() < FLOOR) {
                            LOG.warn("{} / {} at n = {}, repeat {}: excess risk {} is below {} and is floored there"
                                    + " before taking logs (raise eval_points)", st.name(), kind.id(), run.n(),
                                    run.repeat(), run.excessRisk(), FLOOR);
                        }
                        logs[r] = Math.log(Math.max(FLOOR, run.excessRisk()));
                        k = run.k();
                    }
                    double m = Arrays.stream(logs).average().orElseThrow();
                    double var = 0;
                    for (double l : logs) {
                        var += (l - m) * (l - m);
                    }
                    double se = Math.sqrt(var / (reps - 1) / reps);
                    meanLog[j] = m;
                    logMean[j] = Math.log(Math.max(FLOOR, sum / reps));
                    points.add(new Point(st.name(), kind, sizes[j], reps, sum / reps, m, se,
                            Math.exp(m - 1.96 * se), Math.exp(m + 1.96 * se), k));
                }
                LogLogFit fitAll = LogLogFit.fit(sizes, meanLog);
                int from = Math.min(sizes.length / 2, sizes.length - 3);
                LogLogFit fitUpper = LogLogFit.fit(Arrays.copyOfRange(sizes, from, sizes.length),
                        Arrays.copyOfRange(meanLog, from, sizes.length));
                boolean ok = fitAll.consistentWith(st.theoryExponent(), config.tolerance());
                LogLogFit fitOfMean = LogLogFit.fit(sizes, logMean);
                fits.add(new Fit(st.name(), kind, st.theoryExponent(), fitAll, fitUpper, fitOfMean, ok,
                        nanos[s][kind.ordinal()] / 1e9));
                LOG.info("{} / {}: fitted exponent {} [{}, {}] (upper half {} [{}, {}]), theory {}: {}", st.name(),
                        kind.id(), f4(fitAll.exponent()), f4(fitAll.ciLow()), f4(fitAll.ciHigh()),
                        f4(fitUpper.exponent()), f4(fitUpper.ciLow()), f4(fitUpper.ciHigh()),
                        f4(st.theoryExponent()), ok ? "consistent" : "NOT consistent (tolerance "
                                + config.tolerance() + ")");
            }
        }
        return new Result(config, all, points, fits, (System.nanoTime() - start) / 1e9);
    }

    private Run[] runOne(SyntheticSetting s, RiskEvaluator ev, float[] logisticGrid, int n, int repeat, long seed,
                         double[] nanos) {
        SyntheticProblem problem = ev.problem();
        SyntheticProblem.Sample sample = problem.sample(n, seed);
        int m = problem.models();
        Run[] out = new Run[RouterKind.values().length];
        // KNN
        long t0 = System.nanoTime();
        int k = s.k(n, config.knnConstant());
        EuclideanKnn knn = EuclideanKnn.fit(sample.rawX(), problem.dimension(), sample.rawY(), m, k);
        double[] q = new double[ev.points() * m];
        knn.predict(ev.pointsView(), q);
        RiskEvaluator.Risk rk = ev.risk(q);
        out[RouterKind.KNN.ordinal()] = new Run(s.name(), RouterKind.KNN, n, repeat, k, rk.loss(), rk.bayesLoss(),
                rk.excessRisk());
        long t1 = System.nanoTime();
        if (repeat >= config.logisticRepeats()) {
            synchronized (nanos) {
                nanos[RouterKind.KNN.ordinal()] += t1 - t0;
            }
            return out;
        }
        // logistic
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        TribuoLinear.Weights w = TribuoLinear.logistic(sample.centredFloatX(), problem.dimension(), sample.rawY(), m,
                rows, new TribuoLinear.Options(config.logisticL2(), config.logisticLearningRate(),
                        config.logisticEpochs(), seed));
        for (int p = 0; p < ev.points(); p++) {
            for (int c = 0; c < m; c++) {
                q[p * m + c] = 1.0 / (1.0 + Math.exp(-w.linear(c, logisticGrid, p)));
            }
        }
        RiskEvaluator.Risk rl = ev.risk(q);
        out[RouterKind.LOGISTIC.ordinal()] = new Run(s.name(), RouterKind.LOGISTIC, n, repeat, 0, rl.loss(),
                rl.bayesLoss(), rl.excessRisk());
        long t2 = System.nanoTime();
        synchronized (nanos) {
            nanos[RouterKind.KNN.ordinal()] += t1 - t0;
            nanos[RouterKind.LOGISTIC.ordinal()] += t2 - t1;
        }
        return out;
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

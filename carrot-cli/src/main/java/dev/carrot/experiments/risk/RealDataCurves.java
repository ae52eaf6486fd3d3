package dev.carrot.experiments.risk;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.DecisionRule;
import dev.carrot.train.Embedded;
import dev.carrot.train.Progress;
import dev.carrot.train.knn.KnnTuner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import dev.carrot.train.knn.NeighbourLists;

/**
 * The learning curve on real routing data: the KNN router (the paper's: cosine KNN on prompt embeddings, k for
 * quality and for cost chosen by 5-fold cross-validated R^2 over 2, 4, ..., 512) trained on random fractions 1/32,
 * 1/16, ..., 1 of the training prompts, and its test regret against the per-prompt oracle.
 *
 * <p>At a trade-off mu the realised utility of model m on prompt i is {@code U_im = (1 - mu) q_im - mu c_im / s},
 * with s the dearest model's mean cost over all training prompts (the trainer's automatic cost scale; 1 without
 * costs). The oracle takes {@code max_m U_im} on every test prompt; the regret of a router is the mean of
 * {@code max_m U_im - U_i,r(i)} over test prompts. The oracle sees the realised outcomes, so even the Bayes router
 * has positive regret: the curve falls towards that floor, not towards 0. A baseline, the single model with the best
 * mean training utility, is trained on the same fractions.
 */
public final class RealDataCurves {
    private static final Logger LOG = LoggerFactory.getLogger(RealDataCurves.class);

    /** The KNN router's name in outputs. */
    public static final String KNN = "knn";
    /** The best single model's name in outputs. */
    public static final String BEST_SINGLE = "best-single-model";

    /**
     * @param halvings the smallest fraction is {@code 2^-halvings} (5: 1/32)
     * @param repeats  random subsets per fraction
     * @param seed     seed of the subsets
     * @param mus      trade-offs at which regret is measured (only 0 is used for data without costs)
     * @param kGrid    candidate k, ascending
     * @param folds    cross-validation folds for k
     */
    public record Options(int halvings, int repeats, long seed, double[] mus, int[] kGrid, int folds) {
        public Options {
            if (halvings < 1 || halvings > 20) {
                throw new IllegalArgumentException("halvings must be in [1, 20], got " + halvings);
            }
            if (repeats < 2) {
                throw new IllegalArgumentException("repeats must be >= 2 (for standard errors), got " + repeats);
            }
            mus = mus.clone();
            if (mus.length == 0) {
                throw new IllegalArgumentException("at least one mu is needed");
            }
            for (double mu : mus) {
                DecisionRule.checkMu(mu);
            }
            kGrid = kGrid.clone();
            if (kGrid.length == 0 || kGrid[0] < 1) {
                throw new IllegalArgumentException("kGrid must be non-empty with k >= 1, got "
                        + Arrays.toString(kGrid));
            }
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, got " + folds);
            }
        }

        /** 1/32 ... 1, 5 repeats, seed 42, mu in {0, 0.1, 0.25, 0.5}, the paper's k grid, 5 folds. */
        public static Options defaults() {
            return new Options(5, 5, 42, new double[]{0, 0.1, 0.25, 0.5}, KnnTuner.paperGrid(), 5);
        }

        public Options withRepeats(int r) {
            return new Options(halvings, r, seed, mus, kGrid, folds);
        }

        public Options withSeed(long s) {
            return new Options(halvings, repeats, s, mus, kGrid, folds);
        }

        @Override
        public double[] mus() {
            return mus.clone();
        }

        @Override
        public int[] kGrid() {
            return kGrid.clone();
        }

        /** The fractions, ascending: 2^-halvings, ..., 1/2, 1. */
        public double[] fractions() {
            double[] f = new double[halvings + 1];
            for (int j = 0; j <= halvings; j++) {
                f[j] = Math.scalb(1.0, j - halvings);
            }
            return f;
        }
    }

    /** One router trained on one subset, measured at one mu. */
    public record Run(String dataset, String router, double fraction, int trainPrompts, int repeat, double mu,
                      double regret, int kQuality, int kCost) {
    }

    /** The mean regret over repeats, with a normal 95% band {@code mean +- 1.96 se}. */
    public record Point(String router, double fraction, int trainPrompts, double mu, int repeats, double meanRegret,
                        double se, double bandLow, double bandHigh) {
    }

    /**
     * The learning curve of one dataset.
     *
     * @param costScale     the cost unit s
     * @param oracleUtility the oracle's mean test utility at each mu (for scale: regret is below it)
     */
    public record Result(String dataset, int trainPool, int testPrompts, boolean hasCost, double costScale,
                         double[] mus, double[] oracleUtility, List<String> routers, List<Run> runs,
                         List<Point> points, double seconds) {
        public Result {
            mus = mus.clone();
            oracleUtility = oracleUtility.clone();
            routers = List.copyOf(routers);
            runs = List.copyOf(runs);
            points = List.copyOf(points);
        }

        @Override
        public double[] mus() {
            return mus.clone();
        }

        @Override
        public double[] oracleUtility() {
            return oracleUtility.clone();
        }

        public List<Point> points(String router, double mu) {
            return points.stream().filter(p -> p.router().equals(router) && p.mu() == mu).toList();
        }
    }

    private final Options options;

    public RealDataCurves(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The units of work {@link #run} reports: the training-subset sizes summed over fractions and repeats. */
    public long work(RoutingDataset data) {
        int pool = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION).length;
        long sum = 0;
        for (double f : options.fractions()) {
            sum += subsetSize(pool, f);
        }
        return sum * options.repeats();
    }

    private int subsetSize(int pool, double fraction) {
        return (int) Math.min(pool, Math.max(options.folds() + 1, Math.round(fraction * pool)));
    }

    /**
     * Runs the curve.
     *
     * @param name    the dataset's name in outputs
     * @param data    prompts with train (and validation) and test splits
     * @param emb     the prompts' embeddings, in dataset order
     * @param threads worker threads (subsets run in parallel)
     */
    public Result run(String name, RoutingDataset data, Embedded emb, int threads, Progress progress) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(emb, "emb");
        if (emb.rows() != data.size()) {
            throw new IllegalArgumentException("embeddings have " + emb.rows() + " rows, the dataset " + data.size());
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        long start = System.nanoTime();
        int[] pool = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        int[] test = data.indicesOf(RoutingDataset.TEST);
        if (pool.length < options.folds() + 1 || test.length == 0) {
            throw new IllegalArgumentException("dataset " + name + " needs >= " + (options.folds() + 1) + " training"
                    + " and >= 1 test prompts, has splits " + data.splitCounts());
        }
        int m = data.modelCount();
        int dim = emb.dimension();
        float[] x = emb.vectors();
        double[] quality = data.qualityMatrix();
        boolean hasCost = data.hasCost();
        double[] cost = hasCost ? data.costMatrix() : new double[data.size() * m];
        double scale = 1.0;
        if (hasCost) {
            double best = 0;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int r : pool) {
                    s += cost[r * m + j];
                }
                best = Math.max(best, s / pool.length);
            }
            scale = best > 0 ? best : 1.0;
        }
        double[] mus = hasCost ? options.mus() : new double[]{0.0};
        if (!hasCost && options.mus().length > 1) {
            LOG.info("{} has no costs: regret is measured at mu = 0 only", name);
        }
        double[] fractions = options.fractions();
        int repeats = options.repeats();
        double[] testQ = Rows.rows(quality, m, test);
        double[] testC = Rows.rows(cost, m, test);
        LOG.info("{}: {} training prompts (the pool), {} test prompts, {} models, {}; fractions {} .. 1, {} repeats",
                name, pool.length, test.length, m, hasCost ? String.format(Locale.ROOT, "cost scale %.4g USD",
                        scale) : "no costs", fractions[0], repeats);
        record Task(int fraction, int repeat) {
        }
        List<Task> tasks = new ArrayList<>();
        for (int j = 0; j < fractions.length; j++) {
            for (int r = 0; r < repeats; r++) {
                tasks.add(new Task(j, r));
            }
        }
        tasks.sort(Comparator.comparingInt((Task t) -> -t.fraction()).thenComparingInt(Task::repeat));
        Run[][][] runs = new Run[fractions.length][repeats][];
        final double sc = scale;
        ExecutorService pool2 = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Task t : tasks) {
                jobs.add(pool2.submit(() -> {
                    int size = subsetSize(pool.length, fractions[t.fraction()]);
                    int[] subset = subset(pool, size, SyntheticRiskCurves.seedFor(options.seed(), 0, t.fraction(),
                            t.repeat()));
                    runs[t.fraction()][t.repeat()] = runOne(name, fractions[t.fraction()], t.repeat(), subset, x, dim,
                            quality, hasCost ? cost : null, m, test, testQ, testC, mus, sc);
                    progress.step(size);
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing the learning curve of " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a learning-curve run on " + name + " failed: " + e.getCause(),
                    e.getCause());
        } finally {
            pool2.shutdownNow();
        }
        List<Run> all = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        List<String> routers = List.of(KNN, BEST_SINGLE);
        for (String router : routers) {
            for (double mu : mus) {
                for (int j = 0; j < fractions.length; j++) {
                    double[] v = new double[repeats];
                    int size = 0;
                    for (int r = 0; r < repeats; r++) {
                        for (Run run : runs[j][r]) {
                            if (run.router().equals(router) && run.mu() == mu) {
                                all.add(run);
                                v[r] = run.regret();
                                size = run.trainPrompts();
                            }
                        }
                    }
                    double mean = Arrays.stream(v).average().orElseThrow();
                    double var = 0;
                    for (double e : v) {
                        var += (e - mean) * (e - mean);
                    }
                    double se = Math.sqrt(var / (repeats - 1) / repeats);
                    points.add(new Point(router, fractions[j], size, mu, repeats, mean, se, mean - 1.96 * se,
                            mean + 1.96 * se));
                }
            }
        }
        for (double mu : mus) {
            List<Point> knn = points.stream().filter(p -> p.router().equals(KNN) && p.mu() == mu).toList();
            LOG.info("{} mu = {}: KNN test regret {} with 1/{} of the training prompts, {} with all", name, mu,
                    String.format(Locale.ROOT, "%.4f", knn.get(0).meanRegret()), 1 << options.halvings(),
                    String.format(Locale.ROOT, "%.4f", knn.get(knn.size() - 1).meanRegret()));
        }
        double[] oracleUtility = new double[mus.length];
        for (int u = 0; u < mus.length; u++) {
            for (int i = 0; i < test.length; i++) {
                oracleUtility[u] += oracle(testQ, testC, i, m, mus[u], scale) / test.length;
            }
        }
        return new Result(name, pool.length, test.length, hasCost, scale, mus, oracleUtility, routers, all, points,
                (System.nanoTime() - start) / 1e9);
    }

    /** A random subset of {@code size} rows of {@code pool}, in random order (so contiguous CV folds are random). */
    static int[] subset(int[] pool, int size, long seed) {
        int[] p = pool.clone();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            int j = i + rng.nextInt(p.length - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return Arrays.copyOf(p, size);
    }

    private Run[] runOne(String name, double fraction, int repeat, int[] subset, float[] x, int dim,
                         double[] quality, double[] cost, int m, int[] test, double[] testQ, double[] testC,
                         double[] mus, double scale) {
        int n = subset.length;
        float[] xs = Rows.rows(x, dim, subset);
        double[] q = Rows.rows(quality, m, subset);
        double[] c = cost == null ? null : Rows.rows(cost, m, subset);
        int maxK = options.kGrid()[options.kGrid().length - 1];
        NeighbourLists lists = NeighbourLists.compute(xs, dim, options.folds(), maxK, 1, done -> {
        });
        int[] grid = options.kGrid();
        if (grid[0] > lists.maxK()) {
            grid = new int[]{lists.maxK()};
        }
        int kq = KnnTuner.tune(lists, q, m, grid).k();
        int kc = c == null ? 0 : KnnTuner.tune(lists, c, m, grid).k();
        // test predictions: the mean of the first kq (quality) and kc (cost) neighbours
        KnnIndex index = KnnIndex.of(xs, dim);
        int kk = Math.min(n, Math.max(kq, kc));
        int t = test.length;
        double[] predQ = new double[t * m];
        double[] predC = new double[t * m];
        int[] nb = new int[kk];
        float[] query = new float[dim];
        for (int i = 0; i < t; i++) {
            System.arraycopy(x, test[i] * dim, query, 0, dim);
            index.search(query, kk, nb, null);
            for (int j = 0; j < kk; j++) {
                int r = nb[j];
                for (int o = 0; o < m; o++) {
                    if (j < kq) {
                        predQ[i * m + o] += q[r * m + o];
                    }
                    if (c != null && j < kc) {
                        predC[i * m + o] += c[r * m + o];
                    }
                }
            }
            for (int o = 0; o < m; o++) {
                predQ[i * m + o] /= kq;
                if (c != null) {
                    predC[i * m + o] /= kc;
                }
            }
        }
        List<Run> out = new ArrayList<>();
        for (double mu : mus) {
            // KNN router
            double regret = 0;
            for (int i = 0; i < t; i++) {
                int choice = DecisionRule.choose(predQ, predC, i * m, m, mu, scale, null);
                regret += oracle(testQ, testC, i, m, mu, scale) - utility(testQ, testC, i * m + choice, mu, scale);
            }
            out.add(new Run(name, KNN, fraction, n, repeat, mu, regret / t, kq, kc));
            // the best single model on the training subset
            int best = 0;
            double bestU = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < m; o++) {
                double u = 0;
                for (int r = 0; r < n; r++) {
                    u += utility(q, c, r * m + o, mu, scale);
                }
                if (u > bestU) {
                    bestU = u;
                    best = o;
                }
            }
            double single = 0;
            for (int i = 0; i < t; i++) {
                single += oracle(testQ, testC, i, m, mu, scale) - utility(testQ, testC, i * m + best, mu, scale);
            }
            out.add(new Run(name, BEST_SINGLE, fraction, n, repeat, mu, single / t, 0, 0));
        }
        return out.toArray(new Run[0]);
    }

    private static double utility(double[] q, double[] c, int cell, double mu, double scale) {
        return DecisionRule.utility(q[cell], c == null ? 0 : c[cell], mu, scale);
    }

    private static double oracle(double[] q, double[] c, int i, int m, double mu, double scale) {
        double best = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < m; o++) {
            best = Math.max(best, utility(q, c, i * m + o, mu, scale));
        }
        return best;
    }

    /** Row selection (the trainer's helpers are package-private to dev.carrot.train). */
    static final class Rows {
        private Rows() {
        }

        static double[] rows(double[] a, int m, int[] rows) {
            double[] out = new double[rows.length * m];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(a, rows[i] * m, out, i * m, m);
            }
            return out;
        }

        static float[] rows(float[] a, int m, int[] rows) {
            float[] out = new float[rows.length * m];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(a, rows[i] * m, out, i * m, m);
            }
            return out;
        }
    }
}

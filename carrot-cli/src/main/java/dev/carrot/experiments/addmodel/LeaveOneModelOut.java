package dev.carrot.experiments.addmodel;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.PromptView;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.CarrotTrainer;
import dev.carrot.train.Embedded;
import dev.carrot.train.Matrices;
import dev.carrot.train.Progress;
import dev.carrot.train.TestPredictions;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import dev.carrot.train.Variant;
import dev.carrot.train.add.ModelAddition;
import dev.carrot.train.add.ModelColumns;
import dev.carrot.train.eval.Curve;
import dev.carrot.train.eval.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Leave one model out, add it back: how much of what a full retrain gains from a model does {@code carrot add-model}
 * recover from a few of its labelled prompts?
 *
 * <p>For each model {@code M} of a dataset: the router trained on every model ("full": a retrain with all of M's
 * labels), the router trained without M ("without"), and that router with M added from {@code n} of M's labelled
 * training prompts ("added"; n = 25, 50, 100, 200, each a seeded random sample, the smaller ones prefixes of the
 * larger, over several repeats). All are KNN routers (the paper's, k by cross-validation) trained on the same train
 * and validation prompts, and judged on the same test prompts against every model's true outcomes: the area under
 * the test cost-quality curve over the cost range of all the dataset's single models (fixed, so that a router
 * without the cheapest or the dearest model is judged on the same range), or, for data without costs, the test
 * quality at mu = 0. The full retrain's gain is {@code full - without}, with a paired bootstrap interval over the test
 * prompts; the recovered share is {@code (added - without) / (full - without)} for models whose full retrain gains
 * anything.
 *
 * <p>The added routers of one left-out model share the without-router's stored prompts and k, so their test
 * predictions share one neighbour search per prompt: each predictor still predicts through its own code on a
 * {@link PromptView}, exactly as {@link Router} does (checked against {@link Router#predict} for one router per
 * dataset).
 */
public final class LeaveOneModelOut {
    private static final Logger LOG = LoggerFactory.getLogger(LeaveOneModelOut.class);
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * @param sizes         labelled prompts of the added model, ascending
     * @param repeats       random samples per size
     * @param seed          seed of the samples, the training and the bootstrap
     * @param ablations     methods other than {@link ModelAddition.Method#FULL} to run, at {@code ablationSize}
     * @param ablationSize  the size the ablations run at
     * @param bootstrap     bootstrap replicates of the full retrain's gain
     */
    public record Options(int[] sizes, int repeats, long seed, List<ModelAddition.Method> ablations, int ablationSize,
                          int bootstrap) {
        public Options {
            sizes = sizes.clone();
            if (sizes.length == 0) {
                throw new IllegalArgumentException("at least one size is needed");
            }
            for (int i = 0; i < sizes.length; i++) {
                if (sizes[i] < 10 || (i > 0 && sizes[i] <= sizes[i - 1])) {
                    throw new IllegalArgumentException("sizes must be ascending and >= 10, got "
                            + Arrays.toString(sizes));
                }
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
            }
            ablations = List.copyOf(ablations);
            if (bootstrap < 10) {
                throw new IllegalArgumentException("bootstrap must be >= 10, got " + bootstrap);
            }
        }

        /** n = 25, 50, 100, 200; 3 repeats; seed 42; the four ablations at n = 100; 1,000 bootstrap replicates. */
        public static Options defaults() {
            return new Options(new int[]{25, 50, 100, 200}, 3, 42, List.of(ModelAddition.Method.ACROSS_MODELS_ONLY,
                    ModelAddition.Method.ITEM_RESPONSE, ModelAddition.Method.PROFILE_REGRESSION,
                    ModelAddition.Method.LABELS_ONLY), 100, 1000);
        }

        public Options withRepeats(int r) {
            return new Options(sizes, r, seed, ablations, ablationSize, bootstrap);
        }

        public Options withSeed(long s) {
            return new Options(sizes, repeats, s, ablations, ablationSize, bootstrap);
        }

        public Options withSizes(int... s) {
            return new Options(s, repeats, seed, ablations, ablationSize, bootstrap);
        }

        public Options withAblations(List<ModelAddition.Method> a) {
            return new Options(sizes, repeats, seed, a, ablationSize, bootstrap);
        }

        @Override
        public int[] sizes() {
            return sizes.clone();
        }
    }

    /** One added router's test metric. */
    public record Run(String model, String method, int n, int repeat, double metric, double seconds) {
    }

    /**
     * One left-out model.
     *
     * @param without     the metric of the router that never had it
     * @param gain        {@code full - without}
     * @param gainLow     paired bootstrap 95% interval of the gain
     * @param added       per size, the mean metric over repeats of the added router (method FULL)
     * @param recovered   per size, {@code (added - without) / gain}, NaN when the gain is not positive
     * @param ablations   per ablation at the ablation size, the mean metric over repeats
     */
    public record ModelSummary(String model, double without, double gain, double gainLow, double gainHigh,
                               double[] added, double[] recovered, Map<String, Double> ablations,
                               double trainSeconds) {
    }

    /**
     * The experiment on one dataset.
     *
     * @param metric         {@code "area"} or {@code "quality_at_mu0"}
     * @param full           the full retrain's metric
     * @param meanRecovered  per size, the mean recovered share over models whose full retrain gains (gain > 0)
     * @param pooledRecovered per size, the sum of added gains over the sum of full gains, same models
     * @param measurableRecovered per size, the mean recovered share over models whose gain's 95% interval excludes 0
     *                       (NaN when there is none): a gain of +0.0001 makes any ratio noise
     * @param ablationRecovered per method (FULL included) at the ablation size, the mean recovered share
     */
    public record Result(String dataset, String metric, int trainPrompts, int testPrompts, int models, double full,
                         int[] sizes, int repeats, List<ModelSummary> summaries, List<Run> runs,
                         double[] meanRecovered, double[] pooledRecovered, double[] measurableRecovered,
                         Map<String, Double> ablationRecovered, int gaining, int measurable, double seconds) {
    }

    private final Options options;

    public LeaveOneModelOut(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Units of work for progress: one per left-out model. */
    public long work(RoutingDataset data) {
        return data.modelCount();
    }

    /**
     * Runs the experiment.
     *
     * @param data    a dataset with train (and validation) and test prompts and at least 3 models
     * @param emb     its prompts embedded, in dataset order
     * @param threads worker threads for KNN cross-validation
     */
    public Result run(String name, RoutingDataset data, Embedded emb, int threads, Progress progress) {
        long t0 = System.nanoTime();
        if (emb.rows() != data.size()) {
            throw new IllegalArgumentException("embeddings have " + emb.rows() + " rows, the dataset " + data.size());
        }
        if (data.modelCount() < 3) {
            throw new IllegalArgumentException(name + " has " + data.modelCount() + " models; leaving one out needs"
                    + " at least 3");
        }
        TrainerConfig config = TrainerConfig.defaults().withVariants(List.of(Variant.KNN)).withSeed(options.seed())
                .withThreads(threads);
        int[] trv = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        int[] te = data.indicesOf(RoutingDataset.TEST);
        int[] largest = new int[]{options.sizes()[options.sizes().length - 1]};
        if (trv.length < largest[0] || te.length == 0) {
            throw new IllegalArgumentException(name + " needs >= " + largest[0] + " training and >= 1 test prompts,"
                    + " has splits " + data.splitCounts());
        }
        int m = data.modelCount();
        List<String> models = data.models();

        long s0 = System.nanoTime();
        CarrotTrainer.Result fullRun = new CarrotTrainer(config).train(data, emb, Optional.empty(), Provenance.empty());
        CarrotTrainer.VariantResult full = fullRun.variants().get(0);
        double fullSeconds = (System.nanoTime() - s0) / 1e9;
        boolean hasCost = fullRun.costKind() != CarrotTrainer.CostKind.NONE;
        double[] trueQ = Matrices.rows(data.qualityMatrix(), m, te);
        double[] trueC = Matrices.rows(Matrices.trueCosts(data, full.model().cost(), Optional.empty()), m, te);
        Judge judge = new Judge(models, trueQ, trueC, te.length, hasCost);
        double fullMetric = judge.metric(full.model().models(), full.testQuality(), full.testCost(),
                full.model().costScaleUsd());
        LOG.info("{}: full retrain ({} models) {} = {} ({} s)", name, m, judge.name(), fmt(fullMetric),
                String.format(Locale.ROOT, "%.1f", fullSeconds));
        int[] fullChoices = judge.choices(full.model().models(), full.testQuality(), full.testCost(),
                full.model().costScaleUsd());

        List<ModelSummary> summaries = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        boolean parityChecked = false;
        int[] sizes = options.sizes();
        for (int left = 0; left < m; left++) {
            String model = models.get(left);
            long l0 = System.nanoTime();
            RoutingDataset without = ModelColumns.without(data, model);
            CarrotTrainer.VariantResult base = new CarrotTrainer(config).train(without, emb, Optional.empty(),
                    Provenance.empty()).variants().get(0);
            double trainSeconds = (System.nanoTime() - l0) / 1e9;
            RouterModel baseModel = base.model();
            double withoutMetric = judge.metric(baseModel.models(), base.testQuality(), base.testCost(),
                    baseModel.costScaleUsd());
            int[] withoutChoices = judge.choices(baseModel.models(), base.testQuality(), base.testCost(),
                    baseModel.costScaleUsd());
            double[] ci = judge.pairedGainInterval(full.model().models(), fullChoices, baseModel.models(),
                    withoutChoices, options.bootstrap(), options.seed() + left);

            // the added routers: every size and repeat of the full method, the ablations at one size
            List<Added> added = new ArrayList<>();
            for (int r = 0; r < options.repeats(); r++) {
                int[] order = permutation(trv, options.seed() * 1_000_003L + left * 7919L + r);
                for (int n : sizes) {
                    added.add(new Added(ModelAddition.Method.FULL, n, r, Arrays.copyOf(order, n)));
                }
                for (ModelAddition.Method method : options.ablations()) {
                    added.add(new Added(method, options.ablationSize(), r, Arrays.copyOf(order,
                            options.ablationSize())));
                }
            }
            List<RouterModel> addedModels = new ArrayList<>();
            List<Double> addSeconds = new ArrayList<>();
            for (Added a : added) {
                long a0 = System.nanoTime();
                int[] rows = a.rows().clone();
                Arrays.sort(rows);
                RoutingDataset labelled = ModelColumns.only(data, model, rows);
                Embedded sub = new Embedded(emb.encoder(), Matrices.rows(emb.vectors(), emb.dimension(), rows),
                        emb.tokens() == null ? null : pick(emb.tokens(), rows));
                ModelAddition.Options o = ModelAddition.Options.defaults().withSeed(options.seed() + a.repeat())
                        .withCalibrate(false).withMethod(a.method());
                addedModels.add(new ModelAddition(o).add(baseModel, labelled, sub, Optional.empty(),
                        Map.of(), CREATED).model());
                addSeconds.add((System.nanoTime() - a0) / 1e9);
            }
            Predicted[] predicted = predictShared(addedModels, emb, te);
            if (!parityChecked) {
                checkParity(addedModels.get(0), predicted[0], emb, te);
                parityChecked = true;
            }
            double[] addedMean = new double[sizes.length];
            Map<String, double[]> ablationSum = new LinkedHashMap<>();
            for (int i = 0; i < added.size(); i++) {
                Added a = added.get(i);
                RouterModel am = addedModels.get(i);
                double metric = judge.metric(am.models(), predicted[i].quality(), predicted[i].cost(),
                        am.costScaleUsd());
                runs.add(new Run(model, a.method().name().toLowerCase(Locale.ROOT), a.n(), a.repeat(), metric,
                        addSeconds.get(i)));
                if (a.method() == ModelAddition.Method.FULL) {
                    addedMean[indexOf(sizes, a.n())] += metric / options.repeats();
                } else {
                    ablationSum.computeIfAbsent(a.method().name().toLowerCase(Locale.ROOT), k -> new double[1])[0] +=
                            metric / options.repeats();
                }
            }
            double gain = fullMetric - withoutMetric;
            double[] recovered = new double[sizes.length];
            for (int j = 0; j < sizes.length; j++) {
                recovered[j] = gain > 0 ? (addedMean[j] - withoutMetric) / gain : Double.NaN;
            }
            Map<String, Double> abl = new LinkedHashMap<>();
            ablationSum.forEach((k, v) -> abl.put(k, v[0]));
            summaries.add(new ModelSummary(model, withoutMetric, gain, ci[0], ci[1], addedMean, recovered, abl,
                    trainSeconds));
            LOG.info("{}: without {}: {} = {}, gain of the full retrain {} [{}, {}]; added n = {}: {}", name, model,
                    judge.name(), fmt(withoutMetric), fmt(gain), fmt(ci[0]), fmt(ci[1]), Arrays.toString(sizes),
                    Arrays.toString(Arrays.stream(recovered).mapToObj(LeaveOneModelOut::fmt).toArray()));
            progress.step(1);
        }

        double[] mean = new double[sizes.length];
        double[] pooled = new double[sizes.length];
        double[] clear = new double[sizes.length];
        int gaining = 0;
        int measurable = 0;
        double gainSum = 0;
        double[] addedGainSum = new double[sizes.length];
        for (ModelSummary s : summaries) {
            if (s.gain() > 0) {
                gaining++;
                gainSum += s.gain();
                for (int j = 0; j < sizes.length; j++) {
                    mean[j] += s.recovered()[j];
                    addedGainSum[j] += s.added()[j] - s.without();
                }
            }
            if (s.gainLow() > 0) {
                measurable++;
                for (int j = 0; j < sizes.length; j++) {
                    clear[j] += s.recovered()[j];
                }
            }
        }
        for (int j = 0; j < sizes.length; j++) {
            mean[j] = gaining == 0 ? Double.NaN : mean[j] / gaining;
            clear[j] = measurable == 0 ? Double.NaN : clear[j] / measurable;
            pooled[j] = gaining == 0 ? Double.NaN : addedGainSum[j] / gainSum;
        }
        Map<String, Double> ablationRecovered = new LinkedHashMap<>();
        int at = indexOf(sizes, options.ablationSize());
        if (at >= 0) {
            ablationRecovered.put("full", mean[at]);
        }
        for (ModelAddition.Method method : options.ablations()) {
            String key = method.name().toLowerCase(Locale.ROOT);
            double s = 0;
            for (ModelSummary ms : summaries) {
                if (ms.gain() > 0) {
                    s += (ms.ablations().get(key) - ms.without()) / ms.gain();
                }
            }
            ablationRecovered.put(key, gaining == 0 ? Double.NaN : s / gaining);
        }
        return new Result(name, judge.name(), trv.length, te.length, m, fullMetric, sizes, options.repeats(),
                summaries, runs, mean, pooled, clear, ablationRecovered, gaining, measurable,
                (System.nanoTime() - t0) / 1e9);
    }

    private record Added(ModelAddition.Method method, int n, int repeat, int[] rows) {
    }

    private record Predicted(double[] quality, double[] cost) {
    }

    /**
     * Test predictions of routers that share their stored prompts: one neighbour search per prompt, then each
     * router's predictors on that view, as {@link Router#predict} computes them (quality clipped to [0, 1], the cost
     * model's own clipping).
     */
    private static Predicted[] predictShared(List<RouterModel> routers, Embedded emb, int[] rows) {
        KnnIndex store = routers.get(0).knnIndex().orElseThrow();
        int need = 0;
        for (RouterModel r : routers) {
            if (r.knnIndex().orElse(null) != store) {
                throw new IllegalStateException("the added routers do not share their stored prompts");
            }
            need = Math.max(need, r.neighbours());
        }
        int dim = emb.dimension();
        PromptView view = new PromptView(store, need);
        Predicted[] out = new Predicted[routers.size()];
        PriceTable.Price[][] prices = new PriceTable.Price[routers.size()][];
        for (int k = 0; k < routers.size(); k++) {
            int mm = routers.get(k).models().size();
            out[k] = new Predicted(new double[rows.length * mm], new double[rows.length * mm]);
            RouterModel r = routers.get(k);
            prices[k] = r.prices().map(p -> p.forModels(r.models())).orElse(null);
        }
        float[] x = new float[dim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(emb.vectors(), rows[i] * dim, x, 0, dim);
            view.set(x, emb.tokens() == null ? Double.NaN : emb.tokens()[rows[i]], null);
            for (int k = 0; k < routers.size(); k++) {
                RouterModel r = routers.get(k);
                int mm = r.models().size();
                double[] q = new double[mm];
                double[] in = new double[mm];
                double[] o = new double[mm];
                double[] c = new double[mm];
                r.quality().predict(view, q);
                for (int j = 0; j < mm; j++) {
                    q[j] = Math.min(1.0, Math.max(0.0, q[j]));
                }
                r.cost().predict(view, prices[k], in, o, c);
                System.arraycopy(q, 0, out[k].quality(), i * mm, mm);
                System.arraycopy(c, 0, out[k].cost(), i * mm, mm);
            }
        }
        return out;
    }

    /** The shared-view predictions of one router must be what {@link Router#predict} gives. */
    private static void checkParity(RouterModel model, Predicted p, Embedded emb, int[] rows) {
        TestPredictions t = TestPredictions.of(Router.of(model, null), emb, rows);
        double worst = 0;
        for (int i = 0; i < t.quality().length; i++) {
            worst = Math.max(worst, Math.abs(t.quality()[i] - p.quality()[i]));
            worst = Math.max(worst, Math.abs(t.cost()[i] - p.cost()[i]) / model.costScaleUsd());
        }
        if (worst > TrainJob.PARITY_TOLERANCE) {
            throw new IllegalStateException("shared-view test predictions differ from Router.predict by " + worst);
        }
        LOG.info("shared-view test predictions equal Router.predict (max difference {})", worst);
    }

    /**
     * Test outcomes and the fixed cost range: judges a router's predictions by the area under its test curve, or
     * its test quality at mu = 0 without costs.
     */
    private static final class Judge {
        private final List<String> models;
        private final double[] trueQ;
        private final double[] trueC;
        private final int n;
        private final boolean hasCost;
        private final double cLo;
        private final double cHi;
        private final double[] grid;

        Judge(List<String> models, double[] trueQ, double[] trueC, int n, boolean hasCost) {
            this.models = models;
            this.trueQ = trueQ;
            this.trueC = trueC;
            this.n = n;
            this.hasCost = hasCost;
            int m = models.size();
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += trueC[i * m + j];
                }
                lo = Math.min(lo, s / n);
                hi = Math.max(hi, s / n);
            }
            cLo = lo;
            cHi = hi;
            grid = hasCost ? Curve.paperGrid() : new double[]{0};
        }

        String name() {
            return hasCost ? "area" : "quality_at_mu0";
        }

        /** The dataset's outcome columns in a router's model order. */
        private double[][] columns(List<String> routerModels) {
            int m = models.size();
            int k = routerModels.size();
            double[] q = new double[n * k];
            double[] c = new double[n * k];
            for (int j = 0; j < k; j++) {
                int src = models.indexOf(routerModels.get(j));
                if (src < 0) {
                    throw new IllegalArgumentException("router model " + routerModels.get(j) + " is not in the data");
                }
                for (int i = 0; i < n; i++) {
                    q[i * k + j] = trueQ[i * m + src];
                    c[i * k + j] = trueC[i * m + src];
                }
            }
            return new double[][]{q, c};
        }

        double metric(List<String> routerModels, double[] predQ, double[] predC, double scale) {
            double[][] t = columns(routerModels);
            Curve curve = Curve.sweep("r", predQ, predC, t[0], t[1], n, routerModels.size(), scale, grid);
            return hasCost ? Metrics.area(curve.cost(), curve.quality(), cLo, cHi) : curve.quality()[0];
        }

        /** The chosen model per grid point and prompt, as dataset model indices, flattened {@code [g * n + i]}. */
        int[] choices(List<String> routerModels, double[] predQ, double[] predC, double scale) {
            double[][] t = columns(routerModels);
            Curve curve = Curve.sweep("r", predQ, predC, t[0], t[1], n, routerModels.size(), scale, grid);
            int[] out = new int[grid.length * n];
            for (int g = 0; g < grid.length; g++) {
                for (int i = 0; i < n; i++) {
                    out[g * n + i] = models.indexOf(routerModels.get(curve.choices()[g][i]));
                }
            }
            return out;
        }

        /** The 95% percentile interval of {@code metric(a) - metric(b)} over test prompts resampled jointly. */
        double[] pairedGainInterval(List<String> aModels, int[] a, List<String> bModels, int[] b, int replicates,
                                    long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            int m = models.size();
            double[] diffs = new double[replicates];
            int[] idx = new int[n];
            double[] ca = new double[grid.length];
            double[] qa = new double[grid.length];
            double[] cb = new double[grid.length];
            double[] qb = new double[grid.length];
            for (int rep = 0; rep < replicates; rep++) {
                for (int i = 0; i < n; i++) {
                    idx[i] = r.nextInt(n);
                }
                for (int g = 0; g < grid.length; g++) {
                    double sca = 0;
                    double sqa = 0;
                    double scb = 0;
                    double sqb = 0;
                    for (int i : idx) {
                        int ja = a[g * n + i];
                        int jb = b[g * n + i];
                        sca += trueC[i * m + ja];
                        sqa += trueQ[i * m + ja];
                        scb += trueC[i * m + jb];
                        sqb += trueQ[i * m + jb];
                    }
                    ca[g] = sca / n;
                    qa[g] = sqa / n;
                    cb[g] = scb / n;
                    qb[g] = sqb / n;
                }
                diffs[rep] = hasCost ? Metrics.area(ca, qa, cLo, cHi) - Metrics.area(cb, qb, cLo, cHi)
                        : qa[0] - qb[0];
            }
            Arrays.sort(diffs);
            return new double[]{diffs[(int) Math.floor(0.025 * (replicates - 1))],
                    diffs[(int) Math.ceil(0.975 * (replicates - 1))]};
        }
    }

    private static int[] permutation(int[] rows, long seed) {
        int[] p = rows.clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int[] pick(int[] a, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = a[rows[i]];
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.DecisionRule;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.route.model.FixedModelStats;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.eval.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static dev.carrot.train.Matrices.rows;
import static dev.carrot.train.Matrices.toDouble;
import static dev.carrot.train.Matrices.toFloat;

/**
 * Trains CARROT routers: per {@link Variant}, a quality predictor and a cost predictor over prompt embeddings, each
 * fitted by its {@link PredictorTrainer} (hyperparameters chosen on training folds or on the validation split, then
 * refitted on train + validation), assembled into a {@link RouterModel} with its budget calibration. Test prompts are
 * never looked at while fitting; each variant's test predictions are then made by the router itself.
 *
 * <p>The cost predictor depends on what the data has: token counts and prices (output tokens are predicted, input
 * tokens estimated from the encoder's token count, both priced), per-query USD costs (cost predicted directly), or
 * neither (a quality-only router).
 */
public final class CarrotTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(CarrotTrainer.class);

    private final TrainerConfig config;

    public CarrotTrainer(TrainerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** How the trained routers predict cost, decided by the data. */
    public enum CostKind {
        TOKENS, DIRECT, NONE
    }

    /**
     * One trained variant: its model and what that model predicts for the test prompts.
     *
     * @param testQuality     predicted quality, test rows x models (as the router predicts it)
     * @param testCost        predicted cost in USD, test rows x models (as the router predicts it)
     * @param hyper           chosen hyperparameters and validation scores
     * @param validationScore how good the variant is on validation (from predictors fitted on train only): the area
     *                        under its validation cost-quality curve when there are costs, else its validation
     *                        quality at mu = 0; NaN without validation prompts
     * @param heldOutScore    the same measure on every prompt the variant's predictors did not see: the training
     *                        prompts predicted out of fold ({@link OutOfFold}) and the validation prompts; about ten
     *                        times the prompts of validation alone. NaN when a trainer cannot predict out of fold
     */
    public record VariantResult(Variant variant, RouterModel model, double[] testQuality, double[] testCost,
                                Map<String, Object> hyper, double validationScore, double heldOutScore) {
    }

    /**
     * The outcome of training.
     *
     * @param trainRows      rows used to fit (train + validation), in dataset order
     * @param validationRows rows used to tune
     * @param testRows       rows held out for evaluation
     */
    public record Result(RoutingDataset data, CostKind costKind, int[] trainRows, int[] validationRows,
                         int[] testRows, double costScaleUsd, List<VariantResult> variants) {
        public VariantResult variant(Variant v) {
            return variants.stream().filter(r -> r.variant().id().equals(v.id())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("variant " + v.id() + " was not trained"));
        }
    }

    /** What every variant of one training run shares. */
    private record Run(RoutingDataset data, Embedded emb, CostKind kind, PriceTable prices, InputTokenModel inModel,
                       double scale, double[] quality, double[] trueCost, int[] va, int[] trv, int[] te,
                       FitTask qualityTask, FitTask costTask, Provenance provenance, PromptGroups groups) {
    }

    /** One variant's fits, to assemble and export. */
    private record Export(Variant variant, PredictorTrainer.Fit quality, PredictorTrainer.Fit cost) {
    }

    /**
     * Trains every configured variant.
     *
     * @param prices     prices for token-based costs (needed when the data has token counts and no costs should be
     *                   predicted directly); empty to use per-query costs or none
     * @param provenance provenance to store in each artifact (dataset, command line ...), completed per variant
     */
    public Result train(RoutingDataset data, Embedded emb, Optional<PriceTable> prices, Provenance provenance) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(emb, "emb");
        Objects.requireNonNull(provenance, "provenance");
        if (emb.rows() != data.size()) {
            throw new IllegalArgumentException("embeddings have " + emb.rows() + " rows, the dataset " + data.size());
        }
        int[] tr = data.indicesOf(RoutingDataset.TRAIN);
        int[] va = data.indicesOf(RoutingDataset.VALIDATION);
        int[] trv = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        int[] te = data.indicesOf(RoutingDataset.TEST);
        if (tr.length < config.folds() + 1) {
            throw new IllegalArgumentException("dataset " + data.provenance().source() + " has " + tr.length
                    + " training prompts; at least " + (config.folds() + 1) + " are needed (splits: "
                    + data.splitCounts() + ")");
        }
        if (va.length == 0) {
            LOG.warn("no validation prompts: L2 penalties fall back to {} and blend weights to 0.5; there is no budget"
                    + " calibration", config.l2Grid()[config.l2Grid().length / 2]);
        }
        int m = data.modelCount();
        if (m == 1) {
            LOG.warn("dataset {} has one model ({}): its router always chooses it; give the data the models you want"
                    + " to route between", data.provenance().source(), data.models().get(0));
        }
        double[] quality = data.qualityMatrix();
        CostKind kind = data.hasTokens() && prices.isPresent() ? CostKind.TOKENS
                : data.hasCost() ? CostKind.DIRECT : CostKind.NONE;
        if (data.hasTokens() && prices.isEmpty()) {
            LOG.warn("the data has token counts but no price table was given: {}; pass one (--prices FILE) to price"
                    + " tokens", kind == CostKind.DIRECT ? "regressing cost_usd directly" : "training quality only");
        }
        if (kind == CostKind.TOKENS && emb.tokens() == null) {
            throw new IllegalArgumentException("token-based costs need the prompts' encoder token counts");
        }
        double[] trueCost = kind == CostKind.NONE ? new double[data.size() * m] : kind == CostKind.TOKENS
                ? Matrices.pricedCosts(data, prices.get()) : data.costMatrix();
        double scale = costScale(trueCost, trv, m, kind);
        LOG.info("training on {} prompts (train {}, validation {}), testing on {}; {} models; cost: {}; cost scale {}"
                + " USD", trv.length, tr.length, va.length, te.length, m, kind.name().toLowerCase(Locale.ROOT), scale);

        FitTask.Run shared = new FitTask.Run(config, data.models(), emb.vectors(), emb.dimension(), emb.tokens(), tr,
                va, trv);
        FitTask qualityTask = new FitTask(shared, FitTask.Target.QUALITY, quality);
        FitTask costTask = switch (kind) {
            case TOKENS -> new FitTask(shared, FitTask.Target.OUTPUT_TOKENS, toDouble(data.outputTokenMatrix()));
            case DIRECT -> new FitTask(shared, FitTask.Target.COST_USD, data.costMatrix());
            case NONE -> null;
        };
        Run run = new Run(data, emb, kind, kind == CostKind.TOKENS ? restrict(prices.get(), data.models()) : null,
                kind == CostKind.TOKENS ? fitInputTokens(data, emb.tokens(), trv) : null, scale, quality, trueCost,
                va, trv, te, qualityTask, costTask, provenance, kind == CostKind.NONE || va.length == 0 ? null
                : PromptGroups.fit(emb.vectors(), emb.dimension(), tr, va.length, config.seed()));
        List<VariantResult> results = new ArrayList<>();
        for (Variant v : config.variants()) {
            PredictorTrainer.Fit q = qualityTask.fitOf(v.quality());
            PredictorTrainer.Fit c = costTask == null ? null : costTask.fitOf(v.cost());
            results.add(export(run, new Export(v, q, c)));
        }
        return new Result(data, kind, trv, va, te, scale, results);
    }

    // ======================================================================================== export

    private VariantResult export(Run run, Export e) {
        RoutingDataset data = run.data();
        int m = data.modelCount();
        int[] va = run.va();
        Predictor q = e.quality().predictor();
        CostModel cost = switch (run.kind()) {
            case TOKENS -> new CostModel.Tokens(run.inModel(), e.cost().predictor());
            case DIRECT -> new CostModel.Direct(e.cost().predictor());
            case NONE -> new CostModel.None();
        };
        RouterModel.Builder b = RouterModel.builder().models(data.models()).encoder(run.emb().encoder())
                .prices(run.prices()).cost(cost).quality(q).costScaleUsd(run.scale());
        if (q.neighbours() > 0 || cost.predictors().values().stream().anyMatch(p -> p.neighbours() > 0)) {
            b.knnIndex(run.qualityTask().allIndex());
        }
        Map<String, Object> hyper = new LinkedHashMap<>(e.quality().hyperparameters());
        if (e.cost() != null) {
            hyper.putAll(e.cost().hyperparameters());
        }
        double validationScore = Double.NaN;
        FixedModelPolicy policy = null;
        if (va.length > 0) {
            double[] valQ = Matrices.clamp01(run.qualityTask().predictValidation(e.quality().validationPhase()));
            FixedModelStats fixed = config.fixedModels() ? fixedModelStats(run) : null;
            if (run.kind() == CostKind.NONE) {
                double sum = 0;
                double[] zero = new double[valQ.length];
                for (int i = 0; i < va.length; i++) {
                    int c = DecisionRule.choose(valQ, zero, i * m, m, 0, 1, null);
                    sum += run.quality()[va[i] * m + c];
                }
                validationScore = sum / va.length;
                if (fixed != null) { // without costs every mu routes alike: one point, mu = 0
                    policy = FixedModelPolicy.fit(new double[]{0}, new double[]{0}, new double[]{validationScore},
                            fixed, new double[m], run.scale());
                }
            } else {
                double[] valC = Matrices.clampMin(run.costTask().predictValidation(e.cost().validationPhase()), 0);
                CalibrationData cd = calibrationData(run, va, valQ, valC);
                BudgetCalibration cal = cd.calibrate(data.models(), run.prices(), run.scale(),
                        BudgetCalibration.defaultGrid());
                CostBounds bounds = costBounds(run, valC);
                b.calibration(cal).calibrationData(cd).costBounds(bounds);
                hyper.put("cost_bounds", bounds.describe());
                validationScore = validationArea(cal, run.trueCost(), m, va);
                if (fixed != null) {
                    double[] fixedCost = fixed.costUsd(data.models(), run.prices());
                    policy = FixedModelPolicy.fit(cal, fixed, fixedCost, run.scale());
                    hyper.put("policy_validation_area", validationArea(policy.calibration(cal, fixedCost),
                            run.trueCost(), m, va));
                }
            }
        }
        hyper.put(run.kind() == CostKind.NONE ? "validation_quality_at_mu0" : "validation_area", validationScore);
        if (policy != null) {
            b.policy(policy);
            hyper.put("policy", policy.describe(data.models()));
            LOG.info("{}: fixed models in the policy: {}", e.variant().id(), String.join("; ",
                    policy.describe(data.models())));
        }
        double heldOut = heldOutScore(run, e);
        hyper.put(run.kind() == CostKind.NONE ? "held_out_quality_at_mu0" : "held_out_area", heldOut);
        b.provenance(run.provenance().toBuilder()
                .variant(e.variant().id())
                .datasetSha256(data.provenance().contentSha256())
                .datasetSource(data.provenance().source())
                .costKind(run.kind().name().toLowerCase(Locale.ROOT))
                .nTrain(run.trv().length)
                .nValidation(va.length)
                .trainerConfig(config.describe())
                .hyperparameters(hyper)
                .build());
        RouterModel model = b.build();
        TestPredictions test = TestPredictions.of(Router.of(model, null), run.emb(), run.te());
        return new VariantResult(e.variant(), model, test.quality(), test.cost(), hyper, validationScore, heldOut);
    }

    /**
     * Each model's mean quality and cost (or tokens) over the training and validation prompts: what always calling it
     * scores and costs. No prediction is involved, so every labelled non-test prompt can be used.
     */
    private static FixedModelStats fixedModelStats(Run run) {
        RoutingDataset data = run.data();
        int m = data.modelCount();
        int[] rows = run.trv();
        double[] q = Matrices.columnMeans(run.quality(), m, rows);
        if (run.kind() == CostKind.TOKENS) {
            double[] in = new double[m];
            double[] out = new double[m];
            for (int r : rows) {
                for (int j = 0; j < m; j++) {
                    in[j] += data.inputTokens(r, j);
                    out[j] += data.outputTokens(r, j);
                }
            }
            for (int j = 0; j < m; j++) {
                in[j] /= rows.length;
                out[j] /= rows.length;
            }
            return FixedModelStats.ofTokens(rows.length, Matrices.clamp01(q), in, out);
        }
        return FixedModelStats.ofCosts(rows.length, Matrices.clamp01(q), run.kind() == CostKind.NONE ? new double[m]
                : Matrices.columnMeans(run.trueCost(), m, rows));
    }

    /**
     * Split-conformal upper bounds of the cost predictor's target (output tokens, or USD), from the validation
     * prompts: the predictions of the validation-phase cost predictor (the variant's own predictor fitted on the
     * training prompts only, clipped at 0 as the router clips it) against the realised values, per group of similar
     * prompts ({@link PromptGroups}, fitted on the training prompts). The router's final
     * predictor is refitted on train + validation; its errors on new prompts are no larger on the whole, so the
     * bounds hold at least as often (the test split measures it: {@code eval/cost_bounds.csv}).
     */
    private static CostBounds costBounds(Run run, double[] valC) {
        RoutingDataset data = run.data();
        int m = data.modelCount();
        int[] va = run.va();
        double[] actual = new double[va.length * m];
        for (int i = 0; i < va.length; i++) {
            for (int c = 0; c < m; c++) {
                actual[i * m + c] = run.kind() == CostKind.TOKENS ? data.outputTokens(va[i], c)
                        : run.trueCost()[va[i] * m + c];
            }
        }
        PromptGroups g = run.groups();
        return CostBounds.fit(run.kind() == CostKind.TOKENS ? CostBounds.Target.OUTPUT_TOKENS
                        : CostBounds.Target.COST_USD, valC, actual, va.length, m,
                g.centroidGroup().length == 0 ? 0 : g.dimension(), g.centroids(), g.centroidGroup(),
                g.groupsOf(run.emb().vectors(), va));
    }

    /**
     * The variant's score on the training prompts predicted out of fold together with the validation prompts (the
     * measure of {@link VariantResult#validationScore}), or NaN when one of its trainers cannot predict out of fold.
     */
    private static double heldOutScore(Run run, Export e) {
        FitTask qt = run.qualityTask();
        var oofQ = OutOfFold.of(e.variant().quality(), qt);
        var oofC = run.kind() == CostKind.NONE ? java.util.Optional.of(new double[0])
                : OutOfFold.of(e.variant().cost(), run.costTask());
        if (oofQ.isEmpty() || oofC.isEmpty()) {
            return Double.NaN;
        }
        int m = run.data().modelCount();
        int[] tr = qt.trainRows();
        int[] va = run.va();
        int[] rows = java.util.stream.IntStream.concat(java.util.Arrays.stream(tr), java.util.Arrays.stream(va))
                .toArray();
        double[] q = concat(oofQ.get(), va.length == 0 ? new double[0]
                : qt.predictValidation(e.quality().validationPhase()));
        q = Matrices.clamp01(q);
        if (run.kind() == CostKind.NONE) {
            double sum = 0;
            double[] zero = new double[q.length];
            for (int i = 0; i < rows.length; i++) {
                sum += run.quality()[rows[i] * m + DecisionRule.choose(q, zero, i * m, m, 0, 1, null)];
            }
            return sum / rows.length;
        }
        double[] c = concat(oofC.get(), va.length == 0 ? new double[0]
                : run.costTask().predictValidation(e.cost().validationPhase()));
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.max(c[i], 0);
        }
        CalibrationData cd = calibrationData(run, rows, q, c);
        BudgetCalibration cal = cd.calibrate(run.data().models(), run.prices(), run.scale(),
                BudgetCalibration.defaultGrid());
        return validationArea(cal, run.trueCost(), m, rows);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The predictions and outcomes of some rows (the validation rows: what the budget calibration is computed from,
     * and stored for new prices).
     */
    private static CalibrationData calibrationData(Run run, int[] va, double[] valQ, double[] valC) {
        RoutingDataset data = run.data();
        int m = data.modelCount();
        float[] pq = toFloat(valQ);
        float[] tq = toFloat(rows(run.quality(), m, va));
        if (run.kind() == CostKind.TOKENS) {
            float[] predIn = new float[va.length * m];
            float[] trueIn = new float[va.length * m];
            float[] trueOut = new float[va.length * m];
            for (int i = 0; i < va.length; i++) {
                for (int c = 0; c < m; c++) {
                    predIn[i * m + c] = (float) run.inModel().estimate(c, run.emb().tokens()[va[i]]);
                    trueIn[i * m + c] = data.inputTokens(va[i], c);
                    trueOut[i * m + c] = data.outputTokens(va[i], c);
                }
            }
            return CalibrationData.ofTokens(va.length, m, pq, tq, predIn, toFloat(valC), trueIn, trueOut);
        }
        return CalibrationData.ofCosts(va.length, m, pq, tq, toFloat(valC), toFloat(rows(run.trueCost(), m, va)));
    }

    /** Area under a curve between the cheapest and dearest single model's mean cost over {@code va}. */
    private static double validationArea(BudgetCalibration cal, double[] trueCost, int m, int[] va) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int c = 0; c < m; c++) {
            double s = 0;
            for (int r : va) {
                s += trueCost[r * m + c];
            }
            lo = Math.min(lo, s / va.length);
            hi = Math.max(hi, s / va.length);
        }
        return Metrics.area(cal.cost(), cal.quality(), lo, hi);
    }

    /** Per model: input tokens ~ a + b * encoder tokens, least squares on the training rows. */
    static InputTokenModel fitInputTokens(RoutingDataset data, int[] encTokens, int[] rows) {
        int m = data.modelCount();
        double[] a = new double[m];
        double[] b = new double[m];
        double[] mean = new double[m];
        double mx = 0;
        for (int r : rows) {
            mx += encTokens[r];
        }
        mx /= rows.length;
        for (int j = 0; j < m; j++) {
            double my = 0;
            for (int r : rows) {
                my += data.inputTokens(r, j);
            }
            my /= rows.length;
            double sxy = 0;
            double sxx = 0;
            for (int r : rows) {
                double dx = encTokens[r] - mx;
                sxy += dx * (data.inputTokens(r, j) - my);
                sxx += dx * dx;
            }
            b[j] = sxx > 0 ? sxy / sxx : 0;
            a[j] = my - b[j] * mx;
            mean[j] = my;
        }
        return new InputTokenModel(a, b, mean);
    }

    private double costScale(double[] cost, int[] rows, int m, CostKind kind) {
        if (!Double.isNaN(config.costScaleUsd())) {
            return config.costScaleUsd();
        }
        if (kind == CostKind.NONE) {
            return 1.0;
        }
        double best = 0;
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int r : rows) {
                s += cost[r * m + j];
            }
            best = Math.max(best, s / rows.length);
        }
        return best > 0 ? best : 1.0;
    }

    private static PriceTable restrict(PriceTable prices, List<String> models) {
        Map<String, PriceTable.Price> m = new LinkedHashMap<>();
        for (String name : models) {
            m.put(name, prices.require(name));
        }
        return PriceTable.of(m);
    }
}

package dev.carrot.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.PriceTable;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.PredictorSpec;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.TrainerConfig.Variant;
import dev.carrot.train.knn.KnnTuner;
import dev.carrot.train.knn.NeighbourLists;
import dev.carrot.train.linear.TribuoLinear;

import static dev.carrot.train.Matrices.rows;
import static dev.carrot.train.Matrices.toDouble;
import static dev.carrot.train.Matrices.toFloat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Trains CARROT routers: per model, a quality predictor and a cost predictor over prompt embeddings, with
 * hyperparameters chosen on training folds (KNN's k) and on the validation split (L2 penalties, blend weights), then
 * refitted on train + validation. Test prompts are never looked at here.
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
     * One trained variant: its exported model and its own predictions for the test prompts (computed here, by the
     * training code, so that the exported router can be checked against them).
     *
     * @param testQuality predicted quality, test rows x models
     * @param testCost    predicted cost in USD, test rows x models
     * @param hyper       chosen hyperparameters and validation scores
     * @param validationScore how good the variant is on validation (from models fitted on train only): the area
     *                    under its validation cost-quality curve when there are costs, else its validation quality
     *                    at mu = 0; NaN without validation prompts
     */
    public record VariantResult(Variant variant, RouterModel model, double[] testQuality, double[] testCost,
                                Map<String, Object> hyper, double validationScore) {
    }

    /**
     * The outcome of training.
     *
     * @param trainRows rows used to fit (train + validation), in dataset order
     * @param validationRows rows used to tune
     * @param testRows  rows held out for evaluation
     */
    public record Result(RoutingDataset data, CostKind costKind, int[] trainRows, int[] validationRows,
                         int[] testRows, double costScaleUsd, List<VariantResult> variants) {
        public VariantResult variant(Variant v) {
            return variants.stream().filter(r -> r.variant() == v).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("variant " + v.id() + " was not trained"));
        }
    }

    /**
     * Trains every configured variant.
     *
     * @param prices     prices for token-based costs (needed when the data has token counts and no costs should be
     *                   predicted directly); empty to use per-query costs or none
     * @param provenance extra provenance to store in each artifact (dataset, command line ...)
     */
    public Result train(RoutingDataset data, Embedded emb, Optional<PriceTable> prices, ObjectNode provenance) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(emb, "emb");
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
        int dim = emb.dimension();
        float[] x = emb.vectors();
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
        double[] costTarget = switch (kind) {
            case TOKENS -> toDouble(data.outputTokenMatrix());
            case DIRECT -> data.costMatrix();
            case NONE -> null;
        };
        double[] trueCost = kind == CostKind.NONE ? new double[data.size() * m] : kind == CostKind.TOKENS
                ? Matrices.pricedCosts(data, prices.get()) : data.costMatrix();
        double scale = costScale(trueCost, trv, m, kind);
        LOG.info("training on {} prompts (train {}, validation {}), testing on {}; {} models; cost: {}; cost scale {}"
                        + " USD", trv.length, tr.length, va.length, te.length, m, kind.name().toLowerCase(), scale);

        InputTokenModel inModel = kind == CostKind.TOKENS ? fitInputTokens(data, emb.tokens(), trv) : null;
        PriceTable priceTable = kind == CostKind.TOKENS ? restrict(prices.get(), data.models()) : null;

        boolean wantKnn = config.variants().contains(Variant.KNN) || config.variants().contains(Variant.BLEND);
        boolean wantLin = config.variants().contains(Variant.LOGISTIC) || config.variants().contains(Variant.BLEND);

        // ---------------------------------------------------------------- KNN
        Parts knn = null;
        if (wantKnn) {
            knn = trainKnn(x, dim, quality, costTarget, m, tr, va, trv, te);
        }
        // ---------------------------------------------------------------- logistic / linear
        Parts lin = null;
        if (wantLin) {
            lin = trainLinear(x, dim, quality, costTarget, data.models(), tr, va, trv, te);
        }

        List<VariantResult> results = new ArrayList<>();
        for (Variant v : new Variant[]{Variant.KNN, Variant.LOGISTIC, Variant.BLEND}) {
            if (!config.variants().contains(v)) {
                continue;
            }
            Parts p = switch (v) {
                case KNN -> knn;
                case LOGISTIC -> lin;
                case BLEND -> blend(knn, lin, quality, costTarget, m, va);
            };
            results.add(export(v, p, data, emb, kind, priceTable, inModel, scale, quality, trueCost, va, te,
                    provenance));
        }
        return new Result(data, kind, trv, va, te, scale, results);
    }

    // ======================================================================================== parts

    /**
     * The trained predictors of one variant with their predictions on validation (from a fit on train only) and on
     * test (from the final fit on train + validation).
     */
    private record Parts(PredictorSpec quality, PredictorSpec cost, double[] valQuality, double[] valCost,
                         double[] testQuality, double[] testCost, Map<String, Object> hyper) {
    }

    private Parts trainKnn(float[] x, int dim, double[] quality, double[] costTarget, int m, int[] tr, int[] va,
                           int[] trv, int[] te) {
        // the validation-phase k is tuned on train only, so validation stays unseen by everything it judges (blend
        // weights, the default router, the budget calibration); the final k is tuned on train + validation
        Tuned onTrain = va.length == 0 ? null : tuneKnn("train", x, dim, quality, costTarget, m, tr);
        Tuned onAll = tuneKnn("train + validation", x, dim, quality, costTarget, m, trv);
        if (onTrain == null) {
            onTrain = onAll;
        }
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put("quality_k", onAll.quality().k());
        hyper.put("quality_cv_r2", onAll.quality().bestScore());
        hyper.put("quality_cv_r2_by_k", byK(onAll.quality()));
        if (onAll.cost() != null) {
            hyper.put("cost_k", onAll.cost().k());
            hyper.put("cost_cv_r2", onAll.cost().bestScore());
            hyper.put("cost_cv_r2_by_k", byK(onAll.cost()));
        }
        if (va.length > 0) {
            hyper.put("validation_phase_quality_k", onTrain.quality().k());
            if (onTrain.cost() != null) {
                hyper.put("validation_phase_cost_k", onTrain.cost().k());
            }
        }
        // validation predictions from train only, test predictions from train + validation
        KnnIndex trIndex = KnnIndex.of(rows(x, dim, tr), dim);
        KnnIndex trvIndex = KnnIndex.of(rows(x, dim, trv), dim);
        int kq = onAll.quality().k();
        double[] valQ = knnPredict(trIndex, rows(quality, m, tr), m, onTrain.quality().k(), x, va);
        double[] testQ = knnPredict(trvIndex, rows(quality, m, trv), m, kq, x, te);
        double[] valC = null;
        double[] testC = null;
        PredictorSpec c = null;
        if (costTarget != null) {
            int kc = onAll.cost().k();
            valC = knnPredict(trIndex, rows(costTarget, m, tr), m, onTrain.cost().k(), x, va);
            testC = knnPredict(trvIndex, rows(costTarget, m, trv), m, kc, x, te);
            c = new PredictorSpec.Knn(kc, m, toFloat(rows(costTarget, m, trv)));
        }
        PredictorSpec q = new PredictorSpec.Knn(kq, m, toFloat(rows(quality, m, trv)));
        return new Parts(q, c, valQ, valC, testQ, testC, hyper);
    }

    /** The k chosen for quality and for cost (null without costs) by cross-validation on some rows. */
    private record Tuned(KnnTuner.Result quality, KnnTuner.Result cost) {
    }

    /**
     * Cross-validates k on {@code rows}: folds are contiguous blocks of the rows after a seeded shuffle (or in
     * dataset order when the configuration asks for it), the neighbour lists are computed once and every k and
     * target is scored from them.
     */
    private Tuned tuneKnn(String what, float[] x, int dim, double[] quality, double[] costTarget, int m, int[] rows) {
        int[] order = rows.clone();
        if (config.shuffleFolds()) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(config.seed());
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        int maxK = config.kGrid()[config.kGrid().length - 1];
        NeighbourLists lists;
        try (Progress p = Progress.start("KNN cross-validation on " + what, order.length)) {
            lists = NeighbourLists.compute(rows(x, dim, order), dim, config.folds(), maxK, config.threads(), p);
        }
        KnnTuner.Result kq = KnnTuner.tune(lists, rows(quality, m, order), m, config.kGrid());
        KnnTuner.Result kc = costTarget == null ? null : KnnTuner.tune(lists, rows(costTarget, m, order), m,
                config.kGrid());
        LOG.info("KNN on {}: quality k = {} (CV R^2 {}){}", what, kq.k(), round(kq.bestScore()), kc == null ? ""
                : ", cost k = " + kc.k() + " (CV R^2 " + round(kc.bestScore()) + ")");
        return new Tuned(kq, kc);
    }

    private static Map<String, Double> byK(KnnTuner.Result r) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < r.grid().length; i++) {
            out.put(String.valueOf(r.grid()[i]), r.scores()[i]);
        }
        return out;
    }

    /** KNN predictions for {@code queries} rows of {@code x}: the mean of the k nearest stored targets. */
    static double[] knnPredict(KnnIndex index, double[] targets, int m, int k, float[] x, int[] queries) {
        int dim = index.dimension();
        int kk = Math.min(k, index.size());
        double[] out = new double[queries.length * m];
        int[] nb = new int[kk];
        float[] q = new float[dim];
        for (int i = 0; i < queries.length; i++) {
            System.arraycopy(x, queries[i] * dim, q, 0, dim);
            index.search(q, kk, nb, null);
            for (int j = 0; j < kk; j++) {
                for (int c = 0; c < m; c++) {
                    out[i * m + c] += (float) targets[nb[j] * m + c];
                }
            }
            for (int c = 0; c < m; c++) {
                out[i * m + c] /= kk;
            }
        }
        return out;
    }

    private Parts trainLinear(float[] x, int dim, double[] quality, double[] costTarget, List<String> models,
                              int[] tr, int[] va, int[] trv, int[] te) {
        int m = models.size();
        String[] names = models.toArray(new String[0]);
        TribuoLinear.Options base = new TribuoLinear.Options(config.l2Grid()[0], config.learningRate(),
                config.epochs(), config.seed());
        Map<String, Object> hyper = new LinkedHashMap<>();
        // quality: logistic, L2 by validation log-loss
        double[] yq = rows(quality, m, va);
        Selected sq = selectL2("quality", "validation_logloss", hyper, va.length > 0,
                l2 -> TribuoLinear.logistic(x, dim, quality, m, tr, base.withL2(l2)),
                w -> logisticPredict(w, x, va), pred -> logLoss(pred, yq));
        TribuoLinear.Weights qw = TribuoLinear.logistic(x, dim, quality, m, trv, base.withL2(sq.l2()));
        double[] testQ = logisticPredict(qw, x, te);
        LOG.info("logistic: L2 = {}", sq.l2());
        // cost: linear regression, L2 by validation MSE on standardised targets
        TribuoLinear.Weights cw = null;
        double[] valC = null;
        double[] testC = null;
        if (costTarget != null) {
            double[] sd = columnSd(costTarget, m, tr);
            double[] yc = rows(costTarget, m, va);
            Selected sc = selectL2("cost", "validation_standardised_mse", hyper, va.length > 0,
                    l2 -> TribuoLinear.regression(x, dim, costTarget, m, tr, base.withL2(l2), names),
                    w -> linearPredict(w, x, va), pred -> mse(pred, yc, sd));
            cw = TribuoLinear.regression(x, dim, costTarget, m, trv, base.withL2(sc.l2()), names);
            valC = sc.validationPredictions();
            testC = linearPredict(cw, x, te);
            LOG.info("linear cost: L2 = {}", sc.l2());
        }
        PredictorSpec q = new PredictorSpec.Linear(m, dim, qw.weightsAsFloat(), qw.biasAsFloat(),
                PredictorSpec.Link.SIGMOID);
        PredictorSpec c = cw == null ? null : new PredictorSpec.Linear(m, dim, cw.weightsAsFloat(), cw.biasAsFloat(),
                PredictorSpec.Link.IDENTITY);
        return new Parts(q, c, sq.validationPredictions(), valC, testQ, testC, hyper);
    }

    /** The chosen L2 penalty and the validation predictions of the model fitted on train with it. */
    private record Selected(double l2, double[] validationPredictions) {
    }

    /**
     * Fits one model on train per L2 penalty of the grid and keeps the one with the lowest validation loss (the
     * middle of the grid, and no predictions, without validation prompts); records the losses in {@code hyper}.
     */
    private Selected selectL2(String what, String lossName, Map<String, Object> hyper, boolean haveValidation,
                              java.util.function.DoubleFunction<TribuoLinear.Weights> fit,
                              java.util.function.Function<TribuoLinear.Weights, double[]> predict,
                              java.util.function.ToDoubleFunction<double[]> loss) {
        double[] grid = config.l2Grid();
        if (!haveValidation) {
            return new Selected(grid[grid.length / 2], null);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        Selected chosen = null;
        for (double l2 : grid) {
            double[] pred = predict.apply(fit.apply(l2));
            double value = loss.applyAsDouble(pred);
            losses.put(String.valueOf(l2), value);
            if (chosen == null || value < best) {
                best = value;
                chosen = new Selected(l2, pred);
            }
        }
        hyper.put(what + "_l2", chosen.l2());
        hyper.put(what + "_" + lossName, best);
        hyper.put(what + "_" + lossName + "_by_l2", losses);
        return chosen;
    }

    static double[] logisticPredict(TribuoLinear.Weights w, float[] x, int[] rows) {
        int m = w.outputs();
        double[] out = new double[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < m; c++) {
                out[i * m + c] = 1.0 / (1.0 + Math.exp(-w.linear(c, x, rows[i])));
            }
        }
        return out;
    }

    static double[] linearPredict(TribuoLinear.Weights w, float[] x, int[] rows) {
        int m = w.outputs();
        double[] out = new double[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < m; c++) {
                out[i * m + c] = w.linear(c, x, rows[i]);
            }
        }
        return out;
    }

    private Parts blend(Parts knn, Parts lin, double[] quality, double[] costTarget, int m, int[] va) {
        Map<String, Object> hyper = new LinkedHashMap<>();
        double wq = 0.5;
        double wc = 0.5;
        if (va.length > 0) {
            double[] yq = rows(quality, m, va);
            wq = bestWeight(knn.valQuality(), lin.valQuality(), yq, null, hyper, "quality");
            if (costTarget != null) {
                double[] yc = rows(costTarget, m, va);
                wc = bestWeight(knn.valCost(), lin.valCost(), yc, columnSd(yc, m, null), hyper, "cost");
            }
        }
        LOG.info("blend: quality weight on KNN {}{}", wq, costTarget == null ? "" : ", cost weight on KNN " + wc);
        PredictorSpec q = new PredictorSpec.Blend(wq, knn.quality(), lin.quality());
        PredictorSpec c = costTarget == null ? null : new PredictorSpec.Blend(wc, knn.cost(), lin.cost());
        return new Parts(q, c, mix(wq, knn.valQuality(), lin.valQuality()),
                costTarget == null ? null : mix(wc, knn.valCost(), lin.valCost()),
                mix(wq, knn.testQuality(), lin.testQuality()),
                costTarget == null ? null : mix(wc, knn.testCost(), lin.testCost()), hyper);
    }

    /** The blend weight on {@code a} minimising validation squared error (standardised by {@code sd} if given). */
    private double bestWeight(double[] a, double[] b, double[] y, double[] sd, Map<String, Object> hyper, String what) {
        int m = sd == null ? 0 : sd.length;
        double best = Double.POSITIVE_INFINITY;
        double bestW = 0.5;
        for (int s = 0; s <= config.blendSteps(); s++) {
            double w = (double) s / config.blendSteps();
            double err = 0;
            for (int i = 0; i < y.length; i++) {
                double e = (w * a[i] + (1 - w) * b[i] - y[i]) / (sd == null ? 1 : sd[i % m]);
                err += e * e;
            }
            err /= y.length;
            if (err < best - 1e-15) {
                best = err;
                bestW = w;
            }
        }
        hyper.put(what + "_weight_on_knn", bestW);
        hyper.put(what + "_validation_mse", best);
        hyper.put(what + "_validation_mse_knn_only", mse(a, y, sd));
        hyper.put(what + "_validation_mse_linear_only", mse(b, y, sd));
        return bestW;
    }

    private static double mse(double[] p, double[] y, double[] sd) {
        int m = sd == null ? 0 : sd.length;
        double err = 0;
        for (int i = 0; i < y.length; i++) {
            double e = (p[i] - y[i]) / (sd == null ? 1 : sd[i % m]);
            err += e * e;
        }
        return err / y.length;
    }

    private static double[] mix(double w, double[] a, double[] b) {
        if (a == null || b == null) {
            return null;
        }
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = w * a[i] + (1 - w) * b[i];
        }
        return out;
    }

    // ======================================================================================== export

    private VariantResult export(Variant v, Parts p, RoutingDataset data, Embedded emb, CostKind kind,
                                 PriceTable prices, InputTokenModel inModel, double scale, double[] quality,
                                 double[] trueCost, int[] va, int[] te, ObjectNode provenance) {
        int m = data.modelCount();
        int[] trv = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        CostModel cost = switch (kind) {
            case TOKENS -> new CostModel.Tokens(inModel, p.cost());
            case DIRECT -> new CostModel.Direct(p.cost());
            case NONE -> new CostModel.None();
        };
        RouterModel.Builder b = RouterModel.builder().models(data.models()).encoder(emb.encoder()).prices(prices)
                .cost(cost).quality(p.quality()).costScaleUsd(scale);
        if (p.quality().maxK() > 0 || (p.cost() != null && p.cost().maxK() > 0)) {
            b.knnEmbeddings(rows(emb.vectors(), emb.dimension(), trv));
        }
        // test predictions: cost in USD (tokens are priced; input tokens estimated like the router does)
        double[] testCost = kind == CostKind.NONE ? new double[te.length * m]
                : kind == CostKind.DIRECT ? clampMin(p.testCost(), 0)
                : priced(prices, data.models(), inModel, emb.tokens(), te, clampMin(p.testCost(), 0));
        double[] testQuality = clamp01(p.testQuality());
        // budget calibration on validation
        double validationScore = Double.NaN;
        if (va.length > 0 && kind == CostKind.NONE) {
            double[] valQ = p.valQuality();
            double sum = 0;
            double[] zero = new double[valQ.length];
            for (int i = 0; i < va.length; i++) {
                int c = dev.carrot.route.model.DecisionRule.choose(valQ, zero, i * m, m, 0, 1, null);
                sum += quality[va[i] * m + c];
            }
            validationScore = sum / va.length;
        }
        if (va.length > 0 && kind != CostKind.NONE) {
            BudgetCalibration cal;
            double[] valQ = clamp01(p.valQuality());
            float[] pq = toFloat(valQ);
            float[] tq = toFloat(rows(quality, m, va));
            CalibrationData cd;
            if (kind == CostKind.TOKENS) {
                float[] predIn = new float[va.length * m];
                float[] trueIn = new float[va.length * m];
                float[] trueOut = new float[va.length * m];
                for (int i = 0; i < va.length; i++) {
                    for (int c = 0; c < m; c++) {
                        predIn[i * m + c] = (float) inModel.estimate(c, emb.tokens()[va[i]]);
                        trueIn[i * m + c] = data.inputTokens(va[i], c);
                        trueOut[i * m + c] = data.outputTokens(va[i], c);
                    }
                }
                cd = CalibrationData.ofTokens(va.length, m, pq, tq, predIn, toFloat(clampMin(p.valCost(), 0)),
                        trueIn, trueOut);
                cal = cd.calibrate(data.models(), prices, scale, BudgetCalibration.defaultGrid());
            } else {
                cd = CalibrationData.ofCosts(va.length, m, pq, tq, toFloat(clampMin(p.valCost(), 0)),
                        toFloat(rows(trueCost, m, va)));
                cal = cd.calibrate(data.models(), null, scale, BudgetCalibration.defaultGrid());
            }
            b.calibration(cal).calibrationData(cd);
            validationScore = validationArea(cal, trueCost, m, va);
        }
        ObjectNode prov = provenance == null ? new ObjectMapper().createObjectNode() : provenance.deepCopy();
        prov.put("variant", v.id());
        prov.put("dataset_sha256", data.provenance().contentSha256());
        prov.put("dataset_source", data.provenance().source());
        prov.put("cost_kind", kind.name().toLowerCase());
        prov.put("n_train", trv.length);
        prov.put("n_validation", va.length);
        prov.set("trainer_config", new ObjectMapper().valueToTree(config.describe()));
        Map<String, Object> hyper = new LinkedHashMap<>(p.hyper());
        hyper.put(kind == CostKind.NONE ? "validation_quality_at_mu0" : "validation_area", validationScore);
        prov.set("hyperparameters", new ObjectMapper().valueToTree(hyper));
        b.provenance(prov);
        return new VariantResult(v, b.build(), testQuality, testCost, hyper, validationScore);
    }

    /** Area under the validation curve between the cheapest and dearest single model's validation cost. */
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
        return dev.carrot.train.eval.Metrics.area(cal.cost(), cal.quality(), lo, hi);
    }

    private static double[] priced(PriceTable prices, List<String> models, InputTokenModel in, int[] tokens, int[] rows,
                                   double[] outTokens) {
        int m = models.size();
        double[] c = new double[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < m; j++) {
                PriceTable.Price p = prices.require(models.get(j));
                c[i * m + j] = p.cost(in.estimate(j, tokens[rows[i]]), outTokens[i * m + j]);
            }
        }
        return c;
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

    // ======================================================================================== small helpers

    static double logLoss(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(1 - 1e-12, Math.max(1e-12, p[i]));
            s -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
        }
        return s / p.length;
    }

    /** Per-column standard deviation over {@code rows} (all rows when null); 1 where it is 0. */
    static double[] columnSd(double[] a, int m, int[] rows) {
        int n = rows == null ? a.length / m : rows.length;
        double[] mean = new double[m];
        double[] sd = new double[m];
        for (int i = 0; i < n; i++) {
            int r = rows == null ? i : rows[i];
            for (int j = 0; j < m; j++) {
                mean[j] += a[r * m + j];
            }
        }
        for (int j = 0; j < m; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            int r = rows == null ? i : rows[i];
            for (int j = 0; j < m; j++) {
                double d = a[r * m + j] - mean[j];
                sd[j] += d * d;
            }
        }
        for (int j = 0; j < m; j++) {
            sd[j] = Math.sqrt(sd[j] / n);
            if (sd[j] == 0) {
                sd[j] = 1;
            }
        }
        return sd;
    }

    private static double[] clamp01(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.min(1, Math.max(0, a[i]));
        }
        return out;
    }

    private static double[] clampMin(double[] a, double min) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.max(min, a[i]);
        }
        return out;
    }

    private static String round(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

}

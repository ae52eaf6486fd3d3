package dev.carrot.train.add;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.BlendPredictor;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.InputTokens;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;
import dev.carrot.route.model.TokenizerInputTokens;
import dev.carrot.train.Embedded;
import dev.carrot.train.Matrices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Adds a model to a trained router from a few dozen to a few hundred prompts the new model answered and was scored
 * on, without the other models' data being scored again: {@code carrot add-model}.
 *
 * <p>Every predictor of the router gets an output for the new model, by kind:
 * <ul>
 *   <li><b>knn</b>: the stored prompts' targets get a column for the new model ({@link KnnColumn}): a regression of
 *       its labels on the existing models' stored values on the same prompts (the structure across models: a
 *       prompt x model matrix completed through each prompt's profile), plus a local correction of what that
 *       misses, and the labels themselves where they exist. Needs labels on prompts the router stores (its
 *       training prompts, recognised by their embeddings);</li>
 *   <li><b>linear</b> (logistic or linear regression on the embedding): a weight vector fitted with a Gaussian prior
 *       centred on a combination of the existing models' weights ({@link LinearColumn}); any prompts serve;</li>
 *   <li><b>blend</b>: each part extended, the weight kept;</li>
 *   <li>anything else (for example {@code onnx-text}, CARROT's published text models) is refused before any work:
 *       retrain with {@code carrot train}.</li>
 * </ul>
 * Input tokens, for token-priced routers, get the new model's line fitted on its labelled prompts. The budget
 * calibration needs every model's outcomes on common prompts: it is recomputed on the labelled prompts that the
 * router stores (whose other models' outcomes are the KNN predictors' stored targets), each predicted by the router
 * extended without it (K-fold cross-fitting), or dropped with a warning saying why. The cost scale, KNN's k, the
 * blend weights and the other models' outputs stay as they are. The new router's provenance keeps the original's and
 * appends an entry to {@code added_models}.
 */
public final class ModelAddition {
    private static final Logger LOG = LoggerFactory.getLogger(ModelAddition.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the new model's outputs are fitted: {@link #FULL} is the method; the others are ablations for the
     * leave-one-model-out experiment.
     */
    public enum Method {
        /** Across models (the prior from the existing models) and the new model's own signal. */
        FULL,
        /** Only the combination of the existing models (KNN: no local correction; linear: no own deviation). */
        ACROSS_MODELS_ONLY,
        /** KNN quality by the item-response model alone (and the local correction), no profile regression. */
        ITEM_RESPONSE,
        /** KNN quality by the profile regression centred on the average model, not on the item-response model. */
        PROFILE_REGRESSION,
        /** Only the new model's labels (KNN: their mean and local correction; linear: a prior centred on 0). */
        LABELS_ONLY
    }

    /**
     * @param seed             seed of the cross-validation and cross-fitting folds
     * @param folds            folds of the cross-validation of linear parts and of the calibration's cross-fitting
     * @param calibrate        recompute the budget calibration when the data allows it (false: drop it)
     * @param minLabelled      fewest labelled prompts (for KNN parts: labelled prompts the router stores)
     * @param minCalibration   fewest labelled stored prompts to recompute the budget calibration on
     * @param matchSimilarity  a labelled prompt is a stored prompt when their embeddings' cosine similarity is at
     *                         least this (the same text embeds to the same vector, within float rounding)
     * @param method           {@link Method#FULL}, or an ablation
     */
    public record Options(long seed, int folds, boolean calibrate, int minLabelled, int minCalibration,
                          double matchSimilarity, Method method) {
        public Options {
            java.util.Objects.requireNonNull(method, "method");
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, got " + folds);
            }
            if (minLabelled < 3) {
                throw new IllegalArgumentException("minLabelled must be >= 3, got " + minLabelled);
            }
            if (minCalibration < folds) {
                throw new IllegalArgumentException("minCalibration must be >= folds (" + folds + "), got "
                        + minCalibration);
            }
            if (!(matchSimilarity > 0.99 && matchSimilarity <= 1)) {
                throw new IllegalArgumentException("matchSimilarity must be in (0.99, 1], got " + matchSimilarity);
            }
        }

        /** Seed 42, 5 folds, calibration on, at least 10 labelled prompts and 30 for a calibration, cosine >= 1 - 1e-6. */
        public static Options defaults() {
            return new Options(42, 5, true, 10, 30, 1 - 1e-6, Method.FULL);
        }

        public Options withSeed(long s) {
            return new Options(s, folds, calibrate, minLabelled, minCalibration, matchSimilarity, method);
        }

        public Options withCalibrate(boolean c) {
            return new Options(seed, folds, c, minLabelled, minCalibration, matchSimilarity, method);
        }

        public Options withMethod(Method m) {
            return new Options(seed, folds, calibrate, minLabelled, minCalibration, matchSimilarity, m);
        }
    }

    /**
     * The router with the new model.
     *
     * @param model    the new router (the new model last)
     * @param report   what was done, as recorded in the provenance's {@code added_models} entry
     * @param warnings what the user should know (a dropped calibration, prompts that could not be used ...)
     */
    public record Result(RouterModel model, Map<String, Object> report, List<String> warnings) {
        public Result {
            Objects.requireNonNull(model, "model");
            report = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(report));
            warnings = List.copyOf(warnings);
        }
    }

    private enum Target {
        QUALITY, OUTPUT_TOKENS, COST
    }

    private final Options options;

    public ModelAddition(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Checks, before any work, that every predictor of {@code router} can be extended.
     *
     * @throws IllegalArgumentException naming the predictor that cannot, and what to do instead
     */
    public static void checkExtensible(RouterModel router) {
        Objects.requireNonNull(router, "router");
        if (router.textOnly()) {
            throw new IllegalArgumentException("this router routes prompt text with its own text models ("
                    + String.join("; ", router.describe()) + "), which add-model cannot extend: add-model extends"
                    + " knn, linear and blend predictors over prompt embeddings; train a router on data with the new"
                    + " model instead (carrot train)");
        }
        for (Predictor p : router.predictors()) {
            checkKind(p, p);
        }
        if (router.cost() instanceof CostModel.Tokens t && !(t.inputTokens() instanceof InputTokenModel)
                && !(t.inputTokens() instanceof TokenizerInputTokens)) {
            throw new IllegalArgumentException("unknown input-token model " + t.inputTokens().kind());
        }
    }

    private static void checkKind(Predictor p, Predictor top) {
        if (p instanceof BlendPredictor b) {
            checkKind(b.first(), top);
            checkKind(b.second(), top);
        } else if (!(p instanceof KnnPredictor) && !(p instanceof LinearPredictor)) {
            throw new IllegalArgumentException("add-model cannot extend a predictor of kind '" + p.kind() + "' ("
                    + top.describe() + "): it extends knn, linear and blend predictors; train a router on data with the"
                    + " new model instead (carrot train)");
        }
    }

    /**
     * Adds the model whose labelled prompts are {@code data} (one model) to {@code router}.
     *
     * @param data    the new model's prompts, scores and (as the router's cost model needs) output tokens, input
     *                tokens or costs; its only model is the new model's name
     * @param emb     the prompts of {@code data} embedded with the router's encoder (token counts when the router
     *                prices tokens)
     * @param price   the new model's price, required when the router prices tokens
     * @param entry   fields to record in the provenance entry (the command line, the data's source and hashes)
     * @param created when, for the provenance
     * @throws IllegalArgumentException on input that does not fit the router, naming what and how to fix it
     */
    public Result add(RouterModel router, RoutingDataset data, Embedded emb, Optional<PriceTable.Price> price,
                      Map<String, ?> entry, Instant created) {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(emb, "emb");
        Objects.requireNonNull(price, "price");
        checkExtensible(router);
        String name = check(router, data, emb, price);
        List<String> warnings = new ArrayList<>();
        Labels labels = labels(router, data, emb, name);
        int stored = labels.storedRows().length;
        int matchedPrompts = 0;
        for (int[] m : labels.matched()) {
            matchedPrompts += m.length > 0 ? 1 : 0;
        }
        boolean knn = router.knnIndex().isPresent();
        if (knn && stored < options.minLabelled()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "only %d of the %d prompts of %s are prompts"
                    + " this router stores (its training prompts, %d of them); a KNN router completes its stored"
                    + " prompts' values for the new model from the new model's scores on them, and needs at least %d:"
                    + " score the new model on prompts of the router's training data", matchedPrompts, data.size(),
                    data.provenance().source(), router.knnRows(), options.minLabelled()));
        }
        if (data.size() < options.minLabelled()) {
            throw new IllegalArgumentException("the new model has " + data.size() + " labelled prompts; at least "
                    + options.minLabelled() + " are needed");
        }
        if (knn && matchedPrompts < data.size()) {
            warnings.add(String.format(Locale.ROOT, "%d of the %d labelled prompts are not prompts the router stores:"
                    + " the KNN predictors use the %d that are%s", data.size() - matchedPrompts, data.size(),
                    matchedPrompts, hasLinear(router) ? " (the linear ones use all)" : ""));
        }

        Extended ext = extend(router, labels, price, warnings);
        if (router.policy().isPresent()) {
            warnings.add("the router's fixed-model policy (single models beside the router's frontier) is dropped: its"
                    + " statistics were measured on validation prompts without the new model");
        }
        if (router.costBounds().isPresent()) {
            warnings.add("the router's cost bounds (split-conformal, for caps at a confidence) are dropped: they were"
                    + " calibrated on validation prompts without the new model's costs; cap the predicted cost instead");
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", name);
        report.put("carrot_version", CarrotVersion.VERSION);
        report.put("created", created.toString());
        report.putAll(entry);
        report.put("labelled_prompts", data.size());
        if (knn) {
            report.put("labelled_stored_prompts", stored);
            report.put("labelled_prompts_matching_stored", matchedPrompts);
        }
        report.put("fits", ext.fits());
        price.ifPresent(p -> report.put("price_usd_per_million_tokens", Map.of("input", p.inputPerMillion(),
                "output", p.outputPerMillion())));

        RouterModel.Builder b = ext.model().toBuilder();
        Map<String, Object> cal = new LinkedHashMap<>();
        Optional<String> obstacle = calibrationObstacle(router, stored);
        if (obstacle.isEmpty()) {
            Calibrated c = calibrate(router, labels, ext.model(), price);
            b.calibration(c.calibration()).calibrationData(c.data());
            cal.put("recomputed", true);
            cal.put("prompts", c.data().rows());
            cal.put("how", options.folds() + "-fold cross-fitted: each labelled stored prompt predicted by the router"
                    + " extended without it; other models' outcomes from the stored targets");
            if (router.calibration().isPresent()) {
                warnings.add(String.format(Locale.ROOT, "the budget calibration was recomputed on %d labelled prompts"
                        + " (the original used %s validation prompts)", c.data().rows(), router.calibrationData()
                        .map(d -> String.valueOf(d.rows())).orElse("its")));
            }
        } else {
            cal.put("recomputed", false);
            cal.put("reason", obstacle.get());
            if (router.calibration().isPresent() && options.calibrate()) {
                warnings.add("the budget calibration is dropped: " + obstacle.get() + "; route with mu, not a budget,"
                        + " or retrain");
            }
        }
        report.put("budget_calibration", cal);
        report.put("warnings", warnings);

        com.fasterxml.jackson.databind.node.ArrayNode added = JSON.createArrayNode();
        router.provenance().get("added_models").ifPresent(a -> {
            if (a.isArray()) {
                a.forEach(added::add);
            }
        });
        added.add(JSON.valueToTree(report));
        b.provenance(router.provenance().toBuilder().put("added_models", added).build());
        RouterModel model = b.build();
        for (String w : warnings) {
            LOG.warn(w);
        }
        return new Result(model, report, warnings);
    }

    private static boolean hasLinear(RouterModel router) {
        java.util.ArrayDeque<Predictor> todo = new java.util.ArrayDeque<>(router.predictors());
        while (!todo.isEmpty()) {
            Predictor p = todo.pop();
            if (p instanceof LinearPredictor) {
                return true;
            }
            todo.addAll(p.parts());
        }
        return false;
    }

    /** Validates the data against the router; returns the new model's name. */
    private static String check(RouterModel router, RoutingDataset data, Embedded emb, Optional<PriceTable.Price> price) {
        String src = data.provenance().source();
        if (data.modelCount() != 1) {
            throw new IllegalArgumentException(src + " has rows for " + data.modelCount() + " models " + data.models()
                    + "; add-model takes the rows of one new model");
        }
        String name = data.models().get(0);
        if (router.models().contains(name)) {
            throw new IllegalArgumentException("model '" + name + "' is already in the router (models: "
                    + router.models() + "); give the new model another name, or retrain to replace it");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException(src + " has no prompts with a score for " + name);
        }
        if (emb.rows() != data.size()) {
            throw new IllegalArgumentException("embeddings have " + emb.rows() + " rows, the data " + data.size());
        }
        try {
            emb.encoder().requireCompatibleWith(router.encoder());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the new model's prompts were embedded with another encoder than the"
                    + " router's: " + e.getMessage(), e);
        }
        CostModel cost = router.cost();
        if (cost instanceof CostModel.Tokens t) {
            if (!data.hasOutputTokens()) {
                throw new IllegalArgumentException(src + " has no output_tokens column: this router prices tokens"
                        + " and predicts each model's output tokens; give the new model's output_tokens");
            }
            if (price.isEmpty()) {
                throw new IllegalArgumentException("this router prices tokens: give the new model's price (--prices"
                        + " FILE with an entry for '" + name + "', or --prices INPUT,OUTPUT in USD per 1M tokens)");
            }
            if (t.inputTokens() instanceof InputTokenModel && emb.tokens() == null) {
                throw new IllegalArgumentException("the router estimates input tokens from the encoder's token count:"
                        + " the prompts' word pieces must be counted");
            }
        } else if (cost instanceof CostModel.Direct) {
            if (!data.hasCost()) {
                throw new IllegalArgumentException(src + " has no cost_usd column: this router predicts each model's"
                        + " cost per query in USD; give the new model's cost_usd");
            }
        }
        if (router.prices().isPresent() && price.isEmpty()) {
            throw new IllegalArgumentException("this router has a price table: give the new model's price (--prices)");
        }
        return name;
    }

    /** The labelled prompts, matched to the router's stored prompts by embedding. */
    private Labels labels(RouterModel router, RoutingDataset data, Embedded emb, String name) {
        int n = data.size();
        int d = emb.dimension();
        int[][] matched = new int[n][];
        Optional<KnnIndex> store = router.knnIndex();
        float[] q = new float[d];
        for (int i = 0; i < n; i++) {
            if (store.isEmpty()) {
                matched[i] = new int[0];
                continue;
            }
            System.arraycopy(emb.vectors(), i * d, q, 0, d);
            // every stored row at the matching similarity: prompts behind one long shared prefix share one
            // embedding, and a group of them is matched whole (not the first few the search returns)
            int want = 16;
            while (true) {
                int[] idx = new int[want];
                float[] sim = new float[want];
                int c = store.get().search(q, want, idx, sim);
                int k = 0;
                while (k < c && sim[k] >= options.matchSimilarity()) {
                    k++;
                }
                if (k < c || c < want || want >= store.get().size()) {
                    matched[i] = java.util.Arrays.copyOf(idx, k);
                    break;
                }
                want = Math.min(store.get().size(), want * 4);
            }
        }
        double[] quality = new double[n];
        double[] out = data.hasOutputTokens() ? new double[n] : null;
        double[] in = data.hasInputTokens() ? new double[n] : null;
        double[] cost = data.hasCost() ? new double[n] : null;
        for (int i = 0; i < n; i++) {
            quality[i] = data.quality(i, 0);
            if (out != null) {
                out[i] = data.outputTokens(i, 0);
            }
            if (in != null) {
                in[i] = data.inputTokens(i, 0);
            }
            if (cost != null) {
                cost[i] = data.cost(i, 0);
            }
        }
        return new Labels(name, d, emb.vectors(), emb.tokens(), quality, out, in, cost, matched);
    }

    /** The router with the new model, without a budget calibration, and the fits' reports by predictor path. */
    private record Extended(RouterModel model, Map<String, Object> fits) {
    }

    private Extended extend(RouterModel base, Labels labels, Optional<PriceTable.Price> price, List<String> warnings) {
        List<String> models = new ArrayList<>(base.models());
        models.add(labels.model());
        Map<String, Object> fits = new LinkedHashMap<>();
        Predictor quality = extend(base, base.quality(), Target.QUALITY, labels, "quality", fits);
        CostModel cost = base.cost();
        CostModel newCost;
        if (cost instanceof CostModel.Tokens t) {
            newCost = new CostModel.Tokens(extendInput(t.inputTokens(), labels, fits, warnings),
                    extend(base, t.outputTokens(), Target.OUTPUT_TOKENS, labels, "cost.output_tokens", fits));
        } else if (cost instanceof CostModel.Direct dc) {
            newCost = new CostModel.Direct(extend(base, dc.costUsd(), Target.COST, labels, "cost.cost_usd", fits));
        } else {
            newCost = cost;
        }
        // the split-conformal cost bounds were calibrated on validation prompts the new model has no outcomes on:
        // they are dropped, not extended (a cap at a confidence then fails with the message that there are none)
        RouterModel.Builder b = base.toBuilder().models(models).quality(quality).cost(newCost).calibration(null)
                .calibrationData(null).costBounds(null).policy(null);
        if (base.prices().isPresent()) {
            b.prices(base.prices().get().with(labels.model(), price.orElseThrow()));
        }
        return new Extended(b.build(), fits);
    }

    private Predictor extend(RouterModel base, Predictor p, Target target, Labels labels, String path,
                             Map<String, Object> fits) {
        if (p instanceof BlendPredictor b) {
            return new BlendPredictor(b.weight(), extend(base, b.first(), target, labels, path + ".first", fits),
                    extend(base, b.second(), target, labels, path + ".second", fits));
        }
        int m = p.outputs();
        double[] values = switch (target) {
            case QUALITY -> labels.quality();
            case OUTPUT_TOKENS -> labels.outTokens();
            case COST -> labels.cost();
        };
        if (p instanceof KnnPredictor k) {
            int[] rows = labels.storedRows();
            if (rows.length < options.minLabelled()) {
                throw new IllegalArgumentException("only " + rows.length + " labelled prompts are prompts the router"
                        + " stores; the KNN predictor needs at least " + options.minLabelled());
            }
            KnnColumn.Column col = KnnColumn.impute(base.knnIndex().orElseThrow(), k.targets(), base.models(), rows,
                    labels.storedValues(values), labels.matched(), values, target == Target.QUALITY,
                    options.method(), options.folds(), options.seed());
            fits.put(path, col.report());
            return new KnnPredictor(k.k(), m + 1, appendColumn(k.targets(), m, col.values()));
        }
        if (p instanceof LinearPredictor l) {
            LinearColumn.Row row = LinearColumn.fit(l, base.models(), labels.x(), values, options.folds(),
                    options.seed(), options.method());
            fits.put(path, row.report());
            float[] w = java.util.Arrays.copyOf(l.weights(), (m + 1) * l.dimension());
            System.arraycopy(row.weights(), 0, w, m * l.dimension(), l.dimension());
            float[] bias = java.util.Arrays.copyOf(l.bias(), m + 1);
            bias[m] = row.bias();
            return new LinearPredictor(m + 1, l.dimension(), w, bias, l.link());
        }
        throw new IllegalStateException("unchecked predictor kind " + p.kind()); // checkExtensible refused it
    }

    private static float[] appendColumn(float[] targets, int m, float[] column) {
        int rows = column.length;
        float[] out = new float[rows * (m + 1)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(targets, r * m, out, r * (m + 1), m);
            out[r * (m + 1) + m] = column[r];
        }
        return out;
    }

    private static InputTokens extendInput(InputTokens in, Labels labels, Map<String, Object> fits,
                                           List<String> warnings) {
        int m = in.models();
        if (in instanceof TokenizerInputTokens tok) {
            fits.put("cost.input_tokens", Map.of("method", "counted with the router's tokenizer " + tok.name()));
            return new TokenizerInputTokens(m + 1, tok.name(), tok.tokenizerJson());
        }
        InputTokenModel lin = (InputTokenModel) in;
        double[] a = java.util.Arrays.copyOf(lin.intercept(), m + 1);
        double[] b = java.util.Arrays.copyOf(lin.slope(), m + 1);
        double[] f = java.util.Arrays.copyOf(lin.fallback(), m + 1);
        Map<String, Object> report = new LinkedHashMap<>();
        if (labels.inTokens() != null && labels.tokens() != null) {
            int n = labels.size();
            double mx = 0;
            double my = 0;
            for (int i = 0; i < n; i++) {
                mx += labels.tokens()[i] / (double) n;
                my += labels.inTokens()[i] / n;
            }
            double sxy = 0;
            double sxx = 0;
            for (int i = 0; i < n; i++) {
                double dx = labels.tokens()[i] - mx;
                sxy += dx * (labels.inTokens()[i] - my);
                sxx += dx * dx;
            }
            b[m] = sxx > 0 ? sxy / sxx : 0;
            a[m] = my - b[m] * mx;
            f[m] = my;
            report.put("method", "least squares on the labelled prompts' input_tokens");
        } else {
            for (int j = 0; j < m; j++) {
                a[m] += a[j] / m;
                b[m] += b[j] / m;
                f[m] += f[j] / m;
            }
            report.put("method", "the existing models' mean line (the data has no input_tokens)");
            warnings.add("the data has no input_tokens: the new model's input tokens are estimated with the existing"
                    + " models' mean line");
        }
        report.put("intercept", a[m]);
        report.put("slope", b[m]);
        report.put("fallback", f[m]);
        fits.put("cost.input_tokens", report);
        return new InputTokenModel(a, b, f);
    }

    // ================================================================================================ calibration

    /** Why the budget calibration cannot be recomputed, or empty when it can. */
    private Optional<String> calibrationObstacle(RouterModel router, int storedLabelled) {
        if (!options.calibrate()) {
            return Optional.of("not asked for (no calibration)");
        }
        if (router.cost() instanceof CostModel.None) {
            return Optional.of("the router has no costs");
        }
        if (firstKnn(router.quality()).isEmpty() || firstKnn(router.cost().predictors().values().iterator().next())
                .isEmpty()) {
            return Optional.of("it needs every model's outcomes on common prompts, and only a router with KNN quality"
                    + " and cost predictors keeps the existing models' outcomes (on its stored prompts)");
        }
        if (storedLabelled < options.minCalibration()) {
            return Optional.of("only " + storedLabelled + " labelled prompts are prompts the router stores; at least "
                    + options.minCalibration() + " are needed to recompute it");
        }
        return Optional.empty();
    }

    private static Optional<KnnPredictor> firstKnn(Predictor p) {
        if (p instanceof KnnPredictor k) {
            return Optional.of(k);
        }
        for (Predictor part : p.parts()) {
            Optional<KnnPredictor> k = firstKnn(part);
            if (k.isPresent()) {
                return k;
            }
        }
        return Optional.empty();
    }

    private record Calibrated(BudgetCalibration calibration, CalibrationData data) {
    }

    /**
     * The calibration on the labelled stored prompts: folds of them are held out in turn, the router without them
     * (its stored prompts and the new model's labels) is extended and predicts them; outcomes are the new model's
     * labels and the other models' stored targets.
     */
    private Calibrated calibrate(RouterModel base, Labels labels, RouterModel extended,
                                 Optional<PriceTable.Price> price) {
        int[] rows = labels.storedRows();
        int n = rows.length;
        int m = base.models().size();
        int mm = m + 1;
        KnnIndex store = base.knnIndex().orElseThrow();
        int dim = store.dimension();
        boolean tokens = base.cost().pricesTokens();
        float[] trueQ0 = firstKnn(base.quality()).orElseThrow().targets();
        float[] trueC0 = firstKnn(base.cost().predictors().values().iterator().next()).orElseThrow().targets();
        double[] newQ = labels.storedValues(labels.quality());
        double[] newC = labels.storedValues(tokens ? labels.outTokens() : labels.cost());
        double[] newIn = tokens && labels.inTokens() != null ? labels.storedValues(labels.inTokens()) : null;

        float[] pq = new float[n * mm];
        float[] tq = new float[n * mm];
        float[] pc = new float[n * mm];
        float[] tc = new float[n * mm];
        float[] pin = tokens ? new float[n * mm] : null;
        float[] tin = tokens ? new float[n * mm] : null;
        int[] fold = CrossModelFit.folds(n, options.folds(), options.seed() + 2);
        float[] x = new float[dim];
        for (int h = 0; h < Math.min(options.folds(), n); h++) {
            int[] held = CrossModelFit.rows(fold, h, true);
            boolean[] out = new boolean[store.size()];
            for (int i : held) {
                out[rows[i]] = true;
            }
            int[] newIndex = new int[store.size()];
            int[] keep = new int[store.size() - held.length];
            int c = 0;
            for (int r = 0; r < store.size(); r++) {
                newIndex[r] = out[r] ? -1 : c;
                if (!out[r]) {
                    keep[c++] = r;
                }
            }
            RouterModel reduced = restrict(base, keep);
            Extended ext = extend(reduced, labels.restrict(newIndex), price, new ArrayList<>());
            Router router = Router.of(ext.model(), null);
            for (int i : held) {
                int r = rows[i];
                store.row(r, x);
                int prompt = labels.promptOf(r);
                int t = labels.tokens() == null ? -1 : labels.tokens()[prompt];
                Router.Prediction p = router.predict(x, t);
                for (int j = 0; j < mm; j++) {
                    int cell = i * mm + j;
                    pq[cell] = (float) p.quality()[j];
                    tq[cell] = j < m ? trueQ0[r * m + j] : (float) newQ[i];
                    if (tokens) {
                        pc[cell] = (float) p.outputTokens()[j];
                        tc[cell] = j < m ? trueC0[r * m + j] : (float) newC[i];
                        pin[cell] = (float) p.inputTokens()[j];
                        // the existing models' input tokens are not stored: their estimate stands in for them
                        tin[cell] = j < m || newIn == null ? (float) p.inputTokens()[j] : (float) newIn[i];
                    } else {
                        pc[cell] = (float) p.costUsd()[j];
                        tc[cell] = j < m ? trueC0[r * m + j] : (float) newC[i];
                    }
                }
            }
        }
        CalibrationData data = tokens ? CalibrationData.ofTokens(n, mm, pq, tq, pin, pc, tin, tc)
                : CalibrationData.ofCosts(n, mm, pq, tq, pc, tc);
        BudgetCalibration cal = data.calibrate(extended.models(), extended.prices().orElse(null),
                extended.costScaleUsd(), BudgetCalibration.defaultGrid());
        return new Calibrated(cal, data);
    }

    /** The router with only the stored prompts {@code keep} (KNN targets and index reduced alike). */
    private static RouterModel restrict(RouterModel base, int[] keep) {
        KnnIndex store = base.knnIndex().orElseThrow();
        KnnIndex reduced = KnnIndex.of(Matrices.rows(store.vectors(), store.dimension(), keep), store.dimension());
        CostModel cost = base.cost();
        CostModel c;
        if (cost instanceof CostModel.Tokens t) {
            c = new CostModel.Tokens(t.inputTokens(), restrict(t.outputTokens(), keep));
        } else if (cost instanceof CostModel.Direct dc) {
            c = new CostModel.Direct(restrict(dc.costUsd(), keep));
        } else {
            c = cost;
        }
        return base.toBuilder().knnIndex(reduced).quality(restrict(base.quality(), keep)).cost(c).calibration(null)
                .calibrationData(null).policy(null).costBounds(null).build();
    }

    private static Predictor restrict(Predictor p, int[] keep) {
        if (p instanceof KnnPredictor k) {
            return new KnnPredictor(k.k(), k.outputs(), Matrices.rows(k.targets(), k.outputs(), keep));
        }
        if (p instanceof BlendPredictor b) {
            return new BlendPredictor(b.weight(), restrict(b.first(), keep), restrict(b.second(), keep));
        }
        return p;
    }
}

package dev.carrot.route;

import dev.carrot.route.encoder.EncodedPrompt;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.Truncation;
import dev.carrot.route.internal.Scorer;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.DecisionRule;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.route.model.FixedModelStats;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A trained CARROT router: sends a prompt to {@code argmax_m (1 - mu) * quality_m - mu * cost_m / costScale}, with
 * a receipt per model that says why.
 *
 * <p>A router trained with a {@link FixedModelPolicy} (carrot train makes one) also knows, for each mu, whether always
 * calling one model is the better strategy on held-out prompts; at such a mu it sends every prompt to that model,
 * and the decision says so ({@link Decision#fixedModel()}), with the predictors' receipts as usual. The fixed model is
 * used only while it is a candidate under the call's options (in the candidate set and under the cost cap); otherwise
 * the per-prompt rule decides among the candidates.
 *
 * <p>Immutable and thread-safe: any number of threads may route at once, without locks. {@link #withPrices} returns
 * a new router with other prices and the same trained predictors. Routing from text needs the encoder the router was
 * trained with: {@link #load(Path)} starts the built-in encoder the artifact names ({@link Encoders#named}; the
 * default all-MiniLM-L6-v2 or another whose jar is on the classpath) on the first text call, and
 * {@link #load(Path, PromptEncoder)} takes any other. {@link #close()} closes an encoder the
 * router started itself.
 */
public final class Router implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    private final RouterModel model;
    private final PriceTable prices; // null for routers that do not price by tokens
    private final Scorer scorer;
    private final BudgetCalibration calibration; // null when there is none (for these prices); the policy's if any
    private final FixedModelPolicy policy; // null when the router has none (for these prices)
    private final EncoderHolder encoder;
    private final ModelResources resources;
    private final int models;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Router(RouterModel model, PriceTable prices, BudgetCalibration routerCalibration, FixedModelPolicy policy,
                   EncoderHolder encoder, ModelResources resources) {
        this.model = model;
        this.prices = prices;
        this.scorer = new Scorer(model, prices);
        this.policy = policy;
        this.calibration = policy == null || routerCalibration == null ? routerCalibration
                : policy.calibration(routerCalibration, policy.stats().costUsd(model.models(), prices));
        this.encoder = encoder;
        this.resources = resources;
        this.models = model.models().size();
        encoder.retain();
        resources.retain();
    }

    /**
     * Loads a router artifact. Text routing uses the carrot built-in encoder the artifact was trained with (see
     * {@link Encoders#named}), started on first use; for any other encoder pass it with
     * {@link #load(Path, PromptEncoder)}.
     */
    public static Router load(Path dir) throws IOException {
        RouterModel m = RouterArtifact.read(dir);
        return new Router(m, m.prices().orElse(null), m.calibration().orElse(null), m.policy().orElse(null),
                m.textOnly()
                ? EncoderHolder.given(null, null) : EncoderHolder.builtIn(m.encoder()), new ModelResources(m, true));
    }

    /**
     * Loads a router artifact that routes text with {@code encoder} (which the caller keeps and closes).
     *
     * @throws IllegalArgumentException if the encoder would make other vectors than the one the router was trained
     *                                  with: another dimension, ONNX model, token limit, pooling or normalisation
     */
    public static Router load(Path dir, PromptEncoder encoder) throws IOException {
        return of(RouterArtifact.read(dir), encoder, true);
    }

    /**
     * A router over an in-memory model; {@code encoder} may be null for embedding-only routing (and is not needed by
     * a {@link RouterModel#textOnly() text-only} model). The caller keeps the model's native resources (see
     * {@link RouterModel#nativeResources()}): closing this router does not free them.
     */
    public static Router of(RouterModel model, PromptEncoder encoder) {
        return of(model, encoder, false);
    }

    private static Router of(RouterModel model, PromptEncoder encoder, boolean ownsModel) {
        Objects.requireNonNull(model, "model");
        if (encoder != null && !model.textOnly()) {
            checkEncoder(model.encoder(), encoder);
        }
        return new Router(model, model.prices().orElse(null), model.calibration().orElse(null),
                model.policy().orElse(null), EncoderHolder.given(model.textOnly() ? null : model.encoder(), model.textOnly() ? null : encoder),
                new ModelResources(model, ownsModel));
    }

    private static void checkEncoder(EncoderInfo expected, PromptEncoder encoder) {
        EncoderInfo info = encoder.info();
        var difference = info.differenceFrom(expected);
        if (difference.isEmpty()) {
            return;
        }
        throw new IllegalArgumentException(switch (difference.get()) {
            case DIMENSION -> "encoder dimension " + info.dimension() + " does not match router dimension "
                    + expected.dimension() + " (router trained with " + expected.id() + ")";
            case MODEL -> "encoder " + info.id() + " (ONNX SHA-256 " + info.onnxSha256() + ") is not the encoder this"
                    + " router was trained with: " + expected.id() + " (ONNX SHA-256 " + expected.onnxSha256() + ")";
            case MAX_TOKENS -> "encoder " + info.id() + " reads " + info.maxTokens() + " word pieces per prompt but"
                    + " this router was trained with " + expected.maxTokens() + " (router trained with "
                    + expected.id() + "): load the encoder with maxTokens " + expected.maxTokens();
            case POOLING -> "encoder " + info.id() + " pools token vectors by " + info.pooling() + " but this router"
                    + " was trained with " + expected.pooling() + " pooling (router trained with " + expected.id()
                    + ")";
            case NORMALIZE -> "encoder " + info.id() + (info.normalize() ? " L2-normalises" : " does not L2-normalise")
                    + " its vectors but this router was trained with " + (expected.normalize() ? "" : "un")
                    + "normalised ones (router trained with " + expected.id() + ")";
            case PREFIX -> "encoder " + info.id() + " puts '" + info.textPrefix() + "' before every prompt but this"
                    + " router was trained with '" + expected.textPrefix() + "' (router trained with " + expected.id()
                    + ")";
            case TRUNCATION -> "encoder " + info.id() + " reads the " + (info.truncation() == Truncation.TAIL ? "last"
                    : "first") + " word pieces of a long prompt but this router was trained with the "
                    + (expected.truncation() == Truncation.TAIL ? "last" : "first") + " (router trained with "
                    + expected.id() + "): load the encoder with truncation " + expected.truncation().key();
        });
    }

    // ------------------------------------------------------------------------------------------------ facts

    public List<String> models() {
        return model.models();
    }

    /** The prices in use, if the router prices queries by tokens. */
    public Optional<PriceTable> prices() {
        return Optional.ofNullable(prices);
    }

    /** The trained model (predictors, encoder reference, provenance). */
    public RouterModel model() {
        return model;
    }

    /** The encoder the router was trained with. */
    public EncoderInfo encoder() {
        return model.encoder();
    }

    /**
     * The budget calibration for the current prices, if any: the policy's (the router's validation curve with the
     * fixed models' points where the policy calls them) when the router has a {@link #policy()}.
     */
    public Optional<BudgetCalibration> calibration() {
        return Optional.ofNullable(calibration);
    }

    /** The policy that puts fixed models beside the router, for the current prices, if the router has one. */
    public Optional<FixedModelPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    // ------------------------------------------------------------------------------------------------ prices

    /**
     * The same router with other prices: no retraining, the trained predictors are shared. The budget calibration
     * is recomputed for the new prices from the validation predictions stored in the artifact.
     *
     * @throws IllegalStateException    if the router does not price by tokens (it predicts USD directly)
     * @throws IllegalArgumentException if a model has no price in {@code newPrices}
     */
    public Router withPrices(PriceTable newPrices) {
        Objects.requireNonNull(newPrices, "newPrices");
        if (!model.cost().pricesTokens()) {
            throw new IllegalStateException("this router's cost model is '" + model.cost().kind() + "': it was trained"
                    + " without token counts, so it predicts " + (model.cost() instanceof CostModel.Direct
                    ? "USD per query directly" : "no cost") + " and its prices cannot be changed");
        }
        for (String m : model.models()) {
            newPrices.require(m);
        }
        BudgetCalibration cal = null;
        if (model.calibrationData().isPresent()) {
            double[] grid = model.calibration().map(BudgetCalibration::mu).orElse(BudgetCalibration.defaultGrid());
            cal = model.calibrationData().get().calibrate(model.models(), newPrices, model.costScaleUsd(), grid);
        } else if (calibration != null) {
            LOG.log(System.Logger.Level.WARNING, "router has no stored validation data: its budget calibration does"
                    + " not carry over to new prices and is dropped");
        }
        FixedModelPolicy newPolicy = null;
        if (model.policy().isPresent()) {
            FixedModelStats fm = model.policy().get().stats();
            if (cal != null) {
                newPolicy = FixedModelPolicy.fit(cal, fm, fm.costUsd(model.models(), newPrices), model.costScaleUsd());
            } else {
                LOG.log(System.Logger.Level.WARNING, "router has no stored validation data: its fixed-model policy"
                        + " cannot be refitted for new prices and is dropped");
            }
        }
        return new Router(model, newPrices, cal, newPolicy, encoder, resources);
    }

    // ------------------------------------------------------------------------------------------------ routing

    /** Routes a prompt with trade-off {@code mu} in [0, 1] (0: best quality, 1: cheapest). */
    public Decision route(String prompt, double mu) {
        return route(prompt, mu, RouteOptions.defaults());
    }

    public Decision route(String prompt, double mu, RouteOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        DecisionRule.checkMu(mu);
        if (model.textOnly()) {
            return decide(null, -1, prompt, mu, Optional.empty(), options);
        }
        EncodedPrompt e = encoder.get().encodeCounted(prompt);
        return decide(e.vector(), e.tokens(), prompt, mu, Optional.empty(), options);
    }

    /**
     * Routes a prompt within a budget in USD per query, through the budget calibration stored in the artifact. When
     * the budget falls between two points of the router's validated frontier, a share of prompts (chosen by a hash of
     * the prompt, so a prompt always gets the same answer) is routed with the dearer point's mu, so that the expected
     * cost per query meets the budget; see {@link BudgetCalibration}.
     */
    public Decision routeWithBudget(String prompt, double budgetUsd, RouteOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        BudgetCalibration.Choice c = budgetChoice(budgetUsd);
        if (model.textOnly()) {
            return decide(null, -1, prompt, c.muFor(unitHash(prompt)), Optional.of(c), options);
        }
        EncodedPrompt e = encoder.get().encodeCounted(prompt);
        return decide(e.vector(), e.tokens(), prompt, c.muFor(unitHash(prompt)), Optional.of(c), options);
    }

    /**
     * Routes a prompt embedding (L2-normalised, of the router's encoder). Without the prompt's token count, the input
     * token estimate is each model's training mean.
     */
    public Decision route(float[] embedding, double mu) {
        return route(embedding, -1, mu, RouteOptions.defaults());
    }

    /**
     * Routes a prompt embedding.
     *
     * @param promptTokens the prompt's word-piece count under the router's encoder tokenizer (for the input-token
     *                     estimate), or -1 if unknown
     */
    public Decision route(float[] embedding, int promptTokens, double mu, RouteOptions options) {
        DecisionRule.checkMu(mu);
        checkEmbedding(embedding);
        return decide(embedding, promptTokens, null, mu, Optional.empty(), options);
    }

    /** Routes a prompt embedding within a budget in USD per query. */
    public Decision routeWithBudget(float[] embedding, int promptTokens, double budgetUsd, RouteOptions options) {
        BudgetCalibration.Choice c = budgetChoice(budgetUsd);
        checkEmbedding(embedding);
        return decide(embedding, promptTokens, null, c.muFor(unitHash(embedding)), Optional.of(c), options);
    }

    /** A number in [0, 1) from a prompt's text: stable across runs and machines. */
    static double unitHash(String prompt) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < prompt.length(); i++) {
            h = mix(h ^ prompt.charAt(i));
        }
        return (mix(h ^ prompt.length()) >>> 11) * 0x1.0p-53;
    }

    /** A number in [0, 1) from an embedding's bits. */
    static double unitHash(float[] embedding) {
        long h = 0x2545F4914F6CDD1DL;
        for (float v : embedding) {
            h = mix(h ^ Float.floatToIntBits(v));
        }
        return (mix(h) >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Routes many prompts; the encoder batches them by length. */
    public List<Decision> routeAll(List<String> prompts, double mu, RouteOptions options) {
        Objects.requireNonNull(prompts, "prompts");
        DecisionRule.checkMu(mu);
        if (model.textOnly()) {
            List<Decision> out = new ArrayList<>(prompts.size());
            for (String p : prompts) {
                out.add(route(p, mu, options));
            }
            return out;
        }
        PromptEncoder enc = encoder.get();
        float[][] emb = enc.encodeAll(prompts);
        List<Decision> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(decide(emb[i], enc.countTokens(prompts.get(i)), prompts.get(i), mu, Optional.empty(), options));
        }
        return out;
    }

    /** Routes many embeddings (token counts unknown). */
    public List<Decision> routeAll(float[][] embeddings, double mu, RouteOptions options) {
        Objects.requireNonNull(embeddings, "embeddings");
        DecisionRule.checkMu(mu);
        List<Decision> out = new ArrayList<>(embeddings.length);
        for (float[] e : embeddings) {
            checkEmbedding(e);
            out.add(decide(e, -1, null, mu, Optional.empty(), options));
        }
        return out;
    }

    /** The mu a budget maps to. */
    public BudgetCalibration.Choice budgetChoice(double budgetUsd) {
        if (calibration == null) {
            throw new IllegalStateException("this router has no budget calibration" + (model.calibration().isPresent()
                    ? " for its current prices (the artifact has no validation data to recompute it)"
                    : " (it was trained without a validation split or without costs); route with mu instead"));
        }
        return calibration.forBudget(budgetUsd);
    }

    /**
     * What the router predicts for an embedding, per model, without deciding.
     *
     * @param promptTokens word pieces of the prompt, or -1 if unknown
     */
    public Prediction predict(float[] embedding, int promptTokens) {
        checkEmbedding(embedding);
        Prediction p = new Prediction(new double[models], new double[models], new double[models],
                new double[models]);
        scorer.predict(embedding, promptTokens < 0 ? Double.NaN : promptTokens, null, p.quality, p.inputTokens,
                p.outputTokens, p.costUsd);
        return p;
    }

    /** What the router predicts for a prompt's text, per model, without deciding. */
    public Prediction predict(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        Prediction p = new Prediction(new double[models], new double[models], new double[models],
                new double[models]);
        if (model.textOnly()) {
            scorer.predict(null, Double.NaN, prompt, p.quality, p.inputTokens, p.outputTokens, p.costUsd);
        } else {
            EncodedPrompt e = encoder.get().encodeCounted(prompt);
            scorer.predict(e.vector(), e.tokens(), prompt, p.quality, p.inputTokens, p.outputTokens, p.costUsd);
        }
        return p;
    }

    /**
     * Per-model predictions (arrays in the router's model order, owned by the caller).
     */
    public record Prediction(double[] quality, double[] inputTokens, double[] outputTokens, double[] costUsd) {
    }

    /**
     * The router's split-conformal upper bounds of each model's output tokens (token-priced) or cost (direct), if it
     * has them.
     */
    public Optional<CostBounds> costBounds() {
        return model.costBounds();
    }

    /**
     * Per model, the upper bound of an embedded prompt's cost in USD at {@code confidence} (at the router's current
     * prices): what a cost cap {@link RouteOptions#atConfidence at that confidence} compares. Infinite for a model
     * whose validation prompts (of this prompt's group) are too few to certify the confidence.
     *
     * @param promptTokens the prompt's word pieces under the router's encoder tokenizer, or -1 if unknown
     * @param confidence   in (0, 1), e.g. 0.9
     * @throws IllegalStateException    if the router has no cost bounds ({@link #costBounds()})
     * @throws IllegalArgumentException if the confidence is not in (0, 1) or the embedding is not the router's
     */
    public double[] costUpperBounds(float[] embedding, int promptTokens, double confidence) {
        return costUpperBounds(embedding, promptTokens, new double[]{confidence})[0];
    }

    /** The upper cost bounds of an embedded prompt at several confidences: {@code [confidence][model]}. */
    public double[][] costUpperBounds(float[] embedding, int promptTokens, double[] confidences) {
        Objects.requireNonNull(confidences, "confidences");
        for (double c : confidences) {
            CostBounds.checkConfidence(c);
        }
        checkEmbedding(embedding);
        Prediction p = predict(embedding, promptTokens);
        double[][] out = new double[confidences.length][models];
        for (int k = 0; k < confidences.length; k++) {
            scorer.upperCost(embedding, p.inputTokens(), p.outputTokens(), p.costUsd(), confidences[k], out[k]);
        }
        return out;
    }

    /** The upper cost bounds of a prompt's text at {@code confidence}, per model (see the embedding form). */
    public double[] costUpperBounds(String prompt, double confidence) {
        Objects.requireNonNull(prompt, "prompt");
        CostBounds.checkConfidence(confidence);
        if (model.textOnly()) {
            throw new IllegalStateException("this router reads only the prompt's text and has no cost bounds");
        }
        EncodedPrompt e = encoder.get().encodeCounted(prompt);
        double[] q = new double[models];
        double[] in = new double[models];
        double[] out = new double[models];
        double[] cost = new double[models];
        scorer.predict(e.vector(), e.tokens(), prompt, q, in, out, cost);
        double[] bound = new double[models];
        scorer.upperCost(e.vector(), in, out, cost, confidence, bound);
        return bound;
    }

    private Decision decide(float[] embedding, int promptTokens, String text, double mu,
                            Optional<BudgetCalibration.Choice> budget, RouteOptions options) {
        Objects.requireNonNull(options, "options");
        double[] q = new double[models];
        double[] in = new double[models];
        double[] out = new double[models];
        double[] cost = new double[models];
        scorer.predict(embedding, promptTokens < 0 ? Double.NaN : promptTokens, text, q, in, out, cost);
        double scale = model.costScaleUsd();

        boolean[] candidate = new boolean[models];
        Receipt.Status[] status = new Receipt.Status[models];
        for (int m = 0; m < models; m++) {
            candidate[m] = true;
            status[m] = Receipt.Status.CANDIDATE;
        }
        if (!options.models().isEmpty()) {
            for (String name : options.models()) {
                if (!model.models().contains(name)) {
                    throw new IllegalArgumentException("unknown model '" + name + "' in the candidate set; the router"
                            + " knows " + model.models());
                }
            }
            for (int m = 0; m < models; m++) {
                if (!options.models().contains(model.models().get(m))) {
                    candidate[m] = false;
                    status[m] = Receipt.Status.EXCLUDED_BY_OPTIONS;
                }
            }
        }
        boolean withinCap = true;
        // what the cap is compared with: the predicted cost, or its upper bound at the call's confidence
        double[] capped = cost;
        double[] bound = null;
        if (options.capConfidence().isPresent()) {
            bound = new double[models];
            scorer.upperCost(embedding, in, out, cost, options.capConfidence().getAsDouble(), bound);
            capped = bound;
        }
        if (options.maxCostUsd().isPresent()) {
            double cap = options.maxCostUsd().getAsDouble();
            boolean[] fits = candidate.clone();
            boolean any = false;
            for (int m = 0; m < models; m++) {
                if (fits[m] && capped[m] > cap) {
                    fits[m] = false;
                    status[m] = Receipt.Status.OVER_COST_CAP;
                }
                any |= fits[m];
            }
            if (any) {
                candidate = fits;
            } else {
                withinCap = false;
                if (options.onNoFit() == RouteOptions.NoFit.FAIL) {
                    throw new NoModelFitsException(bound == null ? String.format(java.util.Locale.ROOT, "no candidate"
                                    + " model is predicted to cost at most %.6g USD (cheapest candidate: %.6g USD)",
                            cap, cheapestCost(candidate, cost)) : String.format(java.util.Locale.ROOT, "no candidate"
                                    + " model's %s upper cost bound is at most %.6g USD (lowest bound: %.6g USD)",
                            percent(options.capConfidence().getAsDouble()), cap, cheapestCost(candidate, bound)),
                            receipts(q, in, out, cost, bound, scale, mu, status, -1, null));
                }
                // documented behaviour: the cheapest candidate (by what the cap compares), marked as over the cap
                int cheapest = -1;
                for (int m = 0; m < models; m++) {
                    if (candidate[m] && (cheapest < 0 || capped[m] < capped[cheapest]
                            || (capped[m] == capped[cheapest] && cost[m] < cost[cheapest]))) {
                        cheapest = m;
                    }
                }
                for (int m = 0; m < models; m++) {
                    if (m != cheapest && candidate[m]) {
                        status[m] = Receipt.Status.OVER_COST_CAP;
                    }
                    candidate[m] = m == cheapest;
                }
                status[cheapest] = Receipt.Status.CANDIDATE;
            }
        }
        int chosen = DecisionRule.choose(q, cost, 0, models, mu, scale, candidate);
        int fixed = policy == null ? FixedModelPolicy.ROUTER : policy.fixedAt(mu);
        boolean byPolicy = fixed != FixedModelPolicy.ROUTER && candidate[fixed] && withinCap;
        if (byPolicy) {
            chosen = fixed; // documented: the fixed model is used only while the call's options leave it a candidate
        }
        double chosenU = DecisionRule.utility(q[chosen], cost[chosen], mu, scale);
        double runnerUp = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < models; m++) {
            if (candidate[m] && m != chosen) {
                runnerUp = Math.max(runnerUp, DecisionRule.utility(q[m], cost[m], mu, scale));
            }
        }
        status[chosen] = Receipt.Status.CHOSEN;
        List<Receipt> receipts = receipts(q, in, out, cost, bound, scale, mu, status, chosen, candidate);
        return new Decision(model.models().get(chosen), mu, budget, chosenU - runnerUp, withinCap,
                model.cost().kind(), options.capConfidence(), receipts,
                byPolicy ? Optional.of(model.models().get(chosen)) : Optional.empty());
    }

    private static String percent(double confidence) {
        return new java.math.BigDecimal(confidence * 100).round(new java.math.MathContext(6)).stripTrailingZeros()
                .toPlainString() + "%";
    }

    private static double cheapestCost(boolean[] candidate, double[] cost) {
        double c = Double.POSITIVE_INFINITY;
        for (int m = 0; m < cost.length; m++) {
            if (candidate[m]) {
                c = Math.min(c, cost[m]);
            }
        }
        return c;
    }

    private List<Receipt> receipts(double[] q, double[] in, double[] out, double[] cost, double[] bound, double scale,
                                   double mu, Receipt.Status[] status, int chosen, boolean[] candidate) {
        List<Receipt> list = new ArrayList<>(models);
        double chosenU = chosen < 0 ? Double.NaN : DecisionRule.utility(q[chosen], cost[chosen], mu, scale);
        for (int m = 0; m < models; m++) {
            double u = DecisionRule.utility(q[m], cost[m], mu, scale);
            boolean considered = candidate != null && candidate[m];
            list.add(new Receipt(model.models().get(m), q[m], in[m], out[m], cost[m],
                    bound == null ? Double.NaN : bound[m], cost[m] / scale, u,
                    considered ? u - chosenU : Double.NaN, status[m]));
        }
        return list;
    }

    private void checkEmbedding(float[] e) {
        Objects.requireNonNull(e, "embedding");
        if (model.textOnly()) {
            throw new IllegalStateException("this router reads the prompt's text (its predictors are text models, with"
                    + " no sentence encoder): route the text, not an embedding");
        }
        int dim = model.encoder().dimension();
        if (e.length != dim) {
            throw new IllegalArgumentException("embedding dimension " + e.length + " does not match router dimension "
                    + dim + " (router trained with " + model.encoder().id() + ")");
        }
        double norm = 0;
        for (float v : e) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("embedding has a non-finite value " + v);
            }
            norm += (double) v * v;
        }
        if (Math.abs(Math.sqrt(norm) - 1.0) > 1e-3) {
            throw new IllegalArgumentException("embedding has L2 norm " + Math.sqrt(norm) + ", expected 1: pass the"
                    + " L2-normalised vector the encoder returns");
        }
    }

    /**
     * Releases this router's hold on the encoder. Routers made by {@link #withPrices} share the encoder of the router
     * they came from; an encoder this library started is closed when the last of them is closed, in any order. An
     * encoder the caller passed in is never closed here. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            encoder.release();
            resources.release();
        }
    }

    /**
     * The native resources of a model this library loaded (text predictors' ONNX Runtime sessions and tokenizers),
     * shared by the routers {@link #withPrices} derives and freed when the last of them is closed.
     */
    private static final class ModelResources {
        private final RouterModel model;
        private final boolean owned;
        private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();

        ModelResources(RouterModel model, boolean owned) {
            this.model = model;
            this.owned = owned;
        }

        void retain() {
            holders.incrementAndGet();
        }

        void release() {
            if (holders.decrementAndGet() == 0 && owned) {
                for (AutoCloseable c : model.nativeResources()) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.WARNING, "freeing a native resource of the router failed", e);
                    }
                }
            }
        }
    }

    /**
     * The encoder for text routing: given by the caller, or carrot's built-in one started on first use (a lock only
     * on that first call).
     */
    private static final class EncoderHolder {
        private final EncoderInfo expected;
        private final PromptEncoder given;
        private final boolean builtIn;
        private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();
        private volatile PromptEncoder started;

        private EncoderHolder(EncoderInfo expected, PromptEncoder given, boolean builtIn) {
            this.expected = expected;
            this.given = given;
            this.builtIn = builtIn;
        }

        static EncoderHolder given(EncoderInfo expected, PromptEncoder encoder) {
            return new EncoderHolder(expected, encoder, false);
        }

        static EncoderHolder builtIn(EncoderInfo expected) {
            return new EncoderHolder(expected, null, true);
        }

        PromptEncoder get() {
            if (given != null) {
                return given;
            }
            if (!builtIn) {
                throw new IllegalStateException("this router has no encoder: route embeddings, or create it with an"
                        + " encoder (Router.load(dir, encoder))");
            }
            PromptEncoder e = started;
            if (e == null) {
                synchronized (this) {
                    if (holders.get() <= 0) {
                        throw new IllegalStateException("this router is closed");
                    }
                    e = started;
                    if (e == null) {
                        // the token limit and truncation side it was trained with (defaults unless chosen then)
                        e = Encoders.builtInFor(expected, new EncoderOptions()).orElseThrow(() ->
                                new IllegalStateException("this router was trained with encoder " + expected.id()
                                        + ", not one of carrot's built-in encoders " + Encoders.builtInNames()
                                        + ": load it with Router.load(dir, encoder)"));
                        try {
                            checkEncoder(expected, e);
                        } catch (IllegalArgumentException ex) {
                            e.close();
                            throw new IllegalStateException(ex.getMessage(), ex);
                        }
                        started = e;
                    }
                }
            }
            return e;
        }

        void retain() {
            holders.incrementAndGet();
        }

        /** Called once by each router that shared this holder; the last one closes an encoder started here. */
        void release() {
            if (holders.decrementAndGet() == 0) {
                synchronized (this) {
                    PromptEncoder e = started;
                    started = null;
                    if (e != null) {
                        e.close();
                    }
                }
            }
        }
    }
}

package dev.carrot.route.model;

import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.knn.KnnIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a trained router is: its models and prices, the encoder it expects, its quality and cost predictors,
 * the cost scale that makes {@code mu} unit-free, the budget calibration, and provenance. This is what an artifact
 * directory holds ({@code dev.carrot.route.io.RouterArtifact} reads and writes it); {@code Router} runs it. Immutable.
 */
public final class RouterModel {
    private final List<String> models;
    private final PriceTable prices; // nullable: not needed by direct/none cost models
    private final EncoderInfo encoder; // null when every predictor reads only the prompt's text
    private final KnnIndex knn; // nullable: the stored unit embeddings
    private final Predictor quality;
    private final CostModel cost;
    private final double costScaleUsd;
    private final BudgetCalibration calibration; // nullable
    private final CalibrationData calibrationData; // nullable
    private final FixedModelPolicy policy; // nullable: routers without one route with the rule alone
    private final CostBounds costBounds; // nullable
    private final Provenance provenance;

    private RouterModel(Builder b) {
        this.models = List.copyOf(Objects.requireNonNull(b.models, "models"));
        this.encoder = b.encoder;
        this.quality = Objects.requireNonNull(b.quality, "quality predictor");
        this.cost = Objects.requireNonNull(b.cost, "cost model");
        this.prices = b.prices;
        this.knn = b.knn;
        this.costScaleUsd = b.costScaleUsd;
        this.calibration = b.calibration;
        this.calibrationData = b.calibrationData;
        this.policy = b.policy;
        this.costBounds = b.costBounds;
        this.provenance = b.provenance == null ? Provenance.empty() : b.provenance;
        validate();
    }

    private void validate() {
        int m = models.size();
        if (m == 0) {
            throw new IllegalArgumentException("a router needs at least one model");
        }
        if (new java.util.HashSet<>(models).size() != m) {
            throw new IllegalArgumentException("model names must be unique, got " + models);
        }
        if (!(costScaleUsd > 0) || Double.isInfinite(costScaleUsd)) {
            throw new IllegalArgumentException("cost scale must be a finite number > 0 USD, got " + costScaleUsd);
        }
        if (encoder == null) {
            if (knn != null) {
                throw new IllegalArgumentException("a router with stored prompts needs the encoder that embedded them");
            }
            for (Predictor p : predictors()) {
                if (p.readsEmbedding()) {
                    throw new IllegalArgumentException("the " + p.describe() + " predictor reads prompt embeddings:"
                            + " the router needs its encoder");
                }
            }
        }
        int rows = 0;
        if (knn != null) {
            if (knn.dimension() != encoder.dimension() || knn.size() == 0) {
                throw new IllegalArgumentException("KNN index has " + knn.size() + " rows of dimension "
                        + knn.dimension() + "; expected at least one row of the encoder dimension "
                        + encoder.dimension());
            }
            rows = knn.size();
        }
        checkPredictor("quality", quality, rows);
        for (Map.Entry<String, Predictor> p : cost.predictors().entrySet()) {
            checkPredictor(p.getKey(), p.getValue(), rows);
        }
        if (cost instanceof CostModel.Tokens t) {
            if (t.inputTokens().models() != m) {
                throw new IllegalArgumentException("input-token model covers " + t.inputTokens().models()
                        + " models, the router has " + m);
            }
            if (prices == null) {
                throw new IllegalArgumentException("a token-based cost model needs a price table");
            }
            for (String name : models) {
                prices.require(name);
            }
        }
        if (calibrationData != null && calibrationData.models() != m) {
            throw new IllegalArgumentException("calibration data covers " + calibrationData.models() + " models, the"
                    + " router has " + m);
        }
        if (costBounds != null) {
            CostBounds.Target want = cost instanceof CostModel.Tokens ? CostBounds.Target.OUTPUT_TOKENS
                    : cost instanceof CostModel.Direct ? CostBounds.Target.COST_USD : null;
            if (want == null) {
                throw new IllegalArgumentException("a router without cost predictions (cost model 'none') has no"
                        + " cost bounds");
            }
            if (costBounds.target() != want) {
                throw new IllegalArgumentException("cost bounds are of " + costBounds.target().id() + " but the '"
                        + cost.kind() + "' cost model predicts " + want.id());
            }
            if (costBounds.dimension() > 0 && (encoder == null || costBounds.dimension() != encoder.dimension())) {
                throw new IllegalArgumentException("cost bounds group prompts by centroids of dimension "
                        + costBounds.dimension() + ", the router's encoder has "
                        + (encoder == null ? "none" : "dimension " + encoder.dimension()));
            }
            if (costBounds.models() != m) {
                throw new IllegalArgumentException("cost bounds cover " + costBounds.models() + " models, the router"
                        + " has " + m + " (a router with other models needs bounds fitted for them, or none:"
                        + " costBounds(null))");
            }
        }
        if (calibrationData != null && cost.pricesTokens() != calibrationData.tokenBased()) {
            throw new IllegalArgumentException("calibration data is " + (calibrationData.tokenBased() ? "token" : "cost")
                    + "-based but the cost model is " + cost.kind());
        }
        if (policy != null) {
            if (policy.stats().models() != m) {
                throw new IllegalArgumentException("the fixed-model policy covers " + policy.stats().models()
                        + " models, the router has " + m);
            }
            if (policy.stats().tokenBased() != cost.pricesTokens()) {
                throw new IllegalArgumentException("the fixed-model policy's statistics are "
                        + (policy.stats().tokenBased() ? "token" : "cost") + "-based but the cost model is "
                        + cost.kind());
            }
            if (calibration != null && !java.util.Arrays.equals(calibration.mu(), policy.mu())) {
                throw new IllegalArgumentException("the fixed-model policy's mu grid (" + policy.size() + " points)"
                        + " is not the budget calibration's (" + calibration.size() + " points)");
            }
            if (calibration == null && !cost.kind().equals("none")) {
                throw new IllegalArgumentException("a fixed-model policy needs the router's budget calibration (its"
                        + " validation curve) when the router predicts costs");
            }
        }
    }

    private void checkPredictor(String what, Predictor p, int knnRows) {
        if (p.outputs() != models.size()) {
            throw new IllegalArgumentException(what + " predictor has " + p.outputs() + " outputs, the router has "
                    + models.size() + " models");
        }
        Optional<String> misfit = p.misfit(encoder == null ? 0 : encoder.dimension(), knnRows);
        if (misfit.isPresent()) {
            throw new IllegalArgumentException(what + " " + misfit.get());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with this model's parts, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.models = models;
        b.prices = prices;
        b.encoder = encoder;
        b.knn = knn;
        b.quality = quality;
        b.cost = cost;
        b.costScaleUsd = costScaleUsd;
        b.calibration = calibration;
        b.calibrationData = calibrationData;
        b.policy = policy;
        b.costBounds = costBounds;
        b.provenance = provenance;
        return b;
    }

    public List<String> models() {
        return models;
    }

    public Optional<PriceTable> prices() {
        return Optional.ofNullable(prices);
    }

    /**
     * The encoder the router was trained with: its embeddings and weights only mean something in its space.
     *
     * @throws IllegalStateException for a router whose predictors read only the prompt's text ({@link #textOnly()})
     */
    public EncoderInfo encoder() {
        if (encoder == null) {
            throw new IllegalStateException("this router embeds no prompts: its predictors read the prompt's text");
        }
        return encoder;
    }

    /**
     * Whether the router routes from the prompt's text alone, with no sentence encoder (its predictors are text
     * models, such as CARROT's pre-trained ones); such a router cannot route embeddings.
     */
    public boolean textOnly() {
        return encoder == null;
    }

    /** Whether some predictor, or the input-token estimate, reads the prompt's text. */
    public boolean readsText() {
        if (cost instanceof CostModel.Tokens t && t.inputTokens() instanceof TokenizerInputTokens) {
            return true;
        }
        for (Predictor p : predictors()) {
            if (p.readsText()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Native resources of the model (ONNX Runtime sessions, tokenizers of text predictors), which the
     * {@code Router} that loaded the model frees when it is closed; each is loaded again if used after.
     */
    public List<AutoCloseable> nativeResources() {
        List<AutoCloseable> out = new ArrayList<>();
        java.util.ArrayDeque<Predictor> todo = new java.util.ArrayDeque<>(predictors());
        while (!todo.isEmpty()) {
            Predictor p = todo.pop();
            if (p instanceof AutoCloseable c) {
                out.add(c);
            }
            todo.addAll(p.parts());
        }
        if (cost instanceof CostModel.Tokens t && t.inputTokens() instanceof AutoCloseable c) {
            out.add(c);
        }
        return out;
    }

    /** Number of stored prompts for KNN (0 when the router has no KNN part). */
    public int knnRows() {
        return knn == null ? 0 : knn.size();
    }

    /** The index over the stored unit embeddings, if the router has a KNN part. */
    public Optional<KnnIndex> knnIndex() {
        return Optional.ofNullable(knn);
    }

    public Predictor quality() {
        return quality;
    }

    public CostModel cost() {
        return cost;
    }

    /** Every predictor of this model: quality first, then the cost model's. */
    public List<Predictor> predictors() {
        List<Predictor> out = new ArrayList<>();
        out.add(quality);
        out.addAll(cost.predictors().values());
        return out;
    }

    /** The most stored neighbours any predictor reads (0 when none does). */
    public int neighbours() {
        int k = 0;
        for (Predictor p : predictors()) {
            k = Math.max(k, p.neighbours());
        }
        return k;
    }

    public double costScaleUsd() {
        return costScaleUsd;
    }

    public Optional<BudgetCalibration> calibration() {
        return Optional.ofNullable(calibration);
    }

    public Optional<CalibrationData> calibrationData() {
        return Optional.ofNullable(calibrationData);
    }

    /**
     * The policy that puts single models beside the router (see {@link FixedModelPolicy}); empty for routers trained
     * without one, which route every prompt with the rule alone.
     */
    public Optional<FixedModelPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    /**
     * Split-conformal upper bounds of each model's output tokens (token-priced routers) or cost (direct-cost
     * routers), fitted on the validation prompts; empty for routers trained without validation prompts or written
     * before artifact format version 3.
     */
    public Optional<CostBounds> costBounds() {
        return Optional.ofNullable(costBounds);
    }

    /** Provenance: dataset hash, trainer configuration, versions, creation time ... */
    public Provenance provenance() {
        return provenance;
    }

    /** The predictors in this model, for the manifest's summary. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("quality: " + quality.describe());
        out.addAll(cost.describe());
        return out;
    }

    /** Builds a {@link RouterModel}; {@link #build()} validates everything. */
    public static final class Builder {
        private List<String> models;
        private PriceTable prices;
        private EncoderInfo encoder;
        private KnnIndex knn;
        private Predictor quality;
        private CostModel cost = new CostModel.None();
        private double costScaleUsd = 1.0;
        private BudgetCalibration calibration;
        private CalibrationData calibrationData;
        private FixedModelPolicy policy;
        private CostBounds costBounds;
        private Provenance provenance;

        private Builder() {
        }

        public Builder models(List<String> models) {
            this.models = models;
            return this;
        }

        public Builder prices(PriceTable prices) {
            this.prices = prices;
            return this;
        }

        public Builder encoder(EncoderInfo encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Unit embeddings of the stored prompts for KNN predictors, rows x encoder dimension (copied). */
        public Builder knnEmbeddings(float[] embeddings) {
            this.knn = embeddings == null ? null : KnnIndex.of(embeddings, encoderDimension());
            return this;
        }

        /** The index of stored prompts for KNN predictors. */
        public Builder knnIndex(KnnIndex index) {
            this.knn = index;
            return this;
        }

        private int encoderDimension() {
            if (encoder == null) {
                throw new IllegalStateException("set the encoder before the KNN embeddings: its dimension shapes them");
            }
            return encoder.dimension();
        }

        public Builder quality(Predictor quality) {
            this.quality = quality;
            return this;
        }

        public Builder cost(CostModel cost) {
            this.cost = cost;
            return this;
        }

        public Builder costScaleUsd(double costScaleUsd) {
            this.costScaleUsd = costScaleUsd;
            return this;
        }

        public Builder calibration(BudgetCalibration calibration) {
            this.calibration = calibration;
            return this;
        }

        public Builder calibrationData(CalibrationData data) {
            this.calibrationData = data;
            return this;
        }

        /** The fixed-model policy, or null for none. */
        public Builder policy(FixedModelPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Upper cost bounds (null for none). */
        public Builder costBounds(CostBounds bounds) {
            this.costBounds = bounds;
            return this;
        }

        public Builder provenance(Provenance provenance) {
            this.provenance = provenance;
            return this;
        }

        public RouterModel build() {
            return new RouterModel(this);
        }
    }
}

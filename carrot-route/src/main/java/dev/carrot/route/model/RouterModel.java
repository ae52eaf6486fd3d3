package dev.carrot.route.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.PriceTable;
import dev.carrot.route.knn.KnnIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a trained router is: its models and prices, the encoder it expects, its quality and cost predictors,
 * the cost scale that makes {@code mu} unit-free, the budget calibration, and provenance. This is what an artifact
 * directory holds ({@link RouterArtifact} reads and writes it); {@code Router} runs it. Immutable.
 */
public final class RouterModel {
    private final List<String> models;
    private final PriceTable prices; // nullable: not needed by direct/none cost models
    private final EncoderRef encoder;
    private final KnnIndex knn; // nullable: the stored unit embeddings
    private final PredictorSpec quality;
    private final CostModel cost;
    private final double costScaleUsd;
    private final BudgetCalibration calibration; // nullable
    private final CalibrationData calibrationData; // nullable
    private final ObjectNode provenance;

    private RouterModel(Builder b) {
        this.models = List.copyOf(Objects.requireNonNull(b.models, "models"));
        this.encoder = Objects.requireNonNull(b.encoder, "encoder");
        this.quality = Objects.requireNonNull(b.quality, "quality predictor");
        this.cost = Objects.requireNonNull(b.cost, "cost model");
        this.prices = b.prices;
        this.knn = b.knn;
        this.costScaleUsd = b.costScaleUsd;
        this.calibration = b.calibration;
        this.calibrationData = b.calibrationData;
        this.provenance = b.provenance == null ? JsonNodeFactory.instance.objectNode() : b.provenance.deepCopy();
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
        int rows = -1;
        if (knn != null) {
            if (knn.dimension() != encoder.dimension() || knn.size() == 0) {
                throw new IllegalArgumentException("KNN index has " + knn.size() + " rows of dimension "
                        + knn.dimension() + "; expected at least one row of the encoder dimension "
                        + encoder.dimension());
            }
            rows = knn.size();
        }
        checkPredictor("quality", quality, rows);
        if (cost instanceof CostModel.Tokens t) {
            checkPredictor("output tokens", t.outputTokens(), rows);
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
        } else if (cost instanceof CostModel.Direct d) {
            checkPredictor("cost", d.costUsd(), rows);
        }
        if (calibrationData != null && calibrationData.models() != m) {
            throw new IllegalArgumentException("calibration data covers " + calibrationData.models() + " models, the"
                    + " router has " + m);
        }
        if (calibrationData != null && (cost instanceof CostModel.Tokens) != calibrationData.tokenBased()) {
            throw new IllegalArgumentException("calibration data is " + (calibrationData.tokenBased() ? "token" : "cost")
                    + "-based but the cost model is " + cost.kind());
        }
    }

    private void checkPredictor(String what, PredictorSpec p, int knnRows) {
        if (p.outputs() != models.size()) {
            throw new IllegalArgumentException(what + " predictor has " + p.outputs() + " outputs, the router has "
                    + models.size() + " models");
        }
        if (p instanceof PredictorSpec.Knn k) {
            if (knnRows < 0) {
                throw new IllegalArgumentException(what + " predictor is KNN but the router stores no embeddings");
            }
            if (k.rows() != knnRows) {
                throw new IllegalArgumentException(what + " KNN targets cover " + k.rows() + " prompts, the router"
                        + " stores " + knnRows + " embeddings");
            }
        } else if (p instanceof PredictorSpec.Linear l) {
            if (l.dimension() != encoder.dimension()) {
                throw new IllegalArgumentException(what + " linear predictor has dimension " + l.dimension()
                        + ", the encoder has " + encoder.dimension());
            }
        } else if (p instanceof PredictorSpec.Blend b) {
            checkPredictor(what, b.first(), knnRows);
            checkPredictor(what, b.second(), knnRows);
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
        b.provenance = provenance;
        return b;
    }

    public List<String> models() {
        return models;
    }

    public Optional<PriceTable> prices() {
        return Optional.ofNullable(prices);
    }

    public EncoderRef encoder() {
        return encoder;
    }

    /** Number of stored prompts for KNN (0 when the router has no KNN part). */
    public int knnRows() {
        return knn == null ? 0 : knn.size();
    }

    /** The index over the stored unit embeddings, if the router has a KNN part. */
    public Optional<KnnIndex> knnIndex() {
        return Optional.ofNullable(knn);
    }

    public PredictorSpec quality() {
        return quality;
    }

    public CostModel cost() {
        return cost;
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

    /** Provenance: dataset hash, trainer configuration, versions, creation time ... (a copy). */
    public ObjectNode provenance() {
        return provenance.deepCopy();
    }

    /** The predictors in this model, for the manifest's summary. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("quality: " + quality.describe());
        if (cost instanceof CostModel.Tokens t) {
            out.add("output tokens: " + t.outputTokens().describe());
        } else if (cost instanceof CostModel.Direct d) {
            out.add("cost: " + d.costUsd().describe());
        } else {
            out.add("cost: none");
        }
        return out;
    }

    /** Builds a {@link RouterModel}; {@link #build()} validates everything. */
    public static final class Builder {
        private List<String> models;
        private PriceTable prices;
        private EncoderRef encoder;
        private KnnIndex knn;
        private PredictorSpec quality;
        private CostModel cost = new CostModel.None();
        private double costScaleUsd = 1.0;
        private BudgetCalibration calibration;
        private CalibrationData calibrationData;
        private ObjectNode provenance;

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

        public Builder encoder(EncoderRef encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Unit embeddings of the stored prompts for KNN predictors, rows x encoder dimension (copied). */
        public Builder knnEmbeddings(float[] embeddings) {
            this.knn = embeddings == null ? null : KnnIndex.of(embeddings, encoderDimension(embeddings));
            return this;
        }

        /** The index of stored prompts for KNN predictors. */
        public Builder knnIndex(KnnIndex index) {
            this.knn = index;
            return this;
        }

        private int encoderDimension(float[] embeddings) {
            if (encoder == null) {
                throw new IllegalStateException("set the encoder before the KNN embeddings: its dimension shapes them");
            }
            return encoder.dimension();
        }

        public Builder quality(PredictorSpec quality) {
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

        public Builder provenance(JsonNode provenance) {
            if (provenance != null && !provenance.isObject()) {
                throw new IllegalArgumentException("provenance must be a JSON object, got " + provenance.getNodeType());
            }
            this.provenance = (ObjectNode) provenance;
            return this;
        }

        public RouterModel build() {
            return new RouterModel(this);
        }
    }
}

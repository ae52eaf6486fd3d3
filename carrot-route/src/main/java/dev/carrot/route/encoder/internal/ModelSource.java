package dev.carrot.route.encoder.internal;

import dev.carrot.route.encoder.Pooling;

import java.util.Objects;

/**
 * Everything needed to build an {@link OnnxPromptEncoder}. The ONNX bytes are held, not copied (they are large and this
 * type never leaves the package's loaders).
 */
public final class ModelSource {

    private final String id;
    private final String origin;
    private final byte[] onnx;
    private final String onnxSha256;
    private final String tokenizerJson;
    private final Pooling pooling;
    private final boolean normalize;
    private final int maxTokens;
    private final String textPrefix;
    private final boolean batchInvariant;

    /**
     * @param id            model id
     * @param origin        where the files came from, for messages
     * @param onnx          ONNX model bytes
     * @param onnxSha256    SHA-256 of {@code onnx}, lower-case hex
     * @param tokenizerJson contents of the HuggingFace tokenizer.json
     * @param pooling       pooling mode
     * @param normalize     whether vectors are L2-normalised
     * @param maxTokens     truncation length including special tokens
     */
    public ModelSource(String id, String origin, byte[] onnx, String onnxSha256, String tokenizerJson, Pooling pooling,
                       boolean normalize, int maxTokens) {
        this(id, origin, onnx, onnxSha256, tokenizerJson, pooling, normalize, maxTokens, "");
    }

    /**
     * @param textPrefix text put before every prompt before tokenizing (e5's {@code "query: "}), or ""
     */
    public ModelSource(String id, String origin, byte[] onnx, String onnxSha256, String tokenizerJson, Pooling pooling,
                       boolean normalize, int maxTokens, String textPrefix) {
        this(id, origin, onnx, onnxSha256, tokenizerJson, pooling, normalize, maxTokens, textPrefix, true);
    }

    /**
     * @param batchInvariant false for a model whose output for one text depends on the other texts of its batch (a
     *                       dynamically quantised graph scales each run's activations by the whole batch): such a
     *                       model is run one text at a time
     */
    public ModelSource(String id, String origin, byte[] onnx, String onnxSha256, String tokenizerJson, Pooling pooling,
                       boolean normalize, int maxTokens, String textPrefix, boolean batchInvariant) {
        this.id = Objects.requireNonNull(id, "id");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.onnx = Objects.requireNonNull(onnx, "onnx");
        this.onnxSha256 = Objects.requireNonNull(onnxSha256, "onnxSha256");
        this.tokenizerJson = Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        this.normalize = normalize;
        if (maxTokens < 2) {
            throw new IllegalArgumentException(origin + ": maxTokens is " + maxTokens + "; expected >= 2");
        }
        this.maxTokens = maxTokens;
        this.textPrefix = Objects.requireNonNull(textPrefix, "textPrefix");
        this.batchInvariant = batchInvariant;
    }

    String id() {
        return id;
    }

    String origin() {
        return origin;
    }

    byte[] onnx() {
        return onnx;
    }

    String onnxSha256() {
        return onnxSha256;
    }

    String tokenizerJson() {
        return tokenizerJson;
    }

    Pooling pooling() {
        return pooling;
    }

    boolean normalize() {
        return normalize;
    }

    int maxTokens() {
        return maxTokens;
    }

    String textPrefix() {
        return textPrefix;
    }

    boolean batchInvariant() {
        return batchInvariant;
    }
}

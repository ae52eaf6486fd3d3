package dev.carrot.route.encoder;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identity and semantics of a {@link PromptEncoder}.
 *
 * <p>A trained router stores {@link #id()}, {@link #dimension()} and {@link #onnxSha256()} and refuses an encoder that
 * does not match ({@link #requireCompatibleWith(EncoderInfo)}); the embedding cache keys its entries by
 * {@link #fingerprint()} so that a different model or configuration never sees another's vectors.
 *
 * @param id         human-readable model id, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param dimension  length of the vectors the encoder returns
 * @param onnxSha256 lower-case hex SHA-256 of the exact ONNX model bytes
 * @param maxTokens  word pieces fed to the model per text, special tokens included (longer texts are truncated)
 * @param pooling    how token vectors are pooled into one vector
 * @param normalize  whether returned vectors are L2-normalised
 */
public record EncoderInfo(String id, int dimension, String onnxSha256, int maxTokens, Pooling pooling, boolean normalize) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** Validates every field. */
    public EncoderInfo {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("encoder id is '" + id + "'; expected a non-blank name such as "
                    + "'sentence-transformers/all-MiniLM-L6-v2'");
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("encoder '" + id + "' has dimension " + dimension + "; expected >= 1");
        }
        if (onnxSha256 == null || !SHA256_HEX.matcher(onnxSha256).matches()) {
            throw new IllegalArgumentException("encoder '" + id + "' has onnxSha256 '" + onnxSha256
                    + "'; expected 64 lower-case hex digits");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("encoder '" + id + "' has maxTokens " + maxTokens
                    + "; expected >= 2 (room for the special tokens)");
        }
        Objects.requireNonNull(pooling, () -> "encoder '" + id + "' has pooling null; expected MEAN or CLS");
    }

    /**
     * A string that changes whenever the vectors for a given text could change: model bytes, truncation length,
     * pooling, normalisation and dimension.
     *
     * @return e.g. {@code 6fd5...e2/d384/t256/MEAN/norm}
     */
    public String fingerprint() {
        return onnxSha256 + "/d" + dimension + "/t" + maxTokens + "/" + pooling + (normalize ? "/norm" : "/raw");
    }

    /**
     * Checks that vectors from this encoder can be used where {@code expected} vectors were used (for instance by a
     * router trained with {@code expected}).
     *
     * @param expected the encoder the consumer was built with
     * @throws IllegalStateException naming the first field that differs, with both values
     */
    public void requireCompatibleWith(EncoderInfo expected) {
        Objects.requireNonNull(expected, "expected");
        if (dimension != expected.dimension) {
            throw mismatch("embedding dimension " + dimension + " does not match expected dimension " + expected.dimension,
                    expected);
        }
        if (!onnxSha256.equals(expected.onnxSha256)) {
            throw mismatch("ONNX model SHA-256 " + onnxSha256 + " does not match expected " + expected.onnxSha256, expected);
        }
        if (maxTokens != expected.maxTokens) {
            throw mismatch("maxTokens " + maxTokens + " does not match expected " + expected.maxTokens, expected);
        }
        if (pooling != expected.pooling) {
            throw mismatch("pooling " + pooling + " does not match expected " + expected.pooling, expected);
        }
        if (normalize != expected.normalize) {
            throw mismatch("normalize=" + normalize + " does not match expected normalize=" + expected.normalize, expected);
        }
    }

    private IllegalStateException mismatch(String what, EncoderInfo expected) {
        return new IllegalStateException("encoder '" + id + "': " + what + " (expected encoder '" + expected.id
                + "'); load the encoder the vectors were made with");
    }
}

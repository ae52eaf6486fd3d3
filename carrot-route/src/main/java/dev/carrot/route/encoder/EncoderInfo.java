package dev.carrot.route.encoder;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identity and semantics of a {@link PromptEncoder}.
 *
 * <p>A trained router stores its encoder's info and refuses an encoder that would make other vectors
 * ({@link #differenceFrom(EncoderInfo)}); the embedding cache keys its entries by {@link #fingerprint()} so that a
 * different model or configuration never sees another's vectors.
 *
 * @param id         human-readable model id, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param dimension  length of the vectors the encoder returns
 * @param onnxSha256 lower-case hex SHA-256 of the exact ONNX model bytes
 * @param maxTokens  word pieces fed to the model per text, special tokens included (longer texts are truncated)
 * @param pooling    how token vectors are pooled into one vector
 * @param normalize  whether returned vectors are L2-normalised
 * @param textPrefix text put before every prompt before tokenizing, as the model expects it (e5's {@code "query: "});
 *                   empty for most models
 * @param truncation which word pieces of a longer prompt the model reads: the first ({@link Truncation#HEAD}, the
 *                   default) or the last
 */
public record EncoderInfo(String id, int dimension, String onnxSha256, int maxTokens, Pooling pooling, boolean normalize,
                          String textPrefix, Truncation truncation) {

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
        Objects.requireNonNull(textPrefix, () -> "encoder '" + id + "' has textPrefix null; expected \"\" for none");
        Objects.requireNonNull(truncation, () -> "encoder '" + id + "' has truncation null; expected HEAD or TAIL");
    }

    /** An encoder that reads the first word pieces of a longer prompt. */
    public EncoderInfo(String id, int dimension, String onnxSha256, int maxTokens, Pooling pooling, boolean normalize,
                       String textPrefix) {
        this(id, dimension, onnxSha256, maxTokens, pooling, normalize, textPrefix, Truncation.HEAD);
    }

    /** An encoder that puts nothing before the prompt. */
    public EncoderInfo(String id, int dimension, String onnxSha256, int maxTokens, Pooling pooling, boolean normalize) {
        this(id, dimension, onnxSha256, maxTokens, pooling, normalize, "", Truncation.HEAD);
    }

    /** @return a copy that reads {@code truncation}'s word pieces of a longer prompt */
    public EncoderInfo withTruncation(Truncation truncation) {
        return new EncoderInfo(id, dimension, onnxSha256, maxTokens, pooling, normalize, textPrefix, truncation);
    }

    /**
     * A string that changes whenever the vectors for a given text could change: model bytes, truncation length,
     * pooling, normalisation, dimension, text prefix and truncation side (the last two only when there is a prefix
     * and when the side is {@link Truncation#TAIL}, so that other encoders keep the fingerprint, and the cached
     * embeddings, they always had).
     *
     * @return e.g. {@code 6fd5...e2/d384/t256/MEAN/norm}
     */
    public String fingerprint() {
        return onnxSha256 + "/d" + dimension + "/t" + maxTokens + "/" + pooling + (normalize ? "/norm" : "/raw")
                + (textPrefix.isEmpty() ? "" : "/prefix:" + java.util.HexFormat.of().formatHex(
                textPrefix.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                + (truncation == Truncation.HEAD ? "" : "/" + truncation.key());
    }

    /** The first way in which this encoder differs from {@code expected} where vectors would differ. */
    public enum Difference {
        /** Embedding dimension. */
        DIMENSION,
        /** The ONNX model's bytes (SHA-256). */
        MODEL,
        /** Word pieces read per text. */
        MAX_TOKENS,
        /** How token vectors are pooled. */
        POOLING,
        /** Whether vectors are L2-normalised. */
        NORMALIZE,
        /** The text put before every prompt. */
        PREFIX,
        /** Which word pieces of a longer prompt are read. */
        TRUNCATION
    }

    /**
     * The one compatibility check of carrot: can vectors from this encoder be used where {@code expected}'s were
     * (by a router trained with it, or in its embedding cache)? The id does not matter; dimension, model bytes,
     * token limit, pooling, normalisation, text prefix and truncation side do, checked in that order.
     *
     * @return the first difference, or empty when the two encoders make the same vectors
     */
    public java.util.Optional<Difference> differenceFrom(EncoderInfo expected) {
        Objects.requireNonNull(expected, "expected");
        if (dimension != expected.dimension) {
            return java.util.Optional.of(Difference.DIMENSION);
        }
        if (!onnxSha256.equals(expected.onnxSha256)) {
            return java.util.Optional.of(Difference.MODEL);
        }
        if (maxTokens != expected.maxTokens) {
            return java.util.Optional.of(Difference.MAX_TOKENS);
        }
        if (pooling != expected.pooling) {
            return java.util.Optional.of(Difference.POOLING);
        }
        if (normalize != expected.normalize) {
            return java.util.Optional.of(Difference.NORMALIZE);
        }
        if (!textPrefix.equals(expected.textPrefix)) {
            return java.util.Optional.of(Difference.PREFIX);
        }
        if (truncation != expected.truncation) {
            return java.util.Optional.of(Difference.TRUNCATION);
        }
        return java.util.Optional.empty();
    }

    /**
     * Checks that vectors from this encoder can be used where {@code expected} vectors were used
     * ({@link #differenceFrom}).
     *
     * @param expected the encoder the consumer was built with
     * @throws IllegalStateException naming the first field that differs, with both values
     */
    public void requireCompatibleWith(EncoderInfo expected) {
        java.util.Optional<Difference> d = differenceFrom(expected);
        if (d.isEmpty()) {
            return;
        }
        throw mismatch(switch (d.get()) {
            case DIMENSION -> "embedding dimension " + dimension + " does not match expected dimension "
                    + expected.dimension;
            case MODEL -> "ONNX model SHA-256 " + onnxSha256 + " does not match expected " + expected.onnxSha256;
            case MAX_TOKENS -> "maxTokens " + maxTokens + " does not match expected " + expected.maxTokens;
            case POOLING -> "pooling " + pooling + " does not match expected " + expected.pooling;
            case NORMALIZE -> "normalize=" + normalize + " does not match expected normalize=" + expected.normalize;
            case PREFIX -> "text prefix '" + textPrefix + "' does not match expected '" + expected.textPrefix + "'";
            case TRUNCATION -> "truncation " + truncation.key() + " (which word pieces of a longer prompt are read)"
                    + " does not match expected " + expected.truncation.key();
        }, expected);
    }

    private IllegalStateException mismatch(String what, EncoderInfo expected) {
        return new IllegalStateException("encoder '" + id + "': " + what + " (expected encoder '" + expected.id
                + "'); load the encoder the vectors were made with");
    }
}

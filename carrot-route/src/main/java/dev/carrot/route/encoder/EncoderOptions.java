package dev.carrot.route.encoder;


import java.nio.file.Path;
import java.util.Objects;

/**
 * How an ONNX {@link PromptEncoder} is loaded and run.
 *
 * @param batchSize      texts per ONNX Runtime call in {@link PromptEncoder#encodeAll}; 1 to {@value #MAX_BATCH_SIZE}
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per physical core)
 * @param maxTokens      0 to use the model's own truncation length (256 for MiniLM), otherwise the number of word
 *                       pieces, special tokens included, from 2 to {@value #MAX_TOKENS}
 * @param cacheDir       carrot's cache directory; DJL's native library is extracted into {@code cacheDir/djl} (a
 *                       JVM-wide setting, fixed by the first encoder that loads)
 * @param truncation     which word pieces of a prompt longer than {@code maxTokens} are read: the first (the default)
 *                       or the last ({@link Truncation})
 */
public record EncoderOptions(int batchSize, int intraOpThreads, int maxTokens, Path cacheDir, Truncation truncation) {

    /** Default {@link #batchSize()}. */
    public static final int DEFAULT_BATCH_SIZE = 32;
    /** Largest accepted {@link #batchSize()}. */
    public static final int MAX_BATCH_SIZE = 4096;
    /** Largest accepted {@link #maxTokens()}. */
    public static final int MAX_TOKENS = 8192;

    /** Validates every field. */
    public EncoderOptions {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize is " + batchSize + "; expected 1.." + MAX_BATCH_SIZE);
        }
        if (intraOpThreads < 0 || intraOpThreads > 1024) {
            throw new IllegalArgumentException("intraOpThreads is " + intraOpThreads
                    + "; expected 0 (ONNX Runtime's default) or 1..1024");
        }
        if (maxTokens != 0 && (maxTokens < 2 || maxTokens > MAX_TOKENS)) {
            throw new IllegalArgumentException("maxTokens is " + maxTokens + "; expected 0 (the model's default) or 2.."
                    + MAX_TOKENS);
        }
        Objects.requireNonNull(cacheDir, "cacheDir is null; expected a directory such as CarrotHome.cacheDir()");
        Objects.requireNonNull(truncation, "truncation is null; expected Truncation.HEAD (the default) or TAIL");
    }

    /** Options that read the first word pieces of a longer prompt. */
    public EncoderOptions(int batchSize, int intraOpThreads, int maxTokens, Path cacheDir) {
        this(batchSize, intraOpThreads, maxTokens, cacheDir, Truncation.HEAD);
    }

    /**
     * Defaults: batches of 32, ONNX Runtime's thread count, the model's truncation length, {@link CarrotHome#cacheDir()},
     * the first word pieces of a longer prompt.
     */
    public EncoderOptions() {
        this(DEFAULT_BATCH_SIZE, 0, 0, CarrotHome.cacheDir(), Truncation.HEAD);
    }

    /**
     * @return a copy with the token limit and truncation side of an encoder a router was trained with, so that the
     * encoder these options open makes the vectors the router expects
     */
    public EncoderOptions withSettingsOf(EncoderInfo trained) {
        Objects.requireNonNull(trained, "trained");
        return withMaxTokens(trained.maxTokens()).withTruncation(trained.truncation());
    }

    /** @return a copy with {@code batchSize} replaced */
    public EncoderOptions withBatchSize(int batchSize) {
        return new EncoderOptions(batchSize, intraOpThreads, maxTokens, cacheDir, truncation);
    }

    /** @return a copy with {@code intraOpThreads} replaced */
    public EncoderOptions withIntraOpThreads(int intraOpThreads) {
        return new EncoderOptions(batchSize, intraOpThreads, maxTokens, cacheDir, truncation);
    }

    /** @return a copy with {@code maxTokens} replaced */
    public EncoderOptions withMaxTokens(int maxTokens) {
        return new EncoderOptions(batchSize, intraOpThreads, maxTokens, cacheDir, truncation);
    }

    /** @return a copy with {@code truncation} replaced */
    public EncoderOptions withTruncation(Truncation truncation) {
        return new EncoderOptions(batchSize, intraOpThreads, maxTokens, cacheDir, truncation);
    }

    /** @return a copy with {@code cacheDir} replaced */
    public EncoderOptions withCacheDir(Path cacheDir) {
        return new EncoderOptions(batchSize, intraOpThreads, maxTokens, cacheDir, truncation);
    }
}

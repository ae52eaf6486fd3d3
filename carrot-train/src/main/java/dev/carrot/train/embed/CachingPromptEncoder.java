package dev.carrot.train.embed;

import dev.carrot.route.encoder.EncoderOptions;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.PromptEncoder;

/**
 * A {@link PromptEncoder} that answers from an {@link EmbeddingCache} and encodes only what the cache lacks.
 *
 * <p>{@link #encodeAll} looks every text up, encodes the distinct misses in one call to the wrapped encoder, stores
 * them (one new segment) and returns vectors in the caller's order. The {@link BatchStats} it reports carry the number
 * of texts answered without the model in {@link BatchStats#cached()}, so a caller can log "embedded 945 new prompts,
 * 2205 from cache". {@link #stats()} accumulates over the encoder's life. Thread-safe.
 *
 * <p>{@link #close()} flushes and closes the cache and closes the wrapped encoder.
 */
public final class CachingPromptEncoder implements PromptEncoder {

    private static final System.Logger LOG = System.getLogger(CachingPromptEncoder.class.getName());

    private final PromptEncoder delegate;
    private final EmbeddingCache cache;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * @param delegate the encoder that computes misses
     * @param cache    a cache opened for {@code delegate.info()}
     * @throws IllegalStateException if the cache belongs to another encoder configuration
     */
    public CachingPromptEncoder(PromptEncoder delegate, EmbeddingCache cache) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
        if (delegate.info().differenceFrom(cache.info()).isPresent()) {
            throw new IllegalStateException("embedding cache " + cache.directory() + " holds vectors of "
                    + cache.info().fingerprint() + " (encoder '" + cache.info().id() + "') but the encoder is "
                    + delegate.info().fingerprint() + " ('" + delegate.info().id() + "'); open the cache with "
                    + "EmbeddingCache.open(dir, encoder.info())");
        }
    }

    /**
     * Wraps {@code delegate} with the cache of its configuration under {@code embeddingsDir}.
     *
     * @param delegate      the encoder that computes misses
     * @param embeddingsDir root of embedding caches, e.g. {@code CarrotHome.cacheDir("embeddings")}
     * @return the caching encoder
     */
    public static CachingPromptEncoder wrap(PromptEncoder delegate, Path embeddingsDir) {
        return new CachingPromptEncoder(delegate, EmbeddingCache.open(embeddingsDir, delegate.info()));
    }

    /**
     * Wraps {@code delegate} with the persistent cache of its configuration in carrot's cache directory
     * ({@code options.cacheDir()/embeddings}).
     *
     * @param delegate the encoder computing misses (closed with the result)
     * @param options  whose {@link EncoderOptions#cacheDir()} locates the cache
     */
    public static CachingPromptEncoder inCacheDir(PromptEncoder delegate, EncoderOptions options) {
        return wrap(delegate, options.cacheDir().resolve(EMBEDDINGS_DIR));
    }

    /** The folder of embedding caches inside carrot's cache directory. */
    public static final String EMBEDDINGS_DIR = "embeddings";

    @Override
    public EncoderInfo info() {
        return delegate.info();
    }

    /** @return the cache */
    public EmbeddingCache cache() {
        return cache;
    }

    /** @return hits and misses since this encoder was created */
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum());
    }

    @Override
    public float[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null; expected a prompt string (\"\" for an empty prompt)");
        }
        float[] cached = cache.get(text);
        if (cached != null) {
            hits.increment();
            return cached;
        }
        float[] vector = delegate.encode(text);
        cache.put(text, vector);
        misses.increment();
        return vector;
    }

    @Override
    public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
        if (texts == null) {
            throw new IllegalArgumentException("texts is null; expected a list of prompts (possibly empty)");
        }
        Objects.requireNonNull(stats, "stats");
        int n = texts.size();
        float[][] out = new float[n][];
        // distinct missing text -> positions asking for it
        Map<String, List<Integer>> missing = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("texts[" + i + "] is null; expected a prompt string (\"\" for an "
                        + "empty prompt)");
            }
            float[] cached = cache.get(text);
            if (cached != null) {
                out[i] = cached;
            } else {
                missing.computeIfAbsent(text, t -> new ArrayList<>(1)).add(i);
            }
        }
        int encodedCount = missing.size();
        AtomicReference<BatchStats> inner = new AtomicReference<>(BatchStats.EMPTY);
        if (encodedCount > 0) {
            List<String> missTexts = new ArrayList<>(missing.keySet());
            float[][] vectors = delegate.encodeAll(missTexts, inner::set);
            if (vectors.length != encodedCount) {
                throw new IllegalStateException("encoder '" + delegate.info().id() + "' returned " + vectors.length
                        + " vectors for " + encodedCount + " texts");
            }
            cache.putAll(missTexts, vectors);
            int k = 0;
            for (List<Integer> positions : missing.values()) {
                float[] vector = vectors[k++];
                out[positions.get(0)] = vector;
                for (int p = 1; p < positions.size(); p++) {
                    out[positions.get(p)] = vector.clone();
                }
            }
        }
        int cachedCount = n - encodedCount;
        hits.add(cachedCount);
        misses.add(encodedCount);
        BatchStats model = inner.get();
        BatchStats result = new BatchStats(n, cachedCount, model.batches(), model.tokens(), model.paddedTokens(),
                model.unsortedPaddedTokens(), model.truncated());
        LOG.log(Level.DEBUG, () -> "embedded " + encodedCount + " new prompts, " + cachedCount + " from cache ("
                + cache.directory() + ")");
        stats.accept(result);
        return out;
    }

    @Override
    public int countTokens(String text) {
        return delegate.countTokens(text);
    }

    @Override
    public void close() {
        try {
            cache.close();
        } finally {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "CachingPromptEncoder[" + delegate + ", " + cache + "]";
    }
}

package dev.carrot.train.embed;

/**
 * Counts of a {@link CachingPromptEncoder}: {@code hits + misses} is the number of texts asked for.
 *
 * @param hits   texts answered without running the model (found in the cache, or repeated within one call)
 * @param misses texts that were encoded and stored
 */
public record CacheStats(long hits, long misses) {

    /** Nothing asked yet. */
    public static final CacheStats ZERO = new CacheStats(0, 0);

    /** Validates the counts. */
    public CacheStats {
        if (hits < 0 || misses < 0) {
            throw new IllegalArgumentException("CacheStats(hits=" + hits + ", misses=" + misses + "); expected counts >= 0");
        }
    }

    /** @return {@code hits + misses} */
    public long requests() {
        return hits + misses;
    }

    /** @return hits / requests, 0 when nothing was asked */
    public double hitRate() {
        long requests = requests();
        return requests == 0 ? 0.0 : (double) hits / requests;
    }

    /**
     * @param earlier a snapshot taken before
     * @return the counts since {@code earlier}
     */
    public CacheStats minus(CacheStats earlier) {
        return new CacheStats(hits - earlier.hits, misses - earlier.misses);
    }
}

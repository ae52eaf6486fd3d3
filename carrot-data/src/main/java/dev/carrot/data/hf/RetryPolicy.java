package dev.carrot.data.hf;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a transient failure (HTTP 5xx or 429, a connection reset, a stalled transfer) is retried, and how
 * long to wait in between: {@code initialBackoff}, doubled each time, at most {@code maxBackoff}.
 *
 * @param maxAttempts    attempts in all, the first included (at least 1)
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff     the longest wait
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** Like {@code huggingface_hub.file_download.http_get}: five retries, starting at one second. */
    static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(16));

    RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max, got initial="
                    + initialBackoff + ", max=" + maxBackoff);
        }
    }

    /** The wait after failed attempt number {@code attempt} (1-based). */
    Duration backoff(int attempt) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}

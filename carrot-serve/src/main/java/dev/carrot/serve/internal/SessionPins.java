package dev.carrot.serve.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Which model each conversation ({@code x-carrot-session}) was routed to on its first turn: a bounded LRU map whose
 * entries expire when unused for the time-to-live. Thread-safe (one lock; each call is a map operation).
 */
public final class SessionPins {
    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Pin> map; // access order: eldest = least recently used

    private record Pin(String model, long lastUsed) {
    }

    public SessionPins(int capacity, double ttlSeconds, LongSupplier nanoClock) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        if (!(ttlSeconds > 0)) {
            throw new IllegalArgumentException("ttl must be > 0 s, got " + ttlSeconds);
        }
        this.capacity = capacity;
        this.ttlNanos = (long) Math.min(Long.MAX_VALUE / 2.0, ttlSeconds * 1e9);
        this.clock = nanoClock;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Pin> eldest) {
                return size() > SessionPins.this.capacity;
            }
        };
    }

    /** The pinned model of a session, if it has one that has not expired (the pin's clock restarts). */
    public synchronized Optional<String> get(String session) {
        Pin p = map.get(session);
        if (p == null) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        if (now - p.lastUsed > ttlNanos) {
            map.remove(session);
            return Optional.empty();
        }
        map.put(session, new Pin(p.model, now));
        return Optional.of(p.model);
    }

    /** Pins a session to a model unless it already has a live pin; returns the pinned model. */
    public synchronized String pinIfAbsent(String session, String model) {
        Optional<String> live = get(session);
        if (live.isPresent()) {
            return live.get();
        }
        if (capacity > 0) {
            map.put(session, new Pin(model, clock.getAsLong()));
        }
        return model;
    }

    public synchronized int size() {
        return map.size();
    }
}

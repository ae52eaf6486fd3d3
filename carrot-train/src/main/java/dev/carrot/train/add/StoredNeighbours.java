package dev.carrot.train.add;

import dev.carrot.route.knn.KnnIndex;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Each stored prompt's nearest other stored prompts (itself left out), as many as a KNN predictor of the router
 * reads: what that predictor would predict for the stored prompt if it were a new one. {@link ModelAddition} averages
 * the existing models' targets over these lists (each prompt's neighbourhood profile). Computed once per {@code k}
 * and kept: routers that share their stored prompts (the same rows in the same order, as every router trained on one
 * dataset's train and validation prompts does) can share one instance. Thread-safe.
 */
public final class StoredNeighbours {
    private final KnnIndex store;
    private final Map<Integer, int[]> byK = new HashMap<>();

    private StoredNeighbours(KnnIndex store) {
        this.store = store;
    }

    /** The neighbour lists of {@code store}'s rows, computed on first use. */
    public static StoredNeighbours of(KnnIndex store) {
        return new StoredNeighbours(Objects.requireNonNull(store, "store"));
    }

    /** Whether these lists are those of {@code other}'s rows: the same number of rows with the same vectors. */
    boolean fits(KnnIndex other) {
        if (other == store) {
            return true;
        }
        if (other.size() != store.size() || other.dimension() != store.dimension()) {
            return false;
        }
        float[] a = new float[store.dimension()];
        float[] b = new float[store.dimension()];
        int step = Math.max(1, store.size() / 64);
        for (int r = 0; r < store.size(); r += step) {
            store.row(r, a);
            other.row(r, b);
            if (!java.util.Arrays.equals(a, b)) {
                return false;
            }
        }
        store.row(store.size() - 1, a);
        other.row(store.size() - 1, b);
        return java.util.Arrays.equals(a, b);
    }

    /** How many neighbours each list of {@link #lists(int)} holds: {@code k}, or all other rows if fewer. */
    int stride(int k) {
        int kk = Math.min(k, store.size() - 1);
        if (kk < 1) {
            throw new IllegalStateException("a router with one stored prompt has no neighbour profiles");
        }
        return kk;
    }

    /** Row {@code r}'s {@link #stride(int)} nearest other stored rows, nearest first, start at {@code r * stride}. */
    synchronized int[] lists(int k) {
        int kk = stride(k);
        return byK.computeIfAbsent(kk, this::compute);
    }

    private int[] compute(int kk) {
        int n = store.size();
        int[] out = new int[n * kk];
        int[] found = new int[kk + 1];
        float[] q = new float[store.dimension()];
        for (int r = 0; r < n; r++) {
            store.row(r, q);
            int c = store.search(q, kk + 1, found, null);
            int w = 0;
            for (int j = 0; j < c && w < kk; j++) {
                if (found[j] != r) {
                    out[r * kk + w++] = found[j];
                }
            }
            assert w == kk;
        }
        return out;
    }
}

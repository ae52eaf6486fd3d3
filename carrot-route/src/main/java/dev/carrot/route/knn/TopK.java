package dev.carrot.route.knn;

/**
 * The best {@code k} (similarity, row) pairs of a stream whose rows arrive in increasing order: higher similarity
 * wins, then the lower row. The one bounded selection of carrot's nearest-neighbour searches ({@link KnnIndex},
 * {@link NeighbourLists}). Pairs above the threshold are appended to a buffer of {@code 2k}; when it is full, a
 * selection (quickselect, linear time) keeps the best k and raises the threshold to the k-th best similarity. That is
 * O(1) amortised per accepted pair against a heap's O(log k), and a rejected pair costs one comparison.
 *
 * <p>Because rows arrive in increasing order, a pair whose similarity equals the threshold is never better than a
 * kept pair (it loses the tie to every kept row), so the test {@code s > threshold()} is exact. Not thread-safe.
 */
public final class TopK {
    private final int k;
    private final float[] sims;
    private final int[] rows;
    private int n;
    private float threshold = Float.NEGATIVE_INFINITY;

    public TopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.sims = new float[2 * k];
        this.rows = new int[2 * k];
    }

    /** Pairs with a similarity at most this can never enter; negative infinity until k pairs were kept. */
    public float threshold() {
        return threshold;
    }

    /** Offers a pair; {@code row} must be greater than every row offered before. */
    public void offer(float s, int row) {
        if (s > threshold) {
            sims[n] = s;
            rows[n] = row;
            if (++n == sims.length) {
                compact();
            }
        }
    }

    /** Keeps the best k of the buffer and sets the threshold to the k-th best similarity. */
    private void compact() {
        select(0, n - 1, k - 1);
        n = k;
        float min = sims[0];
        for (int i = 1; i < k; i++) {
            min = Math.min(min, sims[i]);
        }
        threshold = min;
    }

    /** True if pair a ranks before pair b. */
    private boolean before(int a, int b) {
        return sims[a] > sims[b] || (sims[a] == sims[b] && rows[a] < rows[b]);
    }

    /** Rearranges {@code [lo, hi]} so that position {@code nth} holds the pair of that rank, better ones before it. */
    private void select(int lo, int hi, int nth) {
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot, moved to hi
            if (before(mid, lo)) {
                swap(mid, lo);
            }
            if (before(hi, lo)) {
                swap(hi, lo);
            }
            if (before(mid, hi)) {
                swap(mid, hi);
            }
            int store = lo;
            for (int i = lo; i < hi; i++) {
                if (before(i, hi)) {
                    swap(i, store++);
                }
            }
            swap(store, hi);
            if (store == nth) {
                return;
            } else if (store < nth) {
                lo = store + 1;
            } else {
                hi = store - 1;
            }
        }
    }

    private void swap(int a, int b) {
        float s = sims[a];
        sims[a] = sims[b];
        sims[b] = s;
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }

    /** How many pairs are kept now (up to 2k before a compaction; {@link #drainSorted} returns at most k). */
    public int size() {
        return Math.min(n, k);
    }

    /**
     * Writes the kept rows best first into {@code outRows} from {@code off} (and their similarities into
     * {@code outSims} from {@code off}, unless it is null) and empties the selection; returns how many: at most k.
     */
    public int drainSorted(int[] outRows, int off, float[] outSims) {
        if (n > k) {
            compact();
        }
        int count = n;
        sort(0, count - 1);
        System.arraycopy(rows, 0, outRows, off, count);
        if (outSims != null) {
            System.arraycopy(sims, 0, outSims, off, count);
        }
        n = 0;
        threshold = Float.NEGATIVE_INFINITY;
        return count;
    }

    /** Quicksort of {@code [lo, hi]} into rank order. */
    private void sort(int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            if (before(mid, lo)) {
                swap(mid, lo);
            }
            if (before(hi, lo)) {
                swap(hi, lo);
            }
            if (before(mid, hi)) {
                swap(mid, hi);
            }
            int store = lo;
            for (int i = lo; i < hi; i++) {
                if (before(i, hi)) {
                    swap(i, store++);
                }
            }
            swap(store, hi);
            if (store - lo < hi - store) {
                sort(lo, store - 1);
                lo = store + 1;
            } else {
                sort(store + 1, hi);
                hi = store - 1;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && before(j, j - 1); j--) {
                swap(j, j - 1);
            }
        }
    }
}

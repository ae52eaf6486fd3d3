package dev.carrot.route.knn;

import dev.carrot.route.vector.VectorOps;

import java.util.Objects;

/**
 * Exact nearest neighbours by cosine similarity over stored unit vectors (so cosine is the dot product).
 *
 * <p>Neighbours come back sorted by decreasing similarity; equal similarities are ordered by increasing row index, so
 * a search is deterministic. Immutable and thread-safe; a search allocates only its small per-call buffers.
 */
public final class KnnIndex {
    private static final int BLOCK = 256;

    private final float[] vectors;
    private final int size;
    private final int dim;
    private final VectorOps ops;

    private KnnIndex(float[] vectors, int dim, VectorOps ops) {
        this.vectors = vectors;
        this.dim = dim;
        this.size = vectors.length / dim;
        this.ops = ops;
    }

    /**
     * An index over {@code vectors} (row-major, {@code dim} columns), which must be L2-normalised. The array is
     * copied.
     *
     * @throws IllegalArgumentException if the length is not a multiple of {@code dim}, a value is not finite, or a
     *                                  row is not of unit length (within 1e-3)
     */
    public static KnnIndex of(float[] vectors, int dim) {
        return of(vectors, dim, VectorOps.get());
    }

    /** As {@link #of(float[], int)}, with the given kernels (for tests and side-by-side benchmarks). */
    public static KnnIndex of(float[] vectors, int dim, VectorOps ops) {
        Objects.requireNonNull(ops, "ops");
        validate(vectors, dim);
        return new KnnIndex(vectors.clone(), dim, ops);
    }

    private static void validate(float[] vectors, int dim) {
        Objects.requireNonNull(vectors, "vectors");
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dim);
        }
        if (vectors.length % dim != 0) {
            throw new IllegalArgumentException("vector array length " + vectors.length + " is not a multiple of the"
                    + " dimension " + dim);
        }
        int n = vectors.length / dim;
        for (int r = 0; r < n; r++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                float v = vectors[r * dim + j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("row " + r + " has a non-finite value " + v + " at column " + j);
                }
                norm += (double) v * v;
            }
            if (Math.abs(Math.sqrt(norm) - 1.0) > 1e-3) {
                throw new IllegalArgumentException("row " + r + " has L2 norm " + Math.sqrt(norm)
                        + ", expected 1 (store L2-normalised embeddings)");
            }
        }
    }

    /**
     * As {@link #of(float[], int)} but without the copy: the caller hands the array over and must not touch it
     * again. For loaders of large artifacts, where a second copy would double the heap.
     */
    public static KnnIndex adopt(float[] vectors, int dim) {
        validate(vectors, dim);
        return new KnnIndex(vectors, dim, VectorOps.get());
    }

    public int size() {
        return size;
    }

    public int dimension() {
        return dim;
    }

    /** A copy of the stored vectors. */
    public float[] vectors() {
        return vectors.clone();
    }

    /** Row {@code r} of the stored vectors into {@code out}. */
    public void row(int r, float[] out) {
        System.arraycopy(vectors, Objects.checkIndex(r, size) * dim, out, 0, dim);
    }

    /**
     * The {@code k} stored rows most similar to {@code query} (a unit vector of this index's dimension).
     *
     * @param outIdx receives row indices, most similar first; length >= min(k, size())
     * @param outSim receives their similarities; same length, may be {@code null}
     * @return the number of neighbours written: {@code min(k, size())}
     */
    public int search(float[] query, int k, int[] outIdx, float[] outSim) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query dimension " + query.length + " does not match index dimension "
                    + dim);
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        int kk = Math.min(k, size);
        TopK top = new TopK(kk);
        float[] block = new float[Math.min(BLOCK, Math.max(1, size))];
        for (int start = 0; start < size; start += BLOCK) {
            int rows = Math.min(BLOCK, size - start);
            ops.dotRows(query, vectors, dim, start, rows, block);
            for (int r = 0; r < rows; r++) {
                top.offer(block[r], start + r);
            }
        }
        return top.drainSorted(outIdx, outSim);
    }

    /**
     * Bounded selection of the best {@code k} (similarity, index) pairs: higher similarity wins, then lower index.
     * A binary min-heap whose root is the worst pair kept.
     */
    public static final class TopK {
        private final float[] sims;
        private final int[] idx;
        private final int k;
        private int n;

        public TopK(int k) {
            if (k <= 0) {
                throw new IllegalArgumentException("k must be > 0, got " + k);
            }
            this.k = k;
            this.sims = new float[k];
            this.idx = new int[k];
        }

        /** True if (s1, i1) ranks below (s2, i2). */
        private static boolean worse(float s1, int i1, float s2, int i2) {
            return s1 < s2 || (s1 == s2 && i1 > i2);
        }

        public void offer(float s, int i) {
            if (n < k) {
                int c = n++;
                sims[c] = s;
                idx[c] = i;
                siftUp(c);
            } else if (worse(sims[0], idx[0], s, i)) {
                sims[0] = s;
                idx[0] = i;
                siftDown(0);
            }
        }

        /** The current worst similarity kept, or negative infinity while fewer than k are kept. */
        public float threshold() {
            return n < k ? Float.NEGATIVE_INFINITY : sims[0];
        }

        public int size() {
            return n;
        }

        private void siftUp(int c) {
            while (c > 0) {
                int p = (c - 1) >>> 1;
                if (worse(sims[c], idx[c], sims[p], idx[p])) {
                    swap(c, p);
                    c = p;
                } else {
                    break;
                }
            }
        }

        private void siftDown(int p) {
            while (true) {
                int l = 2 * p + 1;
                if (l >= n) {
                    return;
                }
                int r = l + 1;
                int w = r < n && worse(sims[r], idx[r], sims[l], idx[l]) ? r : l;
                if (worse(sims[w], idx[w], sims[p], idx[p])) {
                    swap(w, p);
                    p = w;
                } else {
                    return;
                }
            }
        }

        private void swap(int a, int b) {
            float s = sims[a];
            sims[a] = sims[b];
            sims[b] = s;
            int t = idx[a];
            idx[a] = idx[b];
            idx[b] = t;
        }

        /** Writes the kept pairs best first and empties this selection; returns how many. */
        public int drainSorted(int[] outIdx, float[] outSim) {
            int count = n;
            for (int pos = count - 1; pos >= 0; pos--) {
                outIdx[pos] = idx[0];
                if (outSim != null) {
                    outSim[pos] = sims[0];
                }
                n--;
                if (n > 0) {
                    sims[0] = sims[n];
                    idx[0] = idx[n];
                    siftDown(0);
                }
            }
            return count;
        }
    }
}

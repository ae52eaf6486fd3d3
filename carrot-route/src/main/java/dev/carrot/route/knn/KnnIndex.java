package dev.carrot.route.knn;

import dev.carrot.route.internal.vector.VectorOps;

import java.util.Arrays;
import java.util.Objects;

/**
 * Exact nearest neighbours by cosine similarity over stored unit vectors (so cosine is the dot product).
 *
 * <p>Neighbours come back sorted by decreasing similarity; equal similarities are ordered by increasing row index, so
 * a search is deterministic. Immutable and thread-safe, without locks; a search allocates only its per-call buffers.
 *
 * <p>Large indexes ({@value #PREFILTER_MIN_ROWS} rows or more, see {@link Prefilter}) also keep int8 codes of their
 * rows (a quarter of the float32 size, built when the index is created) and {@link #search} scans those first: every
 * row gets an approximate similarity with a proven error bound, every row whose upper bound reaches a lower bound of
 * the k-th best lower bound is a candidate, and only the candidates are rescored in float32 with the same kernel as
 * the plain scan. The true top-k is always among the candidates (see {@link Int8Rows} for the bound), so
 * {@link #search} returns exactly what {@link #searchExact} returns, bit for bit, for a quarter of the memory traffic.
 * On 37,000 MiniLM embeddings a search at k = 512 rescores about 800 rows.
 */
public final class KnnIndex {
    /** Rows from which an index keeps int8 codes and {@link #search} prefilters with them. */
    public static final int PREFILTER_MIN_ROWS = 4096;
    private static final int BLOCK = 256;
    /** The prefilter pays off while k is at most this fraction of the rows. */
    private static final int PREFILTER_MAX_K_FRACTION = 8;

    private final float[] vectors;
    private final int size;
    private final int dim;
    private final VectorOps ops;
    private final Prefilter prefilter;
    private final Int8Rows codes; // null when the index does not prefilter

    /** Which arithmetic kernels an index computes with; results are the same bit for bit either way. */
    public enum Kernels {
        /** The SIMD kernels of {@code jdk.incubator.vector} when the JVM has them, else the scalar ones (default). */
        BEST,
        /** Plain scalar loops (tests and side-by-side benchmarks). */
        SCALAR;

        VectorOps ops() {
            return this == BEST ? VectorOps.get() : VectorOps.scalar();
        }

        /**
         * A tile of cosine similarities between unit rows, each bit for bit what a search with these kernels
         * computes for that pair: {@code out[outOff + i * outStride + j] = <a[aRow + i], b[bRow + j]>} for
         * {@code i < aRows, j < bRows}, rows of {@code dim} floats. For batch searches (cross-validation neighbour
         * lists); keep the tile small enough to stay in cache (for example 64 x 128 rows of 384 floats).
         */
        public void similarities(float[] a, int aRow, int aRows, float[] b, int bRow, int bRows, int dim,
                                 float[] out, int outOff, int outStride) {
            ops().dotBlock(a, aRow, aRows, b, bRow, bRows, dim, out, outOff, outStride);
        }
    }

    /** Whether {@link #search} goes through the int8 prefilter; its results are the same either way. */
    public enum Prefilter {
        /** From {@value #PREFILTER_MIN_ROWS} rows, and while k is small next to the size (the default). */
        AUTO,
        /** Always, whatever the size (tests, benchmarks). */
        ALWAYS,
        /** Never: {@link #search} is the plain float32 scan and the index keeps no codes (side-by-side benchmarks). */
        NEVER
    }

    private KnnIndex(float[] vectors, int dim, VectorOps ops, Prefilter prefilter) {
        this.vectors = vectors;
        this.dim = dim;
        this.size = vectors.length / dim;
        this.ops = ops;
        this.prefilter = prefilter;
        boolean keep = prefilter == Prefilter.ALWAYS
                || (prefilter == Prefilter.AUTO && size >= PREFILTER_MIN_ROWS);
        this.codes = keep && Int8Rows.levels(dim) >= 127 ? Int8Rows.of(vectors, dim) : null;
    }

    /**
     * An index over {@code vectors} (row-major, {@code dim} columns), which must be L2-normalised. The array is
     * copied.
     *
     * @throws IllegalArgumentException if the length is not a multiple of {@code dim}, a value is not finite, or a
     *                                  row is not of unit length (within 1e-3)
     */
    public static KnnIndex of(float[] vectors, int dim) {
        return of(vectors, dim, Kernels.BEST, Prefilter.AUTO);
    }

    /** As {@link #of(float[], int)}, with the given kernels and prefilter policy (tests, side-by-side benchmarks). */
    public static KnnIndex of(float[] vectors, int dim, Kernels kernels, Prefilter prefilter) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(prefilter, "prefilter");
        validate(vectors, dim);
        return new KnnIndex(vectors.clone(), dim, kernels.ops(), prefilter);
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
        checkUnitRows(vectors, dim, "store L2-normalised embeddings");
    }

    /**
     * Checks that every row is finite and of unit length (within 1e-3).
     *
     * @param fix what to do instead, for the message
     * @throws IllegalArgumentException naming the first bad row and column
     */
    public static void checkUnitRows(float[] vectors, int dim, String fix) {
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
                        + ", expected 1 (" + fix + ")");
            }
        }
    }

    /**
     * As {@link #of(float[], int)} but without the copy: the caller hands the array over and must not touch it
     * again. For loaders of large artifacts, where a second copy would double the heap.
     */
    public static KnnIndex adopt(float[] vectors, int dim) {
        validate(vectors, dim);
        return new KnnIndex(vectors, dim, VectorOps.get(), Prefilter.AUTO);
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

    /** The name of the kernels this index computes with ({@code panama-256}, {@code scalar}). */
    public String kernels() {
        return ops.name();
    }

    /** The prefilter policy. */
    public Prefilter prefilter() {
        return prefilter;
    }

    /** Whether this index keeps int8 codes, so that {@link #search} can prefilter with them. */
    public boolean hasCodes() {
        return codes != null;
    }

    /** Bytes of heap held by the index's arrays (vectors, and codes when it keeps them). */
    public long heapBytes() {
        return 4L * vectors.length + (codes == null ? 0 : codes.bytes());
    }

    /**
     * The {@code k} stored rows most similar to {@code query} (of this index's dimension; normally a unit vector).
     * Exactly the result of {@link #searchExact}, found through the int8 prefilter when the index keeps codes and
     * {@code k} is small next to the size.
     *
     * @param outIdx receives row indices, most similar first; length >= min(k, size())
     * @param outSim receives their similarities; same length, may be {@code null}
     * @return the number of neighbours written: {@code min(k, size())}
     * @throws IllegalArgumentException if the query has the wrong dimension or a non-finite value, or k < 1
     */
    public int search(float[] query, int k, int[] outIdx, float[] outSim) {
        double qNorm = checkQuery(query, k);
        int kk = Math.min(k, size);
        if (codes != null && (prefilter == Prefilter.ALWAYS || (long) kk * PREFILTER_MAX_K_FRACTION <= size)) {
            return prefiltered(query, qNorm, kk, outIdx, outSim, null);
        }
        return scan(query, kk, outIdx, outSim);
    }

    /**
     * The plain float32 scan: every stored row's similarity, a bounded selection of the best. The reference that
     * {@link #search} equals; for tests and side-by-side benchmarks.
     */
    public int searchExact(float[] query, int k, int[] outIdx, float[] outSim) {
        checkQuery(query, k);
        return scan(query, Math.min(k, size), outIdx, outSim);
    }

    /**
     * The prefiltered search even where {@link #search} would scan (tests); the index must keep codes.
     *
     * @param stats if not null, receives the rows kept while scanning ({@code stats[0]}) and the rows rescored in
     *              float32 ({@code stats[1]})
     */
    int searchPrefiltered(float[] query, int k, int[] outIdx, float[] outSim, int[] stats) {
        double qNorm = checkQuery(query, k);
        if (codes == null) {
            throw new IllegalStateException("index of " + size + " rows keeps no int8 codes (needs "
                    + PREFILTER_MIN_ROWS + ")");
        }
        return prefiltered(query, qNorm, Math.min(k, size), outIdx, outSim, stats);
    }

    /** Validates a query; returns its L2 norm. */
    private double checkQuery(float[] query, int k) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query dimension " + query.length + " does not match index dimension "
                    + dim);
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        double norm = 0;
        for (int j = 0; j < dim; j++) {
            float v = query[j];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("query has a non-finite value " + v + " at column " + j);
            }
            norm += (double) v * v;
        }
        return Math.sqrt(norm);
    }

    private int scan(float[] query, int kk, int[] outIdx, float[] outSim) {
        TopK top = new TopK(kk);
        float[] block = new float[Math.min(BLOCK, Math.max(1, size))];
        for (int start = 0; start < size; start += BLOCK) {
            int rows = Math.min(BLOCK, size - start);
            ops.dotRows(query, vectors, dim, start, rows, block);
            for (int r = 0; r < rows; r++) {
                top.offer(block[r], start + r);
            }
        }
        return top.drainSorted(outIdx, 0, outSim);
    }

    /**
     * Int8 scan with bounds, then exact rescoring of the candidates. A row is a candidate while its upper bound
     * reaches the threshold, a lower bound of the k-th best lower bound seen so far; the threshold only rises, so a
     * row dropped early would also be dropped at the end. At least k rows have lower bounds, hence exact
     * similarities, of at least the final threshold L, so every row of the exact top-k (ties included) has an exact
     * similarity, hence an upper bound, of at least L: it is a candidate.
     */
    private int prefiltered(float[] query, double qNorm, int kk, int[] outIdx, float[] outSim, int[] stats) {
        Int8Rows.Query qc = codes.quantise(query, qNorm);
        if (qc == null) { // a zero, tiny or huge query: scan plainly
            if (stats != null) {
                stats[0] = size;
                stats[1] = size;
            }
            return scan(query, kk, outIdx, outSim);
        }
        int[] p = qc.codes();
        float t = qc.scale();
        float qn = qc.norm();
        float fixed = qc.fixed();
        byte[] c = codes.codes;
        float[] scale = codes.scale;
        float[] slack = codes.slack;
        // every lower bound a - b lies in [-span, span]: |a| <= |q| |x| (1 + g) + bound and |x| <= 1.001
        float span = 1.01f * (qn * (1.002f + 2 * codes.maxSlack) + 2 * fixed);
        LowerBounds lower = new LowerBounds(kk, -span, span);
        float threshold = Float.NEGATIVE_INFINITY;
        int[] cand = new int[Math.min(size, Math.max(8 * kk + 1024, size / 4))];
        float[] candHigh = new float[cand.length];
        int nc = 0;
        int[] raw = new int[BLOCK];
        int[] hits = new int[BLOCK];
        for (int start = 0; start < size; start += BLOCK) {
            int rows = Math.min(BLOCK, size - start);
            ops.dotRowsInt8(p, c, dim, start, rows, raw);
            int nh = ops.int8Candidates(raw, scale, slack, start, rows, t, qn, fixed, threshold, hits);
            for (int h = 0; h < nh; h++) {
                int r = hits[h];
                int row = start + r;
                float a = scale[row] * t * raw[r];
                float b = qn * slack[row] + fixed;
                float high = a + b;
                if (high >= threshold) { // the threshold may have risen within the block
                    float low = a - b;
                    if (low > threshold) {
                        threshold = lower.offer(low);
                    }
                    if (nc == cand.length) {
                        int grown = (int) Math.min(size, 2L * cand.length);
                        cand = Arrays.copyOf(cand, grown);
                        candHigh = Arrays.copyOf(candHigh, grown);
                    }
                    cand[nc] = row;
                    candHigh[nc] = high;
                    nc++;
                }
            }
        }
        int rescored = 0;
        for (int i = 0; i < nc; i++) {
            if (candHigh[i] >= threshold) {
                cand[rescored++] = cand[i];
            }
        }
        TopK top = new TopK(kk);
        float[] sims = new float[Math.min(BLOCK, rescored)];
        for (int from = 0; from < rescored; from += BLOCK) {
            int count = Math.min(BLOCK, rescored - from);
            ops.dotRowsAt(query, vectors, dim, cand, from, count, sims);
            for (int i = 0; i < count; i++) {
                top.offer(sims[i], cand[from + i]);
            }
        }
        if (stats != null) {
            stats[0] = nc;
            stats[1] = rescored;
        }
        return top.drainSorted(outIdx, 0, outSim);
    }

    /**
     * A lower bound of the k-th largest of a stream of lower bounds, in O(1) per value: a histogram over
     * {@code [lo, hi]} (which must contain every value offered) whose buckets below the current edge are no longer
     * counted. The edge is the highest bucket with at least k values at or above it, and the threshold is the lower
     * edge of the bucket below that one, so float rounding in the bucket arithmetic can never put it above a counted
     * value. It trails the exact k-th largest by at most two bucket widths (about 0.001 for unit vectors).
     */
    private static final class LowerBounds {
        private static final int BUCKETS = 4096;
        private final int k;
        private final float base;
        private final float width;
        private final float inv;
        private final int[] counts = new int[BUCKETS];
        private int edge;
        private int above;
        private float threshold = Float.NEGATIVE_INFINITY;

        LowerBounds(int k, float lo, float hi) {
            this.k = k;
            this.base = lo;
            this.width = (hi - lo) / BUCKETS;
            this.inv = BUCKETS / (hi - lo);
        }

        /** Adds {@code v} (in {@code [lo, hi]}); returns the threshold, negative infinity until k values came. */
        float offer(float v) {
            int b = Math.max(0, Math.min(BUCKETS - 1, (int) ((v - base) * inv)));
            if (b >= edge) {
                counts[b]++;
                if (++above >= k) {
                    while (above - counts[edge] >= k) {
                        above -= counts[edge++];
                    }
                    threshold = base + (edge - 1) * width;
                }
            }
            return threshold;
        }
    }
}

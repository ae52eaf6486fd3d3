package dev.carrot.route.internal.vector;

/**
 * The numeric kernels on the routing hot path, over flat {@code float[]} arrays. Two implementations: a Vector API
 * (SIMD) one and a plain scalar one, chosen once at start-up by {@link #get()}.
 *
 * <p>Implementations are stateless and thread-safe. Results of the two may differ in the last bits because they sum
 * in a different order; within one implementation every kernel that returns a dot product of two float rows
 * ({@link #dot}, {@link #dotRows}, {@link #dotBlock}) returns bit-for-bit the same value for the same pair, so an
 * exact search may compute a similarity with any of them and compare it with one computed by another.
 */
public interface VectorOps {

    /** Dot product of {@code a[aOff .. aOff+len)} and {@code b[bOff .. bOff+len)}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int len);

    /**
     * Dot products of {@code query} with each of {@code rows} consecutive rows of {@code matrix} (row-major,
     * {@code dim} columns, starting at row {@code firstRow}): {@code out[r - firstRow] = <query, matrix[r]>}, each
     * equal to {@link #dot} of that pair.
     */
    void dotRows(float[] query, float[] matrix, int dim, int firstRow, int rows, float[] out);

    /**
     * Dot products of {@code query} with the rows {@code rows[from .. from+count)} of {@code matrix} (row-major,
     * {@code dim} columns): {@code out[i] = <query, matrix[rows[from + i]]>}, each equal to {@link #dot} of that pair.
     * Rows are fetched a few at a time so their memory loads overlap.
     */
    void dotRowsAt(float[] query, float[] matrix, int dim, int[] rows, int from, int count, float[] out);

    /**
     * Exact integer dot products of {@code query} with each of {@code rows} consecutive rows of int8 {@code codes}
     * (row-major, {@code dim} columns, from row {@code firstRow}):
     * {@code out[r] = sum_j query[j] * codes[(firstRow + r) * dim + j]}. Exact as long as the sum cannot overflow an
     * int, which the caller ensures by keeping {@code |query[j]| <= Integer.MAX_VALUE / (128 * dim)}.
     */
    void dotRowsInt8(int[] query, byte[] codes, int dim, int firstRow, int rows, int[] out);

    /**
     * The candidate test of an int8 prefilter: writes to {@code out} (in increasing order) every {@code i < rows}
     * whose upper bound {@code high = scale[first + i] * t * raw[i] + (qn * slack[first + i] + fixed)} reaches
     * {@code threshold}, each product and sum rounded in float in that order, and returns how many.
     */
    int int8Candidates(int[] raw, float[] scale, float[] slack, int first, int rows, float t, float qn, float fixed,
                       float threshold, int[] out);

    /**
     * A tile of a matrix product:
     * {@code out[outOff + i * outStride + j] = dot(a, (aRow + i) * dim, b, (bRow + j) * dim, dim)} for {@code i < aRows, j < bRows}, each bit-for-bit equal to {@link #dot} of that pair. Keep the tile small
     * enough to stay in cache (for example 64 x 64 rows of 384 floats); rows of {@code a} are reused across rows of
     * {@code b} in registers.
     */
    void dotBlock(float[] a, int aRow, int aRows, float[] b, int bRow, int bRows, int dim, float[] out, int outOff,
                  int outStride);

    /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i < len}. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len);

    /** A name for logs and benchmarks ({@code panama-256}, {@code scalar}). */
    String name();

    /** The implementation chosen for this JVM: SIMD when {@code jdk.incubator.vector} is available, else scalar. */
    static VectorOps get() {
        return VectorOpsProvider.INSTANCE;
    }

    /** The scalar implementation, always available (for tests and side-by-side benchmarks). */
    static VectorOps scalar() {
        return ScalarVectorOps.INSTANCE;
    }
}

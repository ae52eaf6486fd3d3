package dev.carrot.route.vector;

/**
 * The numeric kernels on the routing hot path, over flat {@code float[]} arrays. Two implementations: a Vector API
 * (SIMD) one and a plain scalar one, chosen once at start-up by {@link #get()}.
 *
 * <p>Implementations are stateless and thread-safe. Results of the two may differ in the last bits because they sum
 * in a different order.
 */
public interface VectorOps {

    /** Dot product of {@code a[aOff .. aOff+len)} and {@code b[bOff .. bOff+len)}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int len);

    /**
     * Dot products of {@code query} with each of {@code rows} consecutive rows of {@code matrix} (row-major,
     * {@code dim} columns, starting at row {@code firstRow}): {@code out[r - firstRow] = <query, matrix[r]>}.
     */
    void dotRows(float[] query, float[] matrix, int dim, int firstRow, int rows, float[] out);

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

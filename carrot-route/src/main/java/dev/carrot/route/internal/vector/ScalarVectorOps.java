package dev.carrot.route.internal.vector;

/** Plain indexed loops; the fallback when the Vector API is not available. */
final class ScalarVectorOps implements VectorOps {
    static final ScalarVectorOps INSTANCE = new ScalarVectorOps();

    private ScalarVectorOps() {
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        // four independent accumulators let the CPU overlap the additions
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void dotRows(float[] query, float[] matrix, int dim, int firstRow, int rows, float[] out) {
        for (int r = 0; r < rows; r++) {
            out[r] = dot(query, 0, matrix, (firstRow + r) * dim, dim);
        }
    }

    @Override
    public void dotRowsAt(float[] query, float[] matrix, int dim, int[] rows, int from, int count, float[] out) {
        for (int i = 0; i < count; i++) {
            out[i] = dot(query, 0, matrix, rows[from + i] * dim, dim);
        }
    }

    @Override
    public void dotRowsInt8(int[] query, byte[] codes, int dim, int firstRow, int rows, int[] out) {
        for (int r = 0; r < rows; r++) {
            int off = (firstRow + r) * dim;
            int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < dim; i += 4) {
                s0 += query[i] * codes[off + i];
                s1 += query[i + 1] * codes[off + i + 1];
                s2 += query[i + 2] * codes[off + i + 2];
                s3 += query[i + 3] * codes[off + i + 3];
            }
            for (; i < dim; i++) {
                s0 += query[i] * codes[off + i];
            }
            out[r] = s0 + s1 + s2 + s3;
        }
    }

    @Override
    public int int8Candidates(int[] raw, float[] scale, float[] slack, int first, int rows, float t, float qn,
                              float fixed, float threshold, int[] out) {
        int n = 0;
        for (int i = 0; i < rows; i++) {
            float a = scale[first + i] * t * raw[i];
            float b = qn * slack[first + i] + fixed;
            if (a + b >= threshold) {
                out[n++] = i;
            }
        }
        return n;
    }

    @Override
    public void dotBlock(float[] a, int aRow, int aRows, float[] b, int bRow, int bRows, int dim, float[] out,
                         int outOff, int outStride) {
        for (int i = 0; i < aRows; i++) {
            int ai = (aRow + i) * dim;
            int o = outOff + i * outStride;
            for (int j = 0; j < bRows; j++) {
                out[o + j] = dot(a, ai, b, (bRow + j) * dim, dim);
            }
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}

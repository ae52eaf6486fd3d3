package dev.carrot.route.knn;

/**
 * Int8 codes of unit rows with a proven error bound: the prefilter of {@link KnnIndex}'s exact search.
 *
 * <p>Row {@code x} is stored as a scale {@code s} and codes {@code c_j = round(x_j / s)},
 * {@code s = max_j |x_j| / 127};
 * a query {@code q} is quantised per search to integers {@code p_j = round(q_j / t)} with {@code |p_j| <= levels}.
 * The prefilter's approximate similarity is {@code a = s t <p, c>}, from an exact integer dot product; the float32
 * kernel's similarity is {@code v = fl(<q, x>)}. With {@code e = x - s c} and {@code f = q - t p} (exact
 * arithmetic), {@code u = 2^-24} and {@code g = (dim + 2) * 2u}:
 * <pre>
 *   <q,x> - s t <p,c>  =  <q, e> + s <f, c>
 *   |<q, e>|           <= |q| |e|                                 (Cauchy-Schwarz)
 *   |s <f, c>|         <= |f| s|c| <= |f| maxScaledCodeNorm
 *   |v - <q, x>|       <= g sum_j |q_j x_j| <= g |q| |x|            (a float inner product, any summation order)
 *   so |a - v| <= |q| slack + |f| maxScaledCodeNorm + rounding of a,   slack = |e| + g |x|
 * </pre>
 * {@code slack} is computed per row in double (every {@code x_j - s c_j} is exact in double) and rounded up with a
 * relative margin of 1e-5; the search adds {@code |q| 2^-18} for the few float roundings in computing {@code a} and
 * {@code a +- bound}. For MiniLM embeddings {@code slack} is about 0.0075, against similarities spread over about 0.1.
 */
final class Int8Rows {
    /** Relative inflation covering the double-precision arithmetic of the bounds. */
    static final double INFLATE = 1 + 1e-5;

    final byte[] codes;
    final float[] scale;
    final float[] slack;
    /** An upper bound of {@code s |c|} over all rows. */
    final float maxScaledCodeNorm;
    /** The largest slack. */
    final float maxSlack;
    /** The largest query integer magnitude for which {@code <p, c>} cannot overflow an int. */
    final int levels;

    private Int8Rows(byte[] codes, float[] scale, float[] slack, float maxScaledCodeNorm, int levels) {
        this.codes = codes;
        this.scale = scale;
        this.slack = slack;
        this.maxScaledCodeNorm = maxScaledCodeNorm;
        float m = 0;
        for (float v : slack) {
            m = Math.max(m, v);
        }
        this.maxSlack = m;
        this.levels = levels;
    }

    /** The query levels usable at dimension {@code dim}, at most 2^15 - 1. */
    static int levels(int dim) {
        return (int) Math.min(32767, Integer.MAX_VALUE / (128L * dim));
    }

    /** Codes of every row of {@code vectors} (row-major, {@code dim} columns), which must be finite. */
    static Int8Rows of(float[] vectors, int dim) {
        int n = vectors.length / dim;
        byte[] codes = new byte[vectors.length];
        float[] scale = new float[n];
        float[] slack = new float[n];
        double g = (dim + 2) * 0x1p-23;
        double maxSc = 0;
        for (int r = 0; r < n; r++) {
            int off = r * dim;
            float max = 0;
            for (int j = 0; j < dim; j++) {
                max = Math.max(max, Math.abs(vectors[off + j]));
            }
            float s = max / 127f;
            double err = 0;
            double codeNorm = 0;
            double norm = 0;
            if (s > 0) {
                float inv = 127f / max;
                for (int j = 0; j < dim; j++) {
                    float x = vectors[off + j];
                    int c = Math.max(-127, Math.min(127, Math.round(x * inv)));
                    codes[off + j] = (byte) c;
                    double e = (double) x - (double) s * c; // exact in double
                    err += e * e;
                    codeNorm += (double) c * c;
                    norm += (double) x * x;
                }
            } else {
                for (int j = 0; j < dim; j++) {
                    double x = vectors[off + j];
                    err += x * x;
                    norm += x * x;
                }
            }
            scale[r] = s;
            slack[r] = Math.nextUp((float) ((Math.sqrt(err) + g * Math.sqrt(norm)) * INFLATE));
            maxSc = Math.max(maxSc, s * Math.sqrt(codeNorm));
        }
        return new Int8Rows(codes, scale, slack, Math.nextUp((float) (maxSc * INFLATE)), levels(dim));
    }

    /**
     * A query quantised for {@link #codes}: the prefilter's similarity with row r is {@code a = scale[r] * scale()
     * * <codes(), c_r>} (an exact int dot product, then two float products), and the float32 kernel's similarity
     * lies within {@code norm() * slack[r] + fixed()} of it, up to the float rounding of those few operations, which
     * {@code fixed()} also covers.
     *
     * @param codes integers p with {@code |p_j| <= levels}
     * @param scale t, the query's scale
     * @param norm  an upper bound of |q|
     * @param fixed {@code |f| maxScaledCodeNorm + |q| 2^-18}, with {@code f = q - t p}
     */
    record Query(int[] codes, float scale, float norm, float fixed) {
    }

    /**
     * Quantises {@code query} (finite, of L2 norm {@code qNorm}); null when its norm is zero or outside
     * [1e-18, 1e18], where float under- or overflow in the bound arithmetic could void the bound (the search then
     * scans plainly).
     */
    Query quantise(float[] query, double qNorm) {
        if (!(qNorm >= 1e-18 && qNorm <= 1e18)) {
            return null;
        }
        int dim = query.length;
        float qMax = 0;
        for (int j = 0; j < dim; j++) {
            qMax = Math.max(qMax, Math.abs(query[j]));
        }
        if (qMax == 0) {
            return null;
        }
        float t = qMax / levels;
        float inv = levels / qMax;
        int[] p = new int[dim];
        double fSq = 0;
        for (int j = 0; j < dim; j++) {
            int v = Math.max(-levels, Math.min(levels, Math.round(query[j] * inv)));
            p[j] = v;
            double f = (double) query[j] - (double) t * v; // exact in double: t has 24 bits, v at most 16
            fSq += f * f;
        }
        float qn = Math.nextUp((float) (qNorm * INFLATE));
        float fixed = Math.nextUp((float) (Math.sqrt(fSq) * INFLATE * maxScaledCodeNorm)) + qn * 0x1p-18f;
        return new Query(p, t, qn, Math.nextUp(fixed));
    }

    /** Bytes held (codes, scales and slacks), for heap accounting. */
    long bytes() {
        return codes.length + 8L * scale.length;
    }
}

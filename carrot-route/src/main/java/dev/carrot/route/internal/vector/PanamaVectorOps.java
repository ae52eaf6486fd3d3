package dev.carrot.route.internal.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the Vector API ({@code jdk.incubator.vector}, needs {@code --add-modules jdk.incubator.vector}).
 * Only loaded through {@link VectorOpsProvider}, which falls back to scalar code when the module is absent.
 *
 * <p>Every float dot product is summed in one order: lanes of even vector chunks into one accumulator, odd chunks
 * into a second, the two added, the lanes reduced, then the scalar tail. {@link #dotRows}, {@link #dotRowsAt} and
 * {@link #dotBlock} keep that order per pair, so their results equal {@link #dot}'s bit for bit. (The lane reduction
 * runs in lane order both in the interpreter and in JDK 17's C2 code on x86, so compiled and interpreted callers
 * agree too; {@code VectorOpsTest} and the exactness tests of {@code KnnIndex} would catch a JIT that reorders it.)
 */
final class PanamaVectorOps implements VectorOps {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #INTS}, widened to ints by one conversion. */
    private static final VectorSpecies<Byte> BYTES = INTS.length() >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.length() * 8)) : null;

    PanamaVectorOps() {
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(len);
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + step < bound; i += 2 * step) {
            acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + step)
                    .fma(FloatVector.fromArray(SPECIES, b, bOff + i + step), acc1);
        }
        for (; i < bound; i += step) {
            acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void dotRows(float[] query, float[] matrix, int dim, int firstRow, int rows, float[] out) {
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            int o = (firstRow + r) * dim;
            kernel1x4(query, matrix, o, o + dim, o + 2 * dim, o + 3 * dim, dim, out, r);
        }
        for (; r < rows; r++) {
            out[r] = dot(query, 0, matrix, (firstRow + r) * dim, dim);
        }
    }

    @Override
    public void dotRowsAt(float[] query, float[] matrix, int dim, int[] rows, int from, int count, float[] out) {
        int i = 0;
        // four scattered rows at once, so their cache misses overlap (with more live vectors C2 drops the intrinsics)
        for (; i + 3 < count; i += 4) {
            kernel1x4(query, matrix, rows[from + i] * dim, rows[from + i + 1] * dim, rows[from + i + 2] * dim,
                    rows[from + i + 3] * dim, dim, out, i);
        }
        for (; i < count; i++) {
            out[i] = dot(query, 0, matrix, rows[from + i] * dim, dim);
        }
    }

    /** The query against four rows of {@code m} at offsets {@code b0..b3}, each pair summed as {@link #dot} sums it. */
    private static void kernel1x4(float[] q, float[] m, int b0, int b1, int b2, int b3, int dim, float[] out,
                                  int o) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(dim);
        FloatVector e0 = FloatVector.zero(SPECIES), e1 = e0, e2 = e0, e3 = e0;
        FloatVector o0 = e0, o1 = e0, o2 = e0, o3 = e0;
        int i = 0;
        for (; i + step < bound; i += 2 * step) {
            FloatVector x = FloatVector.fromArray(SPECIES, q, i);
            e0 = x.fma(FloatVector.fromArray(SPECIES, m, b0 + i), e0);
            e1 = x.fma(FloatVector.fromArray(SPECIES, m, b1 + i), e1);
            e2 = x.fma(FloatVector.fromArray(SPECIES, m, b2 + i), e2);
            e3 = x.fma(FloatVector.fromArray(SPECIES, m, b3 + i), e3);
            int k = i + step;
            x = FloatVector.fromArray(SPECIES, q, k);
            o0 = x.fma(FloatVector.fromArray(SPECIES, m, b0 + k), o0);
            o1 = x.fma(FloatVector.fromArray(SPECIES, m, b1 + k), o1);
            o2 = x.fma(FloatVector.fromArray(SPECIES, m, b2 + k), o2);
            o3 = x.fma(FloatVector.fromArray(SPECIES, m, b3 + k), o3);
        }
        if (i < bound) {
            FloatVector x = FloatVector.fromArray(SPECIES, q, i);
            e0 = x.fma(FloatVector.fromArray(SPECIES, m, b0 + i), e0);
            e1 = x.fma(FloatVector.fromArray(SPECIES, m, b1 + i), e1);
            e2 = x.fma(FloatVector.fromArray(SPECIES, m, b2 + i), e2);
            e3 = x.fma(FloatVector.fromArray(SPECIES, m, b3 + i), e3);
            i += step;
        }
        out[o] = finish(e0, o0, q, 0, m, b0, i, dim);
        out[o + 1] = finish(e1, o1, q, 0, m, b1, i, dim);
        out[o + 2] = finish(e2, o2, q, 0, m, b2, i, dim);
        out[o + 3] = finish(e3, o3, q, 0, m, b3, i, dim);
    }

    @Override
    public void dotRowsInt8(int[] query, byte[] codes, int dim, int firstRow, int rows, int[] out) {
        if (BYTES == null) {
            ScalarVectorOps.INSTANCE.dotRowsInt8(query, codes, dim, firstRow, rows, out);
            return;
        }
        int step = INTS.length();
        int bound = INTS.loopBound(dim);
        int r = 0;
        // four rows at a time share each query load (more live vectors make C2 give up on the intrinsics)
        for (; r + 3 < rows; r += 4) {
            int o0 = (firstRow + r) * dim;
            int o1 = o0 + dim;
            int o2 = o1 + dim;
            int o3 = o2 + dim;
            IntVector acc0 = IntVector.zero(INTS);
            IntVector acc1 = acc0;
            IntVector acc2 = acc0;
            IntVector acc3 = acc0;
            for (int i = 0; i < bound; i += step) {
                IntVector q = IntVector.fromArray(INTS, query, i);
                acc0 = acc0.add(widen(codes, o0 + i).mul(q));
                acc1 = acc1.add(widen(codes, o1 + i).mul(q));
                acc2 = acc2.add(widen(codes, o2 + i).mul(q));
                acc3 = acc3.add(widen(codes, o3 + i).mul(q));
            }
            int s0 = acc0.reduceLanes(VectorOperators.ADD);
            int s1 = acc1.reduceLanes(VectorOperators.ADD);
            int s2 = acc2.reduceLanes(VectorOperators.ADD);
            int s3 = acc3.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < dim; i++) {
                s0 += query[i] * codes[o0 + i];
                s1 += query[i] * codes[o1 + i];
                s2 += query[i] * codes[o2 + i];
                s3 += query[i] * codes[o3 + i];
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
        }
        for (; r < rows; r++) {
            int o = (firstRow + r) * dim;
            IntVector acc = IntVector.zero(INTS);
            for (int i = 0; i < bound; i += step) {
                acc = acc.add(widen(codes, o + i).mul(IntVector.fromArray(INTS, query, i)));
            }
            int s = acc.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < dim; i++) {
                s += query[i] * codes[o + i];
            }
            out[r] = s;
        }
    }

    private static IntVector widen(byte[] codes, int off) {
        return (IntVector) ByteVector.fromArray(BYTES, codes, off).convertShape(VectorOperators.B2I, INTS, 0);
    }

    @Override
    public int int8Candidates(int[] raw, float[] scale, float[] slack, int first, int rows, float t, float qn,
                              float fixed, float threshold, int[] out) {
        int n = 0;
        int i = 0;
        if (INTS.length() == SPECIES.length()) {
            int step = SPECIES.length();
            int bound = SPECIES.loopBound(rows);
            for (; i < bound; i += step) {
                FloatVector r = (FloatVector) IntVector.fromArray(INTS, raw, i).convert(VectorOperators.I2F, 0);
                FloatVector a = FloatVector.fromArray(SPECIES, scale, first + i).mul(t).mul(r);
                FloatVector b = FloatVector.fromArray(SPECIES, slack, first + i).mul(qn).add(fixed);
                // anyTrue is an intrinsic in JDK 17 (toLong is not); hits are rare, so recheck their lanes in scalar
                if (a.add(b).compare(VectorOperators.GE, threshold).anyTrue()) {
                    for (int j = i; j < i + step; j++) {
                        float aj = scale[first + j] * t * raw[j];
                        float bj = qn * slack[first + j] + fixed;
                        if (aj + bj >= threshold) {
                            out[n++] = j;
                        }
                    }
                }
            }
        }
        for (; i < rows; i++) {
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
        int pairs = aRows & ~1;
        int quads = bRows & ~3;
        // four rows of b stay in L1 while the rows of a stream past from L2
        for (int j = 0; j < quads; j += 4) {
            for (int i = 0; i < pairs; i += 2) {
                kernel2x4(a, (aRow + i) * dim, b, (bRow + j) * dim, dim, out, outOff + i * outStride + j, outStride);
            }
        }
        for (int i = 0; i < aRows; i++) {
            int j0 = i < pairs ? quads : 0;
            for (int j = j0; j < bRows; j++) {
                out[outOff + i * outStride + j] = dot(a, (aRow + i) * dim, b, (bRow + j) * dim, dim);
            }
        }
    }

    /**
     * Two rows of {@code a} against four rows of {@code b}, each pair summed exactly as {@link #dot} sums it: even
     * chunks into {@code e..}, odd chunks into {@code o..}.
     */
    private static void kernel2x4(float[] a, int a0, float[] b, int b0, int dim, float[] out, int o, int stride) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(dim);
        int a1 = a0 + dim;
        int b1 = b0 + dim;
        int b2 = b1 + dim;
        int b3 = b2 + dim;
        FloatVector e00 = FloatVector.zero(SPECIES), e01 = e00, e02 = e00, e03 = e00;
        FloatVector e10 = e00, e11 = e00, e12 = e00, e13 = e00;
        FloatVector o00 = e00, o01 = e00, o02 = e00, o03 = e00;
        FloatVector o10 = e00, o11 = e00, o12 = e00, o13 = e00;
        int i = 0;
        for (; i + step < bound; i += 2 * step) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + i);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + i);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + i);
            e00 = x0.fma(y, e00);
            e10 = x1.fma(y, e10);
            y = FloatVector.fromArray(SPECIES, b, b1 + i);
            e01 = x0.fma(y, e01);
            e11 = x1.fma(y, e11);
            y = FloatVector.fromArray(SPECIES, b, b2 + i);
            e02 = x0.fma(y, e02);
            e12 = x1.fma(y, e12);
            y = FloatVector.fromArray(SPECIES, b, b3 + i);
            e03 = x0.fma(y, e03);
            e13 = x1.fma(y, e13);
            int k = i + step;
            x0 = FloatVector.fromArray(SPECIES, a, a0 + k);
            x1 = FloatVector.fromArray(SPECIES, a, a1 + k);
            y = FloatVector.fromArray(SPECIES, b, b0 + k);
            o00 = x0.fma(y, o00);
            o10 = x1.fma(y, o10);
            y = FloatVector.fromArray(SPECIES, b, b1 + k);
            o01 = x0.fma(y, o01);
            o11 = x1.fma(y, o11);
            y = FloatVector.fromArray(SPECIES, b, b2 + k);
            o02 = x0.fma(y, o02);
            o12 = x1.fma(y, o12);
            y = FloatVector.fromArray(SPECIES, b, b3 + k);
            o03 = x0.fma(y, o03);
            o13 = x1.fma(y, o13);
        }
        if (i < bound) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + i);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + i);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + i);
            e00 = x0.fma(y, e00);
            e10 = x1.fma(y, e10);
            y = FloatVector.fromArray(SPECIES, b, b1 + i);
            e01 = x0.fma(y, e01);
            e11 = x1.fma(y, e11);
            y = FloatVector.fromArray(SPECIES, b, b2 + i);
            e02 = x0.fma(y, e02);
            e12 = x1.fma(y, e12);
            y = FloatVector.fromArray(SPECIES, b, b3 + i);
            e03 = x0.fma(y, e03);
            e13 = x1.fma(y, e13);
            i += step;
        }
        out[o] = finish(e00, o00, a, a0, b, b0, i, dim);
        out[o + 1] = finish(e01, o01, a, a0, b, b1, i, dim);
        out[o + 2] = finish(e02, o02, a, a0, b, b2, i, dim);
        out[o + 3] = finish(e03, o03, a, a0, b, b3, i, dim);
        out[o + stride] = finish(e10, o10, a, a1, b, b0, i, dim);
        out[o + stride + 1] = finish(e11, o11, a, a1, b, b1, i, dim);
        out[o + stride + 2] = finish(e12, o12, a, a1, b, b2, i, dim);
        out[o + stride + 3] = finish(e13, o13, a, a1, b, b3, i, dim);
    }

    /** The end of {@link #dot}: add the accumulators, reduce the lanes, add the scalar tail from {@code i}. */
    private static float finish(FloatVector even, FloatVector odd, float[] a, int aOff, float[] b, int bOff, int i,
                                int len) {
        float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        int bound = SPECIES.loopBound(len);
        FloatVector a = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(a, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public String name() {
        return "panama-" + SPECIES.vectorBitSize();
    }
}

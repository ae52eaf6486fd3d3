package dev.carrot.route.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the Vector API ({@code jdk.incubator.vector}, needs {@code --add-modules jdk.incubator.vector}).
 * Only loaded through {@link VectorOpsProvider}, which falls back to scalar code when the module is absent.
 */
final class PanamaVectorOps implements VectorOps {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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
        for (int r = 0; r < rows; r++) {
            out[r] = dot(query, 0, matrix, (firstRow + r) * dim, dim);
        }
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

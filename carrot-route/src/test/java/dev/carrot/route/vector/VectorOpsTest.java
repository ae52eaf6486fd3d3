package dev.carrot.route.vector;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class VectorOpsTest {

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static double exactDot(float[] a, int aOff, float[] b, int bOff, int len) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += (double) a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    @Test
    void simdAndScalarAgreeOnPrimeLengthsSoTheTailIsExercised() {
        VectorOps simd = new PanamaVectorOps();
        VectorOps scalar = VectorOps.scalar();
        SplittableRandom r = new SplittableRandom(7);
        for (int len : new int[]{1, 2, 3, 5, 7, 13, 31, 97, 383, 389, 1021}) {
            float[] a = random(r, len + 11);
            float[] b = random(r, len + 5);
            double exact = exactDot(a, 11, b, 5, len);
            double tol = 1e-5 * Math.sqrt(len);
            assertThat((double) simd.dot(a, 11, b, 5, len)).as("simd len " + len).isCloseTo(exact, within(tol));
            assertThat((double) scalar.dot(a, 11, b, 5, len)).as("scalar len " + len).isCloseTo(exact, within(tol));
        }
    }

    @Test
    void dotRowsMatchesRowByRowDot() {
        SplittableRandom r = new SplittableRandom(3);
        int dim = 389;
        int rows = 17;
        float[] m = random(r, dim * (rows + 2));
        float[] q = random(r, dim);
        for (VectorOps ops : new VectorOps[]{new PanamaVectorOps(), VectorOps.scalar()}) {
            float[] out = new float[rows];
            ops.dotRows(q, m, dim, 2, rows, out);
            for (int i = 0; i < rows; i++) {
                assertThat((double) out[i]).isCloseTo(exactDot(q, 0, m, (i + 2) * dim, dim), within(1e-4));
            }
        }
    }

    @Test
    void axpyAgrees() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : new int[]{1, 7, 61, 383}) {
            float[] x = random(r, len + 3);
            float[] y1 = random(r, len + 1);
            float[] y2 = y1.clone();
            new PanamaVectorOps().axpy(0.37f, x, 3, y1, 1, len);
            VectorOps.scalar().axpy(0.37f, x, 3, y2, 1, len);
            for (int i = 0; i < y1.length; i++) {
                assertThat(y1[i]).isCloseTo(y2[i], within(1e-6f));
            }
        }
    }

    @Test
    void theChosenImplementationIsSimdWhenTheModuleIsPresent() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertThat(VectorOps.get().name()).startsWith(present ? "panama" : "scalar");
    }
}

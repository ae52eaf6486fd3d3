package dev.carrot.route.internal.vector;

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

    private static final VectorOps[] BOTH = {new PanamaVectorOps(), VectorOps.scalar()};

    @Test
    void dotRowsDotBlockAndDotRowsAtEqualDotBitForBit() {
        SplittableRandom r = new SplittableRandom(17);
        for (int dim : new int[]{1, 3, 16, 97, 383, 384, 389}) {
            int aRows = 7;
            int bRows = 11;
            float[] a = random(r, dim * (aRows + 3));
            float[] b = random(r, dim * (bRows + 2));
            for (VectorOps ops : BOTH) {
                String what = ops.name() + " dim " + dim;
                int stride = bRows + 5;
                float[] out = new float[aRows * stride + 3];
                ops.dotBlock(a, 3, aRows, b, 2, bRows, dim, out, 3, stride);
                for (int i = 0; i < aRows; i++) {
                    for (int j = 0; j < bRows; j++) {
                        float expected = ops.dot(a, (3 + i) * dim, b, (2 + j) * dim, dim);
                        assertThat(out[3 + i * stride + j]).as(what + " block " + i + "," + j).isEqualTo(expected);
                    }
                }
                float[] q = random(r, dim);
                float[] rowsOut = new float[bRows];
                ops.dotRows(q, b, dim, 2, bRows, rowsOut);
                int[] picks = {bRows + 1, 0, 5, 5, 2, 9, 1};
                float[] atOut = new float[picks.length];
                ops.dotRowsAt(q, b, dim, new int[]{-1, bRows + 1, 0, 5, 5, 2, 9, 1}, 1, picks.length, atOut);
                for (int j = 0; j < bRows; j++) {
                    assertThat(rowsOut[j]).as(what + " dotRows " + j).isEqualTo(ops.dot(q, 0, b, (2 + j) * dim, dim));
                }
                for (int i = 0; i < picks.length; i++) {
                    assertThat(atOut[i]).as(what + " dotRowsAt " + i).isEqualTo(ops.dot(q, 0, b, picks[i] * dim, dim));
                }
            }
        }
    }

    @Test
    void int8DotProductsAreExactInBothImplementations() {
        SplittableRandom r = new SplittableRandom(23);
        for (int dim : new int[]{1, 7, 16, 97, 383, 384, 389}) {
            int levels = (int) Math.min(32767, Integer.MAX_VALUE / (128L * dim));
            int rows = 9;
            byte[] codes = new byte[dim * (rows + 1)];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) (r.nextInt(255) - 127);
            }
            // extreme rows: all +127 and all -127, against an all +levels query, the largest sums
            for (int j = 0; j < dim; j++) {
                codes[dim + j] = 127;
                codes[2 * dim + j] = -127;
            }
            int[] q = new int[dim];
            for (int j = 0; j < dim; j++) {
                q[j] = j % 5 == 0 ? levels : r.nextInt(2 * levels + 1) - levels;
            }
            for (VectorOps ops : BOTH) {
                int[] out = new int[rows];
                ops.dotRowsInt8(q, codes, dim, 1, rows, out);
                for (int i = 0; i < rows; i++) {
                    long exact = 0;
                    for (int j = 0; j < dim; j++) {
                        exact += (long) q[j] * codes[(1 + i) * dim + j];
                    }
                    assertThat((long) out[i]).as(ops.name() + " dim " + dim + " row " + i).isEqualTo(exact);
                }
            }
        }
    }

    @Test
    void int8CandidatesAgreeWithTheScalarFormula() {
        SplittableRandom r = new SplittableRandom(29);
        for (int rows : new int[]{1, 15, 16, 17, 255, 256}) {
            int[] raw = new int[rows];
            float[] scale = new float[rows + 3];
            float[] slack = new float[rows + 3];
            for (int i = 0; i < rows + 3; i++) {
                scale[i] = (float) (r.nextDouble() * 0.002);
                slack[i] = (float) (r.nextDouble() * 0.01);
            }
            for (int i = 0; i < rows; i++) {
                raw[i] = r.nextInt(2_000_001) - 1_000_000;
            }
            float t = 5e-6f;
            float threshold = (float) (r.nextDouble() * 0.02 - 0.01);
            int[] expected = new int[rows];
            int ne = 0;
            for (int i = 0; i < rows; i++) {
                float a = scale[3 + i] * t * raw[i];
                float b = 1.0001f * slack[3 + i] + 1e-6f;
                if (a + b >= threshold) {
                    expected[ne++] = i;
                }
            }
            for (VectorOps ops : BOTH) {
                int[] out = new int[rows];
                int n = ops.int8Candidates(raw, scale, slack, 3, rows, t, 1.0001f, 1e-6f, threshold, out);
                assertThat(java.util.Arrays.copyOf(out, n)).as(ops.name() + " rows " + rows)
                        .containsExactly(java.util.Arrays.copyOf(expected, ne));
            }
        }
    }
}

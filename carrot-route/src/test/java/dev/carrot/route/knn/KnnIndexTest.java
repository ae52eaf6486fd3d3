package dev.carrot.route.knn;

import dev.carrot.route.internal.vector.VectorOps;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static dev.carrot.route.TestVectors.unitRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KnnIndexTest {

    @Test
    void searchEqualsAFullSortOfSimilarities() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 1000;
        int dim = 37;
        float[] v = unitRows(r, n, dim);
        KnnIndex idx = KnnIndex.of(v, dim, KnnIndex.Kernels.SCALAR, KnnIndex.Prefilter.AUTO);
        float[] q = unitRows(r, 1, dim);
        float[] sims = new float[n];
        for (int i = 0; i < n; i++) {
            sims[i] = VectorOps.scalar().dot(q, 0, v, i * dim, dim);
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -sims[i]).thenComparingInt(i -> i));
        int[] out = new int[50];
        float[] outSim = new float[50];
        assertThat(idx.search(q, 50, out, outSim)).isEqualTo(50);
        for (int j = 0; j < 50; j++) {
            assertThat(out[j]).isEqualTo(order[j]);
            assertThat(outSim[j]).isEqualTo(sims[order[j]]);
        }
    }

    @Test
    void tiesGoToTheLowerIndex() {
        int dim = 3;
        float[] v = {1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1};
        KnnIndex idx = KnnIndex.of(v, dim);
        int[] out = new int[4];
        idx.search(new float[]{1, 0, 0}, 4, out, null);
        assertThat(out).containsExactly(0, 2, 3, 1);
    }

    @Test
    void kLargerThanTheIndexReturnsEverything() {
        KnnIndex idx = KnnIndex.of(new float[]{1, 0, 0, 1}, 2);
        int[] out = new int[5];
        assertThat(idx.search(new float[]{0, 1}, 5, out, null)).isEqualTo(2);
        assertThat(out[0]).isEqualTo(1);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> KnnIndex.of(new float[]{1, 0, 0}, 2)).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> KnnIndex.of(new float[]{2, 0}, 2)).hasMessageContaining("row 0 has L2 norm 2.0");
        assertThatThrownBy(() -> KnnIndex.of(new float[]{Float.NaN, 0}, 2)).hasMessageContaining("non-finite");
        KnnIndex idx = KnnIndex.of(new float[]{1, 0}, 2);
        assertThatThrownBy(() -> idx.search(new float[3], 1, new int[1], null))
                .hasMessageContaining("query dimension 3 does not match index dimension 2");
    }

    // ------------------------------------------------------------------ int8 prefilter: identical to the plain scan

    /** Asserts that search (prefiltered) returns exactly what the plain scan returns, for each query and k. */
    static void assertSameAsPlainScan(KnnIndex idx, float[] queries, int[] ks) {
        int dim = idx.dimension();
        int nq = queries.length / dim;
        for (int k : ks) {
            int[] a = new int[k];
            int[] b = new int[k];
            float[] sa = new float[k];
            float[] sb = new float[k];
            int[] stats = new int[2];
            for (int i = 0; i < nq; i++) {
                float[] q = Arrays.copyOfRange(queries, i * dim, (i + 1) * dim);
                int na = idx.searchExact(q, k, a, sa);
                int nb = idx.hasCodes() ? idx.searchPrefiltered(q, k, b, sb, stats) : idx.search(q, k, b, sb);
                assertThat(nb).isEqualTo(na);
                assertThat(Arrays.copyOf(b, nb)).as("query %d, k %d: rows", i, k).containsExactly(Arrays.copyOf(a, na));
                assertThat(Arrays.copyOf(sb, nb)).as("query %d, k %d: similarities", i, k)
                        .containsExactly(Arrays.copyOf(sa, na));
                int nc = idx.search(q, k, b, sb);
                assertThat(Arrays.copyOf(b, nc)).as("search(), query %d, k %d", i, k)
                        .containsExactly(Arrays.copyOf(a, na));
            }
        }
    }

    private static float[] normalise(float[] v, int dim) {
        for (int i = 0; i < v.length / dim; i++) {
            double n = 0;
            for (int j = 0; j < dim; j++) {
                n += (double) v[i * dim + j] * v[i * dim + j];
            }
            for (int j = 0; j < dim; j++) {
                v[i * dim + j] = (float) (v[i * dim + j] / Math.sqrt(n));
            }
        }
        return v;
    }

    @Test
    void largeIndexesPrefilterAndReturnExactlyThePlainScanOnRandomData() {
        SplittableRandom r = new SplittableRandom(31);
        for (int dim : new int[]{97, 384}) {
            float[] v = unitRows(r, KnnIndex.PREFILTER_MIN_ROWS + 13, dim);
            for (KnnIndex.Kernels kernels : KnnIndex.Kernels.values()) {
                KnnIndex idx = KnnIndex.of(v, dim, kernels, KnnIndex.Prefilter.AUTO);
                assertThat(idx.hasCodes()).isTrue();
                assertSameAsPlainScan(idx, unitRows(r, 12, dim), new int[]{1, 7, 64, 512});
            }
        }
    }

    @Test
    void prefilterIsExactOnDuplicatesTiesAndRowsDifferingInTheLastBits() {
        SplittableRandom r = new SplittableRandom(37);
        int dim = 389;
        int n = KnnIndex.PREFILTER_MIN_ROWS + 101;
        float[] distinct = unitRows(r, 40, dim);
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int src = r.nextInt(40);
            System.arraycopy(distinct, src * dim, v, i * dim, dim);
            switch (i % 4) {
                case 0 -> { // exact duplicate
                }
                case 1 -> { // a few coordinates nudged by one to three ulps
                    for (int t = 0; t < 3; t++) {
                        int j = r.nextInt(dim);
                        float x = v[i * dim + j];
                        v[i * dim + j] = r.nextBoolean() ? Math.nextUp(x) : Math.nextDown(x);
                    }
                }
                case 2 -> { // the first coordinate from a tiny set: exact ties for queries along e_0
                    v[i * dim] = 0.25f * (i % 3);
                    float[] row = Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
                    double rest = 0;
                    for (int j = 1; j < dim; j++) {
                        rest += (double) row[j] * row[j];
                    }
                    double f = Math.sqrt((1 - row[0] * row[0]) / rest);
                    for (int j = 1; j < dim; j++) {
                        v[i * dim + j] = (float) (row[j] * f);
                    }
                }
                default -> { // spiky: one large coordinate, the others small, the worst case for int8 codes
                    for (int j = 0; j < dim; j++) {
                        v[i * dim + j] = (float) (r.nextGaussian() * 1e-3);
                    }
                    v[i * dim + r.nextInt(dim)] = 1;
                    normalise(Arrays.copyOfRange(v, i * dim, (i + 1) * dim), dim);
                    float[] row = normalise(Arrays.copyOfRange(v, i * dim, (i + 1) * dim), dim);
                    System.arraycopy(row, 0, v, i * dim, dim);
                }
            }
        }
        KnnIndex idx = KnnIndex.of(v, dim);
        float[] queries = new float[8 * dim];
        System.arraycopy(distinct, 0, queries, 0, 3 * dim); // stored vectors themselves
        queries[3 * dim] = 1; // e_0: exact ties
        queries[4 * dim] = -1;
        float[] rnd = unitRows(r, 3, dim);
        System.arraycopy(rnd, 0, queries, 5 * dim, 3 * dim);
        assertSameAsPlainScan(idx, queries, new int[]{1, 2, 10, 100, 500});
    }

    @Test
    void prefilterIsExactForQueriesThatAreNotUnitVectors() {
        SplittableRandom r = new SplittableRandom(41);
        int dim = 64;
        KnnIndex idx = KnnIndex.of(unitRows(r, KnnIndex.PREFILTER_MIN_ROWS, dim), dim);
        float[] base = unitRows(r, 1, dim);
        float[] queries = new float[5 * dim];
        for (int j = 0; j < dim; j++) {
            queries[j] = base[j] * 1e3f;
            queries[dim + j] = base[j] * 1e-3f;
            queries[2 * dim + j] = 1f / (float) Math.sqrt(dim); // all equal
            queries[3 * dim + j] = 0; // zero query: every similarity is 0, ties everywhere
            queries[4 * dim + j] = j == 5 ? 3e-39f : 0; // subnormal
        }
        assertSameAsPlainScan(idx, queries, new int[]{1, 5, 300});
    }

    @Test
    void theBoundHoldsRowByRow() {
        SplittableRandom r = new SplittableRandom(43);
        int dim = 383;
        float[] v = unitRows(r, 500, dim);
        for (int j = 0; j < dim; j++) { // a spiky row
            v[j] = j == 0 ? 0.99f : (float) (0.141 / Math.sqrt(dim - 1));
        }
        Int8Rows codes = Int8Rows.of(v, dim);
        VectorOps ops = VectorOps.get();
        float[] q = unitRows(r, 1, dim);
        double qNorm = 0;
        for (float x : q) {
            qNorm += (double) x * x;
        }
        Int8Rows.Query qc = codes.quantise(q, Math.sqrt(qNorm));
        int[] raw = new int[500];
        ops.dotRowsInt8(qc.codes(), codes.codes, dim, 0, 500, raw);
        double worst = 0;
        for (int i = 0; i < 500; i++) {
            float a = codes.scale[i] * qc.scale() * raw[i];
            float b = qc.norm() * codes.slack[i] + qc.fixed();
            float exact = ops.dot(q, 0, v, i * dim, dim);
            assertThat(exact).as("row %d", i).isBetween(a - b, a + b);
            worst = Math.max(worst, Math.abs(exact - a) / b);
        }
        // the bound is rigorous, not loose by orders of magnitude
        assertThat(worst).isGreaterThan(0.01).isLessThan(1);
    }

    @Test
    void policiesAndHeapAccounting() {
        SplittableRandom r = new SplittableRandom(47);
        int dim = 16;
        float[] v = unitRows(r, 300, dim);
        assertThat(KnnIndex.of(v, dim).hasCodes()).isFalse();
        KnnIndex always = KnnIndex.of(v, dim, KnnIndex.Kernels.BEST, KnnIndex.Prefilter.ALWAYS);
        assertThat(always.hasCodes()).isTrue();
        assertThat(always.heapBytes()).isEqualTo(300L * dim * 4 + 300L * dim + 300L * 8);
        assertSameAsPlainScan(always, unitRows(r, 5, dim), new int[]{1, 3, 299, 300, 301});
        KnnIndex never = KnnIndex.of(unitRows(r, KnnIndex.PREFILTER_MIN_ROWS, dim), dim, KnnIndex.Kernels.BEST,
                KnnIndex.Prefilter.NEVER);
        assertThat(never.hasCodes()).isFalse();
        assertThatThrownBy(() -> never.searchPrefiltered(new float[dim], 1, new int[1], null, null))
                .hasMessageContaining("keeps no int8 codes");
    }

    @Test
    void rejectsNonFiniteQueries() {
        KnnIndex idx = KnnIndex.of(new float[]{1, 0}, 2);
        assertThatThrownBy(() -> idx.search(new float[]{Float.NaN, 0}, 1, new int[1], null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query has a non-finite value NaN at column 0");
        assertThatThrownBy(() -> idx.searchExact(new float[]{0, Float.POSITIVE_INFINITY}, 1, new int[1], null))
                .hasMessageContaining("non-finite value Infinity at column 1");
    }
}

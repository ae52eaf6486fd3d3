package dev.carrot.train.knn;

import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.knn.TopK;
import dev.carrot.route.TestVectors;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NeighbourListsTest {

    /** The similarity the scalar kernels compute: one accumulator, in index order. */
    private static float scalarDot(float[] v, int a, int b, int dim) {
        float[] tile = new float[1];
        KnnIndex.Kernels.SCALAR.similarities(v, a / dim, 1, v, b / dim, 1, dim, tile, 0, 1);
        return tile[0];
    }

    private static void assertSameLists(NeighbourLists a, NeighbourLists b) {
        assertThat(a.rows()).isEqualTo(b.rows());
        assertThat(a.folds()).isEqualTo(b.folds());
        assertThat(a.maxK()).isEqualTo(b.maxK());
        for (int i = 0; i < a.rows(); i++) {
            assertThat(a.foldOf(i)).isEqualTo(b.foldOf(i));
            for (int j = 0; j < a.maxK(); j++) {
                int row = i;
                int rank = j;
                assertThat(a.neighbour(i, j)).as(() -> "row " + row + " rank " + rank).isEqualTo(b.neighbour(i, j));
            }
        }
    }

    private static java.util.function.IntConsumer quiet(int n) {
        return done -> {
        };
    }

    @Test
    void blockedListsEqualTheScanReferenceOnRandomRows() {
        SplittableRandom r = new SplittableRandom(3);
        for (int dim : new int[]{97, 384}) {
            float[] v = TestVectors.unitRows(r, 1503, dim);
            NeighbourLists ref = NeighbourLists.computeByScan(v, dim, 5, 300, 2, quiet(1503));
            assertSameLists(NeighbourLists.compute(v, dim, 5, 300, 2, quiet(1503)), ref);
            assertSameLists(NeighbourLists.compute(v, dim, 5, 300, 1, quiet(1503)), ref);
        }
    }

    @Test
    void blockedListsEqualTheScanReferenceWithDuplicatesAndTies() {
        SplittableRandom r = new SplittableRandom(5);
        int dim = 31;
        int n = 777;
        float[] distinct = TestVectors.unitRows(r, 9, dim);
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(distinct, r.nextInt(9) * dim, v, i * dim, dim);
            if (i % 3 == 0) {
                int j = r.nextInt(dim);
                v[i * dim + j] = Math.nextUp(v[i * dim + j]);
            }
        }
        for (int maxK : new int[]{1, 16, 700}) { // 700 is capped at the smallest training fold
            NeighbourLists ref = NeighbourLists.computeByScan(v, dim, 4, maxK, 2, quiet(n));
            assertSameLists(NeighbourLists.compute(v, dim, 4, maxK, 2, quiet(n)), ref);
        }
    }

    @Test
    void scalarKernelsGiveTheScalarScan() {
        SplittableRandom r = new SplittableRandom(7);
        int dim = 53;
        float[] v = TestVectors.unitRows(r, 400, dim);
        NeighbourLists blocked = NeighbourLists.compute(v, dim, 3, 50, 2, quiet(400), KnnIndex.Kernels.SCALAR);
        for (int i = 0; i < 400; i += 37) {
            // brute force with the scalar kernel over the other folds
            TopK top = new TopK(50);
            for (int row = 0; row < 400; row++) {
                if (blocked.foldOf(row) != blocked.foldOf(i)) {
                    top.offer(scalarDot(v, i * dim, row * dim, dim), row);
                }
            }
            int[] expected = new int[50];
            top.drainSorted(expected, 0, null);
            for (int j = 0; j < 50; j++) {
                assertThat(blocked.neighbour(i, j)).isEqualTo(expected[j]);
            }
        }
    }

    @Test
    void topKMatchesAFullSortOnStreamsWithTies() {
        SplittableRandom r = new SplittableRandom(11);
        for (int k : new int[]{1, 2, 5, 64}) {
            TopK buf = new TopK(k);
            float[] sims = new float[5000];
            Integer[] order = new Integer[5000];
            for (int row = 0; row < 5000; row++) {
                float s = r.nextInt(40) / 40f; // many ties
                sims[row] = s;
                order[row] = row;
                buf.offer(s, row);
            }
            // the reference: every pair sorted by similarity (descending), ties to the lower row
            java.util.Arrays.sort(order, (x, y) -> sims[x] != sims[y] ? Float.compare(sims[y], sims[x])
                    : Integer.compare(x, y));
            int[] a = new int[k];
            for (int j = 0; j < k; j++) {
                a[j] = order[j];
            }
            int[] b = new int[k];
            float[] bs = new float[k];
            assertThat(buf.drainSorted(b, 0, bs)).isEqualTo(k);
            assertThat(b).containsExactly(a);
            for (int j = 0; j < k; j++) {
                assertThat(bs[j]).isEqualTo(sims[a[j]]);
            }
        }
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> NeighbourLists.compute(new float[]{1, 0, 0}, 2, 2, 1, 1, quiet(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> NeighbourLists.compute(new float[]{1, 0, 0, 1}, 2, 3, 1, 1, quiet(2)))
                .hasMessageContaining("folds must be in [2, rows = 2], got 3");
        assertThatThrownBy(() -> NeighbourLists.compute(new float[]{1, 0, 2, 0}, 2, 2, 1, 1, quiet(2)))
                .hasMessageContaining("row 1 has L2 norm 2.0");
        assertThatThrownBy(() -> NeighbourLists.compute(new float[]{1, 0, Float.NaN, 0}, 2, 2, 1, 1, quiet(2)))
                .hasMessageContaining("row 1 has a non-finite value NaN");
        assertThatThrownBy(() -> NeighbourLists.compute(new float[]{1, 0, 0, 1}, 2, 2, 0, 1, quiet(2)))
                .hasMessageContaining("maxK must be >= 1, got 0");
    }
}

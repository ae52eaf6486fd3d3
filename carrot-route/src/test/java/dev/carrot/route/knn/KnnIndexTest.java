package dev.carrot.route.knn;

import dev.carrot.route.vector.VectorOps;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KnnIndexTest {

    static float[] unitRows(SplittableRandom r, int n, int dim) {
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                float x = (float) r.nextGaussian();
                v[i * dim + j] = x;
                norm += x * x;
            }
            for (int j = 0; j < dim; j++) {
                v[i * dim + j] /= (float) Math.sqrt(norm);
            }
        }
        return v;
    }

    @Test
    void searchEqualsAFullSortOfSimilarities() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 1000;
        int dim = 37;
        float[] v = unitRows(r, n, dim);
        KnnIndex idx = KnnIndex.of(v, dim, VectorOps.scalar());
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
}

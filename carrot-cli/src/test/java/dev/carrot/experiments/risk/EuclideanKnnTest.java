package dev.carrot.experiments.risk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EuclideanKnnTest {

    /** The mean of the targets of the k nearest points, by sorting all distances. */
    private static double[] bruteForce(double[] x, int d, double[] y, int outputs, int k, double[] q) {
        int n = x.length / d;
        Integer[] order = new Integer[n];
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            for (int j = 0; j < d; j++) {
                double diff = x[i * d + j] - q[j];
                dist[i] += diff * diff;
            }
        }
        Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
        double[] out = new double[outputs];
        for (int t = 0; t < k; t++) {
            for (int o = 0; o < outputs; o++) {
                out[o] += y[order[t] * outputs + o] / k;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "d = {0}, n = {1}, k = {2}, cells = {3}")
    @CsvSource({"1, 500, 1, false", "1, 500, 37, false", "1, 500, 500, false", "1, 701, 37, true",
            "2, 997, 1, false", "2, 997, 31, false", "2, 300, 300, false", "3, 1201, 53, false",
            "4, 500, 20, false"})
    void matchesBruteForce(int d, int n, int k, boolean cells) {
        SplittableRandom rng = new SplittableRandom(d * 1000L + n + k);
        int outputs = 3;
        double[] x = new double[n * d];
        double[] y = new double[n * outputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextDouble() < 0.4 ? 1 : 0;
        }
        EuclideanKnn knn = EuclideanKnn.fit(x, d, y, outputs, k, cells);
        int queries = 200;
        double[] q = new double[queries * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = i < 2 * d ? (i % 2 == 0 ? 0.0 : 1.0) : rng.nextDouble(); // corners too
        }
        double[] out = new double[queries * outputs];
        knn.predict(q, out);
        for (int i = 0; i < queries; i++) {
            double[] expected = bruteForce(x, d, y, outputs, k, Arrays.copyOfRange(q, i * d, (i + 1) * d));
            for (int o = 0; o < outputs; o++) {
                assertThat(out[i * outputs + o]).as("query %d output %d", i, o).isCloseTo(expected[o], within(1e-12));
            }
        }
    }

    @Test
    void sortedAndCellSearchAgreeInOneDimension() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] x = rng.doubles(5_000).toArray();
        double[] y = rng.doubles(5_000).map(v -> v < 0.5 ? 1 : 0).toArray();
        double[] q = rng.doubles(2_000).toArray();
        double[] a = new double[2_000];
        double[] b = new double[2_000];
        EuclideanKnn.fit(x, 1, y, 1, 101, false).predict(q, a);
        EuclideanKnn.fit(x, 1, y, 1, 101, true).predict(q, b);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(b[i], within(1e-12));
        }
    }

    @Test
    void neighbourDistancesAreTheSmallest() {
        double[] x = {0.1, 0.2, 0.4, 0.45, 0.9};
        EuclideanKnn knn = EuclideanKnn.fit(x, 1, new double[5], 1, 3);
        assertThat(knn.neighbourDistances(new double[]{0.35})).containsExactly(new double[]{0.05, 0.1, 0.15},
                within(1e-12));
    }

    @Test
    void unitBallVolumes() {
        assertThat(EuclideanKnn.unitBallVolume(1)).isCloseTo(2, within(1e-12));
        assertThat(EuclideanKnn.unitBallVolume(2)).isCloseTo(Math.PI, within(1e-12));
        assertThat(EuclideanKnn.unitBallVolume(3)).isCloseTo(4 * Math.PI / 3, within(1e-12));
        assertThat(EuclideanKnn.unitBallVolume(4)).isCloseTo(Math.PI * Math.PI / 2, within(1e-12));
    }

    @Test
    void rejectsBadInput() {
        double[] x = {0.1, 0.2, 0.3};
        double[] y = {1, 0, 1};
        assertThatThrownBy(() -> EuclideanKnn.fit(x, 1, y, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k must be in [1, n = 3], got 0");
        assertThatThrownBy(() -> EuclideanKnn.fit(x, 1, y, 1, 4)).hasMessageContaining("got 4");
        assertThatThrownBy(() -> EuclideanKnn.fit(x, 2, y, 1, 1)).hasMessageContaining("multiple of the dimension 2");
        assertThatThrownBy(() -> EuclideanKnn.fit(x, 1, new double[2], 1, 1))
                .hasMessageContaining("y has 2 values, expected n x outputs = 3 x 1");
        assertThatThrownBy(() -> EuclideanKnn.fit(new double[]{0.1, 1.5, 0.2}, 1, y, 1, 1))
                .hasMessageContaining("training point 1 has coordinate 1.5 at axis 0, expected a value in [0, 1]");
        assertThatThrownBy(() -> EuclideanKnn.fit(new double[]{0.1, Double.NaN, 0.2}, 1, y, 1, 1))
                .hasMessageContaining("NaN");
        EuclideanKnn knn = EuclideanKnn.fit(x, 1, y, 1, 2);
        assertThatThrownBy(() -> knn.predict(new double[]{0.5}, new double[2]))
                .hasMessageContaining("out has 2 slots, expected queries x outputs = 1 x 1");
        assertThatThrownBy(() -> knn.predict(new double[]{-0.1}, new double[1]))
                .hasMessageContaining("query 0 has coordinate -0.1");
    }
}

package dev.carrot.train;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class StackTrainerTest {

    @Test
    void simplexWeightsMinimiseTheSquaredErrorOnTheSimplex() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 500;
        double[] a = new double[n * 3];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            double truth = r.nextDouble();
            a[i * 3] = truth + 0.1 * r.nextGaussian(); // good
            a[i * 3 + 1] = truth + 0.3 * r.nextGaussian(); // worse
            a[i * 3 + 2] = r.nextDouble(); // noise
            b[i] = truth;
        }
        double[] w = StackTrainer.simplexLeastSquares(a, b, n, 3);
        assertThat(w[0] + w[1] + w[2]).isCloseTo(1, within(1e-9));
        assertThat(java.util.Arrays.stream(w).min().orElseThrow()).isGreaterThanOrEqualTo(0);
        assertThat(w[0]).isGreaterThan(w[1]);
        // no point of a fine grid over the simplex does better
        double best = sse(a, b, n, w);
        for (int i = 0; i <= 50; i++) {
            for (int j = 0; i + j <= 50; j++) {
                double[] v = {i / 50.0, j / 50.0, (50 - i - j) / 50.0};
                assertThat(sse(a, b, n, v)).isGreaterThanOrEqualTo(best - 1e-9);
            }
        }
        // one part perfect: all weight on it
        double[] exact = new double[n * 2];
        for (int i = 0; i < n; i++) {
            exact[i * 2] = b[i];
            exact[i * 2 + 1] = 1 - b[i];
        }
        assertThat(StackTrainer.simplexLeastSquares(exact, b, n, 2)[0]).isCloseTo(1, within(1e-6));
    }

    @Test
    void projectionOntoTheSimplex() {
        assertThat(StackTrainer.projectToSimplex(new double[]{0.2, 0.8})).containsExactly(0.2, 0.8);
        double[] p = StackTrainer.projectToSimplex(new double[]{2, 0});
        assertThat(p[0]).isCloseTo(1, within(1e-12));
        assertThat(p[1]).isCloseTo(0, within(1e-12));
        double[] q = StackTrainer.projectToSimplex(new double[]{0.5, 0.5, 0.5});
        assertThat(q[0] + q[1] + q[2]).isCloseTo(1, within(1e-12));
        assertThat(q[0]).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void onlyTrainersThatPredictOutOfFoldCanBeStacked() {
        assertThatThrownBy(() -> new StackTrainer(List.of(new dev.carrot.train.toy.MeanTrainer(),
                Variant.KNN.quality()))).hasMessageContaining("mean cannot predict out of fold");
        assertThatThrownBy(() -> new StackTrainer(List.of(Variant.KNN.quality())))
                .hasMessageContaining("at least two parts");
    }

    private static double sse(double[] a, double[] b, int n, double[] w) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double p = 0;
            for (int k = 0; k < w.length; k++) {
                p += w[k] * a[i * w.length + k];
            }
            s += (p - b[i]) * (p - b[i]);
        }
        return s;
    }
}

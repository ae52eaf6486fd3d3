package dev.carrot.train.linear;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TribuoLinearTest {

    private static float[] features(SplittableRandom r, int n, int dim) {
        float[] x = new float[n * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 0.3f;
        }
        return x;
    }

    @Test
    void logisticRecoversASeparatingDirectionFromSoftLabels() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 600;
        int dim = 5;
        float[] x = features(r, n, dim);
        double[] s = new double[n * 2];
        for (int i = 0; i < n; i++) {
            double z = 6 * x[i * dim] - 4 * x[i * dim + 2];
            s[i * 2] = 1 / (1 + Math.exp(-z)); // a graded score: the probability itself
            s[i * 2 + 1] = 1; // always right: one class only
        }
        int[] rows = java.util.stream.IntStream.range(0, n).toArray();
        TribuoLinear.Weights w = TribuoLinear.logistic(x, dim, s, 2, rows,
                new TribuoLinear.Options(1e-5, 0.2, 40, 7));
        // the learned direction points the right way and the probabilities follow the soft labels
        assertThat(w.weights()[0]).isGreaterThan(2);
        assertThat(w.weights()[2]).isLessThan(-1);
        assertThat(Math.abs(w.weights()[1])).isLessThan(Math.abs(w.weights()[0]) / 3);
        double err = 0;
        for (int i = 0; i < n; i++) {
            double p = 1 / (1 + Math.exp(-w.linear(0, x, i)));
            err += Math.abs(p - s[i * 2]);
        }
        assertThat(err / n).isLessThan(0.05);
        // a model that is always right becomes a constant near 1, not an error
        for (int j = 0; j < dim; j++) {
            assertThat(w.weights()[dim + j]).isZero();
        }
        assertThat(1 / (1 + Math.exp(-w.bias()[1]))).isGreaterThan(0.999);
    }

    @Test
    void regressionPredictsInTheTargetsUnitsAfterScaling() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 800;
        int dim = 4;
        float[] x = features(r, n, dim);
        double[] y = new double[n * 2];
        for (int i = 0; i < n; i++) {
            y[i * 2] = 500 + 900 * x[i * dim + 1] + 20 * r.nextGaussian(); // token counts: large, offset
            y[i * 2 + 1] = 0.002 - 0.001 * x[i * dim + 3]; // USD: tiny
        }
        int[] rows = java.util.stream.IntStream.range(0, n).toArray();
        TribuoLinear.Weights w = TribuoLinear.regression(x, dim, y, 2, rows,
                new TribuoLinear.Options(1e-6, 0.2, 30, 3), new String[]{"tokens", "usd"});
        assertThat(w.bias()[0]).isCloseTo(500, within(25.0));
        assertThat(w.weights()[1]).isCloseTo(900, within(60.0));
        assertThat(w.bias()[1]).isCloseTo(0.002, within(1e-4));
        assertThat(w.weights()[dim + 3]).isCloseTo(-0.001, within(1e-4));
    }

    /**
     * Why carrot's trainers no longer use this class: in Tribuo 4.3.2, {@code AdaGradRDA}'s matrix parameters (every
     * linear SGD model keeps its weights in one matrix) never advance their iteration counter, and the L2 term of the
     * update is {@code iteration * l2}: the penalty is multiplied by zero. Any L2 from 1e-6 to 10 gives the same
     * weights, to the last bit. If this test fails, Tribuo has fixed it.
     */
    @Test
    void tribuosAdaGradRdaIgnoresTheL2PenaltyOfLinearModels() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 300;
        int dim = 5;
        float[] x = features(r, n, dim);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = 6 * x[i * dim] - 4 * x[i * dim + 2] + 0.3 * r.nextGaussian() > 0 ? 1 : 0;
        }
        int[] rows = java.util.stream.IntStream.range(0, n).toArray();
        TribuoLinear.Weights weak = TribuoLinear.logistic(x, dim, s, 1, rows, new TribuoLinear.Options(1e-6, 0.2, 10,
                7));
        TribuoLinear.Weights strong = TribuoLinear.logistic(x, dim, s, 1, rows, new TribuoLinear.Options(10, 0.2, 10,
                7));
        assertThat(weak.weights()[0]).isGreaterThan(1);
        assertThat(strong.weights()).containsExactly(weak.weights());
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = 3 * x[i * dim + 1];
        }
        assertThat(TribuoLinear.regression(x, dim, y, 1, rows, new TribuoLinear.Options(10, 0.2, 10, 3),
                new String[]{"y"}).weights()).containsExactly(TribuoLinear.regression(x, dim, y, 1, rows,
                new TribuoLinear.Options(1e-6, 0.2, 10, 3), new String[]{"y"}).weights());
    }
}

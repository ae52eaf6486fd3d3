package dev.carrot.train.linear;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RidgeTest {

    @Test
    void solvesTheNormalEquationsAndRecoversTheWeightsInTheTargetsUnits() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 800;
        int dim = 4;
        float[] x = new float[n * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 0.3f;
        }
        double[] y = new double[n * 2];
        for (int i = 0; i < n; i++) {
            y[i * 2] = 500 + 900 * x[i * dim + 1] + 20 * r.nextGaussian(); // token counts: large, offset
            y[i * 2 + 1] = 0.002 - 0.001 * x[i * dim + 3]; // USD: tiny
        }
        int[] rows = IntStream.range(0, n).toArray();
        Ridge.Gram g = Ridge.Gram.of(x, dim, y, 2, rows);
        double lambda = 1e-3;
        double[] beta = Ridge.solve(g, lambda);
        assertThat(beta[dim * 2]).isCloseTo(500, within(5.0));
        assertThat(beta[2]).isCloseTo(900, within(30.0));
        assertThat(beta[dim * 2 + 1]).isCloseTo(0.002, within(1e-5));
        assertThat(beta[3 * 2 + 1]).isCloseTo(-0.001, within(2e-5)); // shrunk by var / (var + lambda) = 0.989
        // the gradient of mean squared error + lambda |w|^2 vanishes, output by output
        for (int m = 0; m < 2; m++) {
            double[] grad = new double[dim + 1];
            for (int i = 0; i < n; i++) {
                double e = Ridge.predict(beta, 2, m, x, dim, i) - y[i * 2 + m];
                for (int j = 0; j < dim; j++) {
                    grad[j] += 2 * e * x[i * dim + j] / n;
                }
                grad[dim] += 2 * e / n;
            }
            double scale = m == 0 ? 500 : 0.002;
            for (int j = 0; j < dim; j++) {
                grad[j] += 2 * lambda * beta[j * 2 + m];
                assertThat(Math.abs(grad[j]) / scale).isLessThan(1e-9);
            }
            assertThat(Math.abs(grad[dim]) / scale).isLessThan(1e-9);
        }
    }

    @Test
    void aLargerPenaltyShrinksTheWeightsAndGramsAddUp() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 300;
        int dim = 6;
        float[] x = new float[n * dim];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = (float) (r.nextGaussian() * 0.1);
            }
            y[i] = 3 * x[i * dim] - 2 * x[i * dim + 5] + 0.05 * r.nextGaussian();
        }
        int[] all = IntStream.range(0, n).toArray();
        Ridge.Gram whole = Ridge.Gram.of(x, dim, y, 1, all);
        double previous = Double.POSITIVE_INFINITY;
        for (double lambda : new double[]{1e-5, 1e-3, 1e-2, 1e-1, 1}) {
            double[] beta = Ridge.solve(whole, lambda);
            double size = 0;
            for (int j = 0; j < dim; j++) {
                size += beta[j] * beta[j];
            }
            assertThat(Math.sqrt(size)).as("|w| at lambda " + lambda).isLessThan(previous);
            previous = Math.sqrt(size);
        }
        Ridge.Gram halves = Ridge.Gram.of(x, dim, y, 1, IntStream.range(0, 100).toArray())
                .plus(Ridge.Gram.of(x, dim, y, 1, IntStream.range(100, n).toArray()));
        double[] a = Ridge.solve(whole, 1e-3);
        double[] b = Ridge.solve(halves, 1e-3);
        for (int j = 0; j <= dim; j++) {
            assertThat(b[j]).isCloseTo(a[j], within(1e-9));
        }
        assertThat(halves.rows()).isEqualTo(n);
    }
}

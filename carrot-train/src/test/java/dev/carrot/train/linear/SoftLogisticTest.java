package dev.carrot.train.linear;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SoftLogisticTest {

    /** Unit-length rows of a random direction plus a shared offset, like sentence embeddings. */
    static float[] embeddings(SplittableRandom r, int n, int dim) {
        float[] x = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double v = r.nextGaussian() + (j == 0 ? 3 : 0);
                x[i * dim + j] = (float) v;
                norm += v * v;
            }
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] /= (float) Math.sqrt(norm);
            }
        }
        return x;
    }

    /** Labels drawn from a logistic model with weights {@code w}: 0/1, or the probability itself when soft. */
    static double[] labels(SplittableRandom r, float[] x, int dim, double[] w, boolean soft) {
        int n = x.length / dim;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = -0.5;
            for (int j = 0; j < dim; j++) {
                z += w[j] * x[i * dim + j];
            }
            double p = 1 / (1 + Math.exp(-z));
            y[i] = soft ? p : (r.nextDouble() < p ? 1 : 0);
        }
        return y;
    }

    static double norm(double[] w, int dim) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
            s += w[j] * w[j];
        }
        return Math.sqrt(s);
    }

    /** The gradient of the objective, computed here from its definition (not by the solver's code). */
    static double[] gradient(float[] x, int dim, double[] y, double[] raw, double lambda) {
        int n = y.length;
        double[] g = new double[dim + 1];
        for (int i = 0; i < n; i++) {
            double z = SoftLogistic.logit(raw, x, dim, i);
            double e = 1 / (1 + Math.exp(-z)) - y[i];
            for (int j = 0; j < dim; j++) {
                g[j] += e * x[i * dim + j] / n;
            }
            g[dim] += e / n;
        }
        for (int j = 0; j < dim; j++) {
            g[j] += lambda * raw[j];
        }
        return g;
    }

    @Test
    void solvesToTheOptimumOfTheRegularisedSoftLabelLoss() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 900;
        int dim = 12;
        float[] x = embeddings(r, n, dim);
        double[] truth = new double[dim];
        truth[1] = 12;
        truth[4] = -8;
        double[] y = labels(r, x, dim, truth, true);
        int[] rows = IntStream.range(0, n).toArray();
        SoftLogistic problem = SoftLogistic.of(x, dim, rows);
        for (double lambda : new double[]{1e-4, 1e-2}) {
            double[] raw = problem.rawWeights(problem.fit(y, lambda, null));
            for (double gj : gradient(x, dim, y, raw, lambda)) {
                assertThat(Math.abs(gj)).as("gradient component at lambda " + lambda).isLessThan(2e-5);
            }
        }
        // weak penalty: the generating direction comes back from soft labels
        double[] raw = problem.rawWeights(problem.fit(y, 1e-6, null));
        assertThat(raw[1]).isBetween(9.0, 15.0);
        assertThat(raw[4]).isBetween(-11.0, -5.0);
        assertThat(Math.abs(raw[2])).isLessThan(2.0);
    }

    @Test
    void aLargerPenaltyShrinksTheWeights() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 600;
        int dim = 16;
        float[] x = embeddings(r, n, dim);
        double[] truth = new double[dim];
        for (int j = 0; j < dim; j++) {
            truth[j] = r.nextGaussian() * 6;
        }
        double[] y = labels(r, x, dim, truth, false);
        SoftLogistic problem = SoftLogistic.of(x, dim, IntStream.range(0, n).toArray());
        double[] grid = {1e-4, 1e-3, 1e-2, 1e-1};
        double previous = Double.POSITIVE_INFINITY;
        double first = 0;
        for (double lambda : grid) {
            double size = norm(problem.fit(y, lambda, null), dim);
            assertThat(size).as("|w| at lambda " + lambda).isLessThan(previous);
            if (lambda == grid[0]) {
                first = size;
            }
            previous = size;
        }
        assertThat(previous).as("|w| at 0.1 against |w| at 1e-4").isLessThan(first / 5);
    }

    @Test
    void aWarmStartReachesTheSameOptimumAndFitsAreDeterministic() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 400;
        int dim = 8;
        float[] x = embeddings(r, n, dim);
        double[] truth = {0, 5, -3, 0, 2, 0, 0, 1};
        double[] y = labels(r, x, dim, truth, false);
        SoftLogistic problem = SoftLogistic.of(x, dim, IntStream.range(0, n).toArray());
        double[] cold = problem.fit(y, 1e-3, null);
        double[] warm = problem.fit(y, 1e-3, problem.fit(y, 1e-1, null));
        for (int j = 0; j <= dim; j++) {
            assertThat(warm[j]).isCloseTo(cold[j], org.assertj.core.api.Assertions.within(1e-2));
        }
        assertThat(SoftLogistic.of(x, dim, IntStream.range(0, n).toArray()).fit(y, 1e-3, null)).containsExactly(cold);
    }

    @Test
    void oneClassGivesAConstantAndBadInputIsRefused() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = embeddings(r, 50, 4);
        SoftLogistic problem = SoftLogistic.of(x, 4, IntStream.range(0, 50).toArray());
        double[] ones = new double[50];
        java.util.Arrays.fill(ones, 1);
        double[] w = problem.fit(ones, 1e-3, null);
        assertThat(norm(w, 4)).isZero();
        assertThat(1 / (1 + Math.exp(-w[4]))).isGreaterThan(0.999);
        assertThatThrownBy(() -> problem.fit(new double[49], 1e-3, null)).hasMessageContaining("expected 50");
        assertThatThrownBy(() -> problem.fit(ones, Double.NaN, null)).hasMessageContaining("lambda");
        assertThatThrownBy(() -> SoftLogistic.of(x, 4, new int[0])).hasMessageContaining("no rows");
    }
}

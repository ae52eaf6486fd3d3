package dev.carrot.train.linear;

import java.util.Objects;

/**
 * Multi-output ridge regression in closed form: per output, the minimiser of the mean squared error plus
 * {@code lambda * |w|^2} (the bias is not penalised), from the normal equations
 * {@code (X'X + n lambda D) beta = X'y} on the embedding with a constant column appended, solved by Cholesky. Sums of
 * rows ({@link Gram}) add up, so cross-validation folds cost one pass over the data.
 */
public final class Ridge {
    private Ridge() {
    }

    /**
     * The sufficient statistics of some rows: {@code X'X} and {@code X'Y} over the embedding with a constant column,
     * and the row count.
     */
    public static final class Gram {
        final int dim;
        final int outputs;
        final double[] xx; // (dim + 1)^2, upper triangle filled
        final double[] xy; // (dim + 1) x outputs
        final int n;

        private Gram(int dim, int outputs, double[] xx, double[] xy, int n) {
            this.dim = dim;
            this.outputs = outputs;
            this.xx = xx;
            this.xy = xy;
            this.n = n;
        }

        /** The statistics of some rows of {@code x} (rows x dim) and {@code y} (rows x outputs). */
        public static Gram of(float[] x, int dim, double[] y, int outputs, int[] rows) {
            Objects.requireNonNull(rows, "rows");
            int p = dim + 1;
            double[] xx = new double[p * p];
            double[] xy = new double[p * outputs];
            double[] v = new double[p];
            for (int r : rows) {
                for (int j = 0; j < dim; j++) {
                    v[j] = x[r * dim + j];
                }
                v[dim] = 1;
                for (int a = 0; a < p; a++) {
                    double va = v[a];
                    int o = a * p;
                    for (int b = a; b < p; b++) {
                        xx[o + b] += va * v[b];
                    }
                    for (int m = 0; m < outputs; m++) {
                        xy[a * outputs + m] += va * y[r * outputs + m];
                    }
                }
            }
            return new Gram(dim, outputs, xx, xy, rows.length);
        }

        /** The statistics of both sets of rows together. */
        public Gram plus(Gram o) {
            double[] a = xx.clone();
            double[] b = xy.clone();
            for (int i = 0; i < a.length; i++) {
                a[i] += o.xx[i];
            }
            for (int i = 0; i < b.length; i++) {
                b[i] += o.xy[i];
            }
            return new Gram(dim, outputs, a, b, n + o.n);
        }

        public int rows() {
            return n;
        }
    }

    /**
     * The ridge solution for every output at one penalty.
     *
     * @return (dim + 1) x outputs, row-major: the weights of each output, then (last row) the biases
     */
    public static double[] solve(Gram g, double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a finite number >= 0, got " + lambda);
        }
        int p = g.dim + 1;
        double[] a = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                a[i * p + j] = g.xx[i * p + j];
                a[j * p + i] = g.xx[i * p + j];
            }
        }
        double ridge = g.n * lambda;
        double trace = 0;
        for (int i = 0; i < g.dim; i++) {
            trace += a[i * p + i];
        }
        // a tiny jitter keeps the factorisation defined when lambda is 0 and the rows span less than the dimension
        double jitter = 1e-10 * Math.max(trace / g.dim, 1e-300);
        for (int i = 0; i < g.dim; i++) {
            a[i * p + i] += ridge + jitter;
        }
        a[g.dim * p + g.dim] += jitter;
        cholesky(a, p);
        double[] beta = g.xy.clone();
        int m = g.outputs;
        // forward: L z = b; backward: L' beta = z
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < i; k++) {
                double l = a[i * p + k];
                for (int c = 0; c < m; c++) {
                    beta[i * m + c] -= l * beta[k * m + c];
                }
            }
            double d = a[i * p + i];
            for (int c = 0; c < m; c++) {
                beta[i * m + c] /= d;
            }
        }
        for (int i = p - 1; i >= 0; i--) {
            for (int k = i + 1; k < p; k++) {
                double l = a[k * p + i];
                for (int c = 0; c < m; c++) {
                    beta[i * m + c] -= l * beta[k * m + c];
                }
            }
            double d = a[i * p + i];
            for (int c = 0; c < m; c++) {
                beta[i * m + c] /= d;
            }
        }
        return beta;
    }

    /** In place: the lower triangle of {@code a} becomes L with {@code a = L L'}. */
    private static void cholesky(double[] a, int p) {
        for (int j = 0; j < p; j++) {
            double d = a[j * p + j];
            for (int k = 0; k < j; k++) {
                d -= a[j * p + k] * a[j * p + k];
            }
            if (!(d > 0)) {
                throw new IllegalStateException("ridge normal equations are not positive definite at column " + j
                        + " (pivot " + d + ")");
            }
            d = Math.sqrt(d);
            a[j * p + j] = d;
            for (int i = j + 1; i < p; i++) {
                double s = a[i * p + j];
                for (int k = 0; k < j; k++) {
                    s -= a[i * p + k] * a[j * p + k];
                }
                a[i * p + j] = s / d;
            }
        }
    }

    /** Output {@code m}'s prediction for row {@code r} of {@code x} from a {@link #solve} result. */
    public static double predict(double[] beta, int outputs, int m, float[] x, int dim, int r) {
        double z = beta[dim * outputs + m];
        int o = r * dim;
        for (int j = 0; j < dim; j++) {
            z += beta[j * outputs + m] * x[o + j];
        }
        return z;
    }
}

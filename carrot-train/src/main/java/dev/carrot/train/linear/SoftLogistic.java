package dev.carrot.train.linear;

import java.util.Objects;

/**
 * L2-regularised logistic regression with soft labels, one output at a time, solved to convergence by L-BFGS: it
 * minimises the mean binary cross-entropy against labels {@code y} in [0, 1] plus {@code lambda / 2 * |w|^2} (the bias
 * is not penalised). A graded score {@code y} is its own target; a 0/1 score makes this ordinary logistic regression.
 * In scikit-learn's terms {@code lambda = 1 / (C * n)}.
 *
 * <p>The features are centred (column means of the fitted rows) while solving, which leaves the penalty unchanged
 * (the bias is free) and makes the problem better conditioned; {@link #rawWeights} folds the centring back into the
 * bias. Plain loops in a fixed order: the same rows, labels and penalty give the same weights, bit for bit.
 */
public final class SoftLogistic {
    /** Stops when the largest gradient component is at most this (scale: a mean loss). */
    static final Lbfgs.Options SOLVER = new Lbfgs.Options(10, 1000, 1e-5);

    private final int n;
    private final int dim;
    private final float[] xc;
    private final double[] mean;

    private SoftLogistic(int n, int dim, float[] xc, double[] mean) {
        this.n = n;
        this.dim = dim;
        this.xc = xc;
        this.mean = mean;
    }

    /** The fitting problem on some rows of an embedding matrix ({@code rows x dim}, row-major). */
    public static SoftLogistic of(float[] x, int dim, int[] rows) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows to fit");
        }
        int n = rows.length;
        double[] mean = new double[dim];
        for (int r : rows) {
            for (int j = 0; j < dim; j++) {
                mean[j] += x[r * dim + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] /= n;
        }
        float[] xc = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int o = rows[i] * dim;
            for (int j = 0; j < dim; j++) {
                xc[i * dim + j] = (float) (x[o + j] - mean[j]);
            }
        }
        return new SoftLogistic(n, dim, xc, mean);
    }

    public int rows() {
        return n;
    }

    /**
     * Fits one output.
     *
     * @param y      labels in [0, 1], one per fitted row (in the order of the rows given to {@link #of})
     * @param lambda L2 penalty, >= 0
     * @param start  a previous solution of this problem to start from (dimension + 1 values, centred coordinates:
     *               weights then bias), or null to start from the constant model
     * @return weights then bias, in centred coordinates ({@link #rawWeights} converts them)
     */
    public double[] fit(double[] y, double lambda, double[] start) {
        if (y.length != n) {
            throw new IllegalArgumentException("labels have " + y.length + " values, expected " + n);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a finite number >= 0, got " + lambda);
        }
        double mu = 0;
        for (double v : y) {
            mu += v;
        }
        mu /= n;
        double[] w = new double[dim + 1];
        if (mu <= 0 || mu >= 1) {
            // one class only: the best a logistic model can do is a constant
            double p = Math.min(1 - 1e-4, Math.max(1e-4, mu));
            w[dim] = Math.log(p / (1 - p));
            return w;
        }
        if (start != null) {
            System.arraycopy(start, 0, w, 0, dim + 1);
        } else {
            w[dim] = Math.log(mu / (1 - mu));
        }
        double[] z = new double[n];
        Lbfgs.minimise((p, g) -> valueAndGradient(p, g, y, lambda, z), w, SOLVER);
        return w;
    }

    private double valueAndGradient(double[] p, double[] g, double[] y, double lambda, double[] residual) {
        double b = p[dim];
        double loss = 0;
        double gb = 0;
        for (int i = 0; i < n; i++) {
            int o = i * dim;
            double z = b + dot(p, xc, o, dim);
            // softplus(z) - y z, stably; d/dz = sigmoid(z) - y
            double sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
            loss += sp - y[i] * z;
            double s = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
            residual[i] = s - y[i];
            gb += residual[i];
        }
        java.util.Arrays.fill(g, 0, dim, 0);
        for (int i = 0; i < n; i++) {
            double r = residual[i];
            int o = i * dim;
            for (int j = 0; j < dim; j++) {
                g[j] += r * xc[o + j];
            }
        }
        double reg = 0;
        for (int j = 0; j < dim; j++) {
            g[j] = g[j] / n + lambda * p[j];
            reg += p[j] * p[j];
        }
        g[dim] = gb / n;
        return loss / n + 0.5 * lambda * reg;
    }

    /** {@code w . x[o..o+dim)} with four partial sums (independent chains the CPU can overlap). */
    private static double dot(double[] w, float[] x, int o, int dim) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < dim; j += 4) {
            s0 += w[j] * x[o + j];
            s1 += w[j + 1] * x[o + j + 1];
            s2 += w[j + 2] * x[o + j + 2];
            s3 += w[j + 3] * x[o + j + 3];
        }
        for (; j < dim; j++) {
            s0 += w[j] * x[o + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Weights then bias in the embedding's own coordinates: {@code sigmoid(w . x + b)}. */
    public double[] rawWeights(double[] centred) {
        double[] raw = centred.clone();
        double shift = 0;
        for (int j = 0; j < dim; j++) {
            shift += centred[j] * mean[j];
        }
        raw[dim] = centred[dim] - shift;
        return raw;
    }

    /** {@code w . x_r + b} for raw weights and row {@code r} of {@code x}. */
    public static double logit(double[] raw, float[] x, int dim, int r) {
        double z = raw[dim];
        int o = r * dim;
        for (int j = 0; j < dim; j++) {
            z += raw[j] * x[o + j];
        }
        return z;
    }
}

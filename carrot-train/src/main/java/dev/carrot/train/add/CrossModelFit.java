package dev.carrot.train.add;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The new model's target as a combination of the existing models' values on the same prompts:
 * {@code y ~ link(a + sum_m alpha_m f_m + sum_m gamma_m g_m)}, where {@code f} are the existing models' values on the
 * prompt and {@code g}, optionally, a second block (their values averaged over the prompt's neighbourhood). Each block
 * is written as {@code s * mean_m(f_m) + sum_m delta_m (f_m - mean(f))}: the levels {@code s} and the intercept are
 * free, the deviations {@code delta} are shrunk by one ridge penalty {@code lambda}. The prior ({@code lambda ->
 * infinity}) is the "average existing model", shifted and scaled to the new model's level; with enough labels the fit
 * moves towards the existing models the new one resembles (a copy of model A ends with {@code alpha = e_A}).
 * {@code lambda} is chosen from a grid by leave-one-out error (squared loss) or K-fold cross-entropy (logistic).
 *
 * @param intercept    {@code a}
 * @param alpha        one weight per existing model on the first block
 * @param gamma        one weight per existing model on the second block, or null without one
 * @param lambda       the chosen penalty ({@code Infinity}: the prior itself; NaN: no fit)
 * @param cvByLambda   the selection score of every candidate (mean squared leave-one-out error, or mean K-fold
 *                     cross-entropy), by penalty
 * @param looResiduals the chosen fit's leave-one-out residuals (least squares), else null
 */
record CrossModelFit(double intercept, double[] alpha, double[] gamma, double lambda, Map<String, Double> cvByLambda,
                     double[] looResiduals) {

    @Override
    public double[] looResiduals() {
        return looResiduals == null ? null : looResiduals.clone();
    }

    /** The fitted linear score for one prompt: {@code f} and {@code g} (ignored without a second block) at offsets. */
    double score(double[] f, int fo, double[] g, int go) {
        double z = intercept;
        for (int m = 0; m < alpha.length; m++) {
            z += alpha[m] * f[fo + m];
        }
        if (gamma != null) {
            for (int m = 0; m < gamma.length; m++) {
                z += gamma[m] * g[go + m];
            }
        }
        return z;
    }

    /** Columns of one block: its mean, then (unless {@code prior}) each value's deviation from it. */
    private static int block(double[] v, int vo, int m, boolean prior, double[] x, int xo) {
        double mean = 0;
        for (int j = 0; j < m; j++) {
            mean += v[vo + j];
        }
        mean /= m;
        x[xo] = mean;
        if (prior) {
            return 1;
        }
        for (int j = 0; j < m; j++) {
            x[xo + 1 + j] = v[vo + j] - mean;
        }
        return m + 1;
    }

    private static int width(int m, boolean prior, boolean second) {
        int b = prior ? 1 : m + 1;
        return 1 + b * (second ? 2 : 1);
    }

    /** The design {@code [1, mean(f), f - mean(f), mean(g), g - mean(g)]} (deviations left out for the prior). */
    private static double[] design(double[] f, double[] g, int n, int m, boolean prior) {
        int p = width(m, prior, g != null);
        double[] x = new double[n * p];
        for (int i = 0; i < n; i++) {
            x[i * p] = 1;
            int c = 1 + block(f, i * m, m, prior, x, i * p + 1);
            if (g != null) {
                block(g, i * m, m, prior, x, i * p + c);
            }
        }
        return x;
    }

    private static double[] penalty(int m, double lambda, boolean prior, boolean second, double floor) {
        int p = width(m, prior, second);
        double[] pen = new double[p];
        java.util.Arrays.fill(pen, floor);
        if (!prior) {
            for (int j = 0; j < m; j++) {
                pen[2 + j] = lambda;
                if (second) {
                    pen[m + 3 + j] = lambda;
                }
            }
        }
        return pen;
    }

    /** Coefficients of {@link #design} as intercept and per-model weights. */
    private static CrossModelFit of(double[] b, int m, boolean prior, boolean second, double lambda,
                                    Map<String, Double> cv, double[] loo) {
        double[] alpha = weights(b, 1, m, prior);
        double[] gamma = second ? weights(b, prior ? 2 : m + 2, m, prior) : null;
        return new CrossModelFit(b[0], alpha, gamma, lambda, cv, loo);
    }

    private static double[] weights(double[] b, int at, int m, boolean prior) {
        double[] w = new double[m];
        double meanDelta = 0;
        if (!prior) {
            for (int j = 0; j < m; j++) {
                meanDelta += b[at + 1 + j] / m;
            }
        }
        for (int j = 0; j < m; j++) {
            w[j] = b[at] / m + (prior ? 0 : b[at + 1 + j] - meanDelta);
        }
        return w;
    }

    /**
     * Least squares, penalty by leave-one-out error (closed form).
     *
     * @param f    {@code n x m} existing models' values
     * @param g    a second {@code n x m} block, or null
     * @param grid candidate penalties, {@code Infinity} for the prior alone
     */
    static CrossModelFit leastSquares(double[] f, double[] g, int n, int m, double[] y, double[] grid) {
        Map<String, Double> cv = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        double[] bestB = null;
        double[] bestLoo = null;
        double bestLambda = Double.NaN;
        boolean second = g != null;
        for (double lambda : grid) {
            boolean prior = Double.isInfinite(lambda);
            int p = width(m, prior, second);
            Solvers.Ridge r = Solvers.ridge(design(f, g, n, m, prior), n, p, y, penalty(m, lambda, prior, second, 0));
            double mse = r.looMse();
            cv.put(key(lambda), mse);
            if (bestB == null ? Double.isFinite(mse) : mse < best - 1e-15 * best) {
                best = mse;
                bestB = r.coefficients();
                bestLoo = r.looResiduals();
                bestLambda = lambda;
            }
        }
        if (bestB == null) {
            throw new ArithmeticException("no penalty gives a finite leave-one-out error: " + cv);
        }
        return of(bestB, m, Double.isInfinite(bestLambda), second, bestLambda, cv, bestLoo);
    }

    /**
     * No other model: the labels' mean, with its leave-one-out residuals (the ablation that ignores the structure
     * across models).
     */
    static CrossModelFit mean(double[] y, int m) {
        int n = y.length;
        double sum = 0;
        for (double v : y) {
            sum += v;
        }
        double[] loo = new double[n];
        for (int i = 0; i < n; i++) {
            loo[i] = n > 1 ? y[i] - (sum - y[i]) / (n - 1) : 0;
        }
        return new CrossModelFit(sum / n, new double[m], null, Double.NaN, Map.of(), loo);
    }

    /**
     * Logistic regression with soft labels in [0, 1] on the existing models' linear scores (logits), penalty by
     * K-fold cross-entropy (seeded folds).
     */
    static CrossModelFit logistic(double[] f, int n, int m, double[] y, double[] grid, int folds, long seed) {
        int[] fold = folds(n, folds, seed);
        int k = Math.min(folds, n);
        Map<String, Double> cv = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        double bestLambda = Double.NaN;
        for (double lambda : grid) {
            boolean prior = Double.isInfinite(lambda);
            int p = width(m, prior, false);
            double[] x = design(f, null, n, m, prior);
            double[] pen = penalty(m, lambda, prior, false, 1e-6);
            double loss = 0;
            for (int h = 0; h < k; h++) {
                int[] in = rows(fold, h, false);
                int[] out = rows(fold, h, true);
                double[] b = Solvers.glm(select(x, p, in), in.length, p, select(y, 1, in), null, pen,
                        Solvers.Link.SIGMOID, null);
                for (int i : out) {
                    double z = 0;
                    for (int j = 0; j < p; j++) {
                        z += x[i * p + j] * b[j];
                    }
                    loss += Solvers.loss(y[i], z, Solvers.Link.SIGMOID);
                }
            }
            loss /= n;
            cv.put(key(lambda), loss);
            if (loss < best - 1e-15) {
                best = loss;
                bestLambda = lambda;
            }
        }
        boolean prior = Double.isInfinite(bestLambda);
        int p = width(m, prior, false);
        double[] b = Solvers.glm(design(f, null, n, m, prior), n, p, y, null, penalty(m, bestLambda, prior, false,
                1e-6), Solvers.Link.SIGMOID, null);
        return of(b, m, prior, false, bestLambda, cv, null);
    }

    /** A fold number per row: a seeded shuffle dealt round-robin into {@code min(folds, n)} folds. */
    static int[] folds(int n, int folds, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int k = Math.max(1, Math.min(folds, n));
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            fold[order[i]] = i % k;
        }
        return fold;
    }

    /** The rows in fold {@code h} ({@code inFold}) or outside it. */
    static int[] rows(int[] fold, int h, boolean inFold) {
        int c = 0;
        for (int f : fold) {
            if ((f == h) == inFold) {
                c++;
            }
        }
        int[] out = new int[c];
        c = 0;
        for (int i = 0; i < fold.length; i++) {
            if ((fold[i] == h) == inFold) {
                out[c++] = i;
            }
        }
        return out;
    }

    /** The given rows of a row-major matrix with {@code p} columns. */
    static double[] select(double[] a, int p, int[] rows) {
        double[] out = new double[rows.length * p];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(a, rows[i] * p, out, i * p, p);
        }
        return out;
    }

    static String key(double lambda) {
        return Double.isInfinite(lambda) ? "prior" : String.valueOf(lambda);
    }
}

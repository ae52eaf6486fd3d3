package dev.carrot.train.add;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The new model's target as a combination of the existing models' values on the same prompts:
 * {@code y ~ link(a + w * centre + sum_m alpha_m f_m)}, where {@code f} are the existing models' values on the prompt
 * and {@code centre}, optionally, a prior prediction for the prompt. The models' values are written as
 * {@code s * mean_m(f_m) + sum_m delta_m (f_m - mean(f))}: the intercept, the centre's weight and the level {@code s}
 * are free, the deviations {@code delta} are shrunk by a ridge penalty {@code lambda}. The prior
 * ({@code lambda -> infinity}) is the centre and the "average existing model", shifted and scaled to the new model's
 * level; with enough labels the fit moves towards the existing models the new one resembles (a copy of model A ends
 * with {@code alpha = e_A}). {@code lambda} is chosen from a grid by leave-one-out error (squared loss) or K-fold
 * cross-entropy (logistic).
 *
 * @param intercept    {@code a}
 * @param centreWeight {@code w}, 0 without a centre
 * @param alpha        one weight per existing model
 * @param lambda       the chosen penalty ({@code Infinity}: the prior itself; NaN: no fit)
 * @param cvByLambda   the selection score of every candidate (mean squared leave-one-out error, or mean K-fold
 *                     cross-entropy), by penalty
 * @param looResiduals the chosen fit's leave-one-out residuals (least squares), else null
 */
record CrossModelFit(double intercept, double centreWeight, double[] alpha, double lambda,
                     Map<String, Double> cvByLambda, double[] looResiduals) {

    @Override
    public double[] looResiduals() {
        return looResiduals == null ? null : looResiduals.clone();
    }

    /** The fitted linear score for one prompt: its values {@code f} from offset {@code fo}, and its centre. */
    double score(double[] f, int fo, double centre) {
        double z = intercept + centreWeight * centre;
        for (int m = 0; m < alpha.length; m++) {
            z += alpha[m] * f[fo + m];
        }
        return z;
    }

    /** Columns: 1, the centre if any, the models' mean, and (unless the prior) their deviations from it. */
    private static int width(int m, boolean prior, boolean centred) {
        return (centred ? 3 : 2) + (prior ? 0 : m);
    }

    /** The design {@code [1, centre, mean(f), f - mean(f)]} (centre if given; deviations left out for the prior). */
    private static double[] design(double[] f, double[] centre, int n, int m, boolean prior) {
        boolean centred = centre != null;
        int p = width(m, prior, centred);
        int at = centred ? 2 : 1;
        double[] x = new double[n * p];
        for (int i = 0; i < n; i++) {
            x[i * p] = 1;
            if (centred) {
                x[i * p + 1] = centre[i];
            }
            double mean = 0;
            for (int j = 0; j < m; j++) {
                mean += f[i * m + j];
            }
            mean /= m;
            x[i * p + at] = mean;
            if (!prior) {
                for (int j = 0; j < m; j++) {
                    x[i * p + at + 1 + j] = f[i * m + j] - mean;
                }
            }
        }
        return x;
    }

    private static double[] penalty(int m, double lambda, boolean prior, boolean centred, double floor) {
        int p = width(m, prior, centred);
        double[] pen = new double[p];
        java.util.Arrays.fill(pen, floor);
        int at = centred ? 2 : 1;
        if (!prior) {
            for (int j = 0; j < m; j++) {
                pen[at + 1 + j] = lambda;
            }
        }
        return pen;
    }

    /** Coefficients of {@link #design} as intercept, centre weight and per-model weights. */
    private static CrossModelFit of(double[] b, int m, boolean prior, boolean centred, double lambda,
                                    Map<String, Double> cv, double[] loo) {
        int at = centred ? 2 : 1;
        double[] alpha = new double[m];
        double meanDelta = 0;
        if (!prior) {
            for (int j = 0; j < m; j++) {
                meanDelta += b[at + 1 + j] / m;
            }
        }
        for (int j = 0; j < m; j++) {
            alpha[j] = b[at] / m + (prior ? 0 : b[at + 1 + j] - meanDelta);
        }
        return new CrossModelFit(b[0], centred ? b[1] : 0, alpha, lambda, cv, loo);
    }

    /**
     * Least squares, penalty by leave-one-out error (closed form).
     *
     * @param f      {@code n x m} existing models' values
     * @param centre per prompt, a prior prediction (one more free feature), or null
     * @param grid   candidate penalties, {@code Infinity} for the prior alone
     */
    static CrossModelFit leastSquares(double[] f, double[] centre, int n, int m, double[] y, double[] grid) {
        Map<String, Double> cv = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        double[] bestB = null;
        double[] bestLoo = null;
        double bestLambda = Double.NaN;
        boolean centred = centre != null;
        for (double lambda : grid) {
            boolean prior = Double.isInfinite(lambda);
            int p = width(m, prior, centred);
            Solvers.Ridge r = Solvers.ridge(design(f, centre, n, m, prior), n, p, y, penalty(m, lambda, prior,
                    centred, 0));
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
        return of(bestB, m, Double.isInfinite(bestLambda), centred, bestLambda, cv, bestLoo);
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
        return new CrossModelFit(sum / n, 0, new double[m], Double.NaN, Map.of(), loo);
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

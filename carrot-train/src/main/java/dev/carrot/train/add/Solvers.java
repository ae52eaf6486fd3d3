package dev.carrot.train.add;

/**
 * The small convex fits of {@link ModelAddition}: ridge least squares with per-coefficient penalties and its
 * leave-one-out residuals (few coefficients, Cholesky), and penalised generalised linear models (squared or logistic
 * loss) by Newton's method with conjugate-gradient steps, which needs only products with the design matrix and so
 * handles an embedding's few hundred coefficients as well as a handful. Plain loops over flat row-major arrays.
 */
final class Solvers {
    private Solvers() {
    }

    /** Output link of a generalised linear model. */
    enum Link {
        IDENTITY, SIGMOID
    }

    /**
     * A ridge fit {@code min sum_i (y_i - x_i . b)^2 + sum_j penalty_j b_j^2} and its leave-one-out residuals
     * {@code (y_i - x_i . b) / (1 - h_ii)}.
     */
    record Ridge(double[] coefficients, double[] looResiduals) {
        double looMse() {
            double s = 0;
            for (double e : looResiduals) {
                s += e * e;
            }
            return s / looResiduals.length;
        }
    }

    /**
     * Ridge regression on {@code n x p} features (p small: the normal equations are solved by Cholesky).
     *
     * @param penalty per coefficient, >= 0; a tiny jitter keeps unpenalised coefficients of collinear features finite
     */
    static Ridge ridge(double[] x, int n, int p, double[] y, double[] penalty) {
        double[] a = new double[p * p];
        double[] xty = new double[p];
        for (int i = 0; i < n; i++) {
            int o = i * p;
            for (int r = 0; r < p; r++) {
                double xr = x[o + r];
                xty[r] += xr * y[i];
                for (int c = 0; c <= r; c++) {
                    a[r * p + c] += xr * x[o + c];
                }
            }
        }
        double trace = 0;
        for (int r = 0; r < p; r++) {
            trace += a[r * p + r];
        }
        double jitter = 1e-10 * Math.max(trace / p, 1e-12);
        for (int r = 0; r < p; r++) {
            a[r * p + r] += penalty[r] + jitter;
            for (int c = 0; c < r; c++) {
                a[c * p + r] = a[r * p + c];
            }
        }
        double[] l = cholesky(a, p);
        double[] b = solve(l, p, xty);
        double[] loo = new double[n];
        double[] xi = new double[p];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, i * p, xi, 0, p);
            double[] v = solve(l, p, xi);
            double h = 0;
            double fit = 0;
            for (int r = 0; r < p; r++) {
                h += xi[r] * v[r];
                fit += xi[r] * b[r];
            }
            // a point that alone determines a coefficient (h = 1) has no leave-one-out prediction: count it as
            // unpredicted rather than dividing by zero
            loo[i] = h < 1 - 1e-9 ? (y[i] - fit) / (1 - h) : y[i] - fit;
        }
        return new Ridge(b, loo);
    }

    /** The lower Cholesky factor of a symmetric positive definite {@code p x p} matrix (row-major). */
    static double[] cholesky(double[] a, int p) {
        double[] l = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * p + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * p + k] * l[j * p + k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("matrix is not positive definite at pivot " + i + " (" + s
                                + ")");
                    }
                    l[i * p + i] = Math.sqrt(s);
                } else {
                    l[i * p + j] = s / l[j * p + j];
                }
            }
        }
        return l;
    }

    /** Solves {@code L L^T x = b}. */
    static double[] solve(double[] l, int p, double[] b) {
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * p + k] * z[k];
            }
            z[i] = s / l[i * p + i];
        }
        double[] x = new double[p];
        for (int i = p - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < p; k++) {
                s -= l[k * p + i] * x[k];
            }
            x[i] = s / l[i * p + i];
        }
        return x;
    }

    /**
     * A penalised generalised linear model:
     * {@code min sum_i w_i loss(y_i, link(offset_i + x_i . b)) + sum_j penalty_j b_j^2}, squared loss
     * ({@code 1/2 (y - z)^2}) for the identity link, cross-entropy with soft labels in [0, 1] for the sigmoid link.
     * Newton's method; each Newton system is solved by conjugate gradients with products by {@code x}, so the cost
     * per iteration is a few passes over the {@code n x p} design. Converges to the unique optimum when every
     * penalty is > 0 (give unpenalised coefficients a tiny penalty).
     *
     * @param start initial coefficients, or null for zeros
     */
    static double[] glm(double[] x, int n, int p, double[] y, double[] offset, double[] penalty, Link link,
                        double[] start) {
        double[] b = start == null ? new double[p] : start.clone();
        double[] z = new double[n];
        double[] g = new double[p];
        double[] curv = new double[n];
        double f = objective(x, n, p, y, offset, penalty, link, b, z);
        for (int iter = 0; iter < 50; iter++) {
            // gradient and the loss's curvature at each point
            java.util.Arrays.fill(g, 0);
            for (int i = 0; i < n; i++) {
                double mu = link == Link.IDENTITY ? z[i] : sigmoid(z[i]);
                double r = mu - y[i];
                curv[i] = link == Link.IDENTITY ? 1 : Math.max(mu * (1 - mu), 1e-12);
                int o = i * p;
                for (int j = 0; j < p; j++) {
                    g[j] += r * x[o + j];
                }
            }
            double gnorm = 0;
            for (int j = 0; j < p; j++) {
                g[j] += 2 * penalty[j] * b[j];
                gnorm = Math.max(gnorm, Math.abs(g[j]));
            }
            if (gnorm < 1e-9 * Math.max(1, n)) {
                break;
            }
            double[] step = conjugateGradient(x, n, p, curv, penalty, g);
            // backtracking line search on the objective
            double t = 1;
            double[] trial = new double[p];
            double gDotStep = 0;
            for (int j = 0; j < p; j++) {
                gDotStep += g[j] * step[j];
            }
            double fNew = f;
            for (int ls = 0; ls < 30; ls++) {
                for (int j = 0; j < p; j++) {
                    trial[j] = b[j] - t * step[j];
                }
                fNew = objective(x, n, p, y, offset, penalty, link, trial, z);
                if (fNew <= f - 1e-4 * t * gDotStep) {
                    break;
                }
                t *= 0.5;
            }
            if (!(fNew < f)) {
                objective(x, n, p, y, offset, penalty, link, b, z);
                break; // no progress: at the optimum within floating point
            }
            double change = f - fNew;
            System.arraycopy(trial, 0, b, 0, p);
            f = fNew;
            if (change < 1e-12 * Math.max(1, Math.abs(f))) {
                break;
            }
        }
        return b;
    }

    /** Solves {@code (X^T diag(curv) X + 2 diag(penalty)) s = g} by conjugate gradients. */
    private static double[] conjugateGradient(double[] x, int n, int p, double[] curv, double[] penalty, double[] g) {
        double[] s = new double[p];
        double[] r = g.clone();
        double[] d = g.clone();
        double[] hd = new double[p];
        double[] xd = new double[n];
        double rr = dot(r, r);
        double stop = 1e-20 * Math.max(rr, 1e-300);
        for (int it = 0; it < Math.min(p, 500) + 5 && rr > stop; it++) {
            // hd = X^T diag(curv) X d + 2 penalty d
            for (int i = 0; i < n; i++) {
                double v = 0;
                int o = i * p;
                for (int j = 0; j < p; j++) {
                    v += x[o + j] * d[j];
                }
                xd[i] = v * curv[i];
            }
            for (int j = 0; j < p; j++) {
                hd[j] = 2 * penalty[j] * d[j];
            }
            for (int i = 0; i < n; i++) {
                double v = xd[i];
                int o = i * p;
                for (int j = 0; j < p; j++) {
                    hd[j] += x[o + j] * v;
                }
            }
            double dhd = dot(d, hd);
            if (!(dhd > 0)) {
                break;
            }
            double alpha = rr / dhd;
            for (int j = 0; j < p; j++) {
                s[j] += alpha * d[j];
                r[j] -= alpha * hd[j];
            }
            double rrNew = dot(r, r);
            double beta = rrNew / rr;
            rr = rrNew;
            for (int j = 0; j < p; j++) {
                d[j] = r[j] + beta * d[j];
            }
        }
        return s;
    }

    /** The objective at {@code b}; fills {@code z} with the linear scores. */
    private static double objective(double[] x, int n, int p, double[] y, double[] offset, double[] penalty, Link link,
                                    double[] b, double[] z) {
        double f = 0;
        for (int i = 0; i < n; i++) {
            double v = offset == null ? 0 : offset[i];
            int o = i * p;
            for (int j = 0; j < p; j++) {
                v += x[o + j] * b[j];
            }
            z[i] = v;
            f += loss(y[i], v, link);
        }
        for (int j = 0; j < p; j++) {
            f += penalty[j] * b[j] * b[j];
        }
        return f;
    }

    /** The loss of one point at linear score {@code z}. */
    static double loss(double y, double z, Link link) {
        if (link == Link.IDENTITY) {
            double e = y - z;
            return 0.5 * e * e;
        }
        // cross-entropy with a soft label, computed stably: log(1 + e^z) - y z
        return (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

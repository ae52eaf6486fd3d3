package dev.carrot.train.add;

/**
 * A logistic low-rank model of the stored prompts x existing models quality matrix, the multidimensional
 * item-response model of routing data: {@code P(model m answers prompt j well) = sigmoid(c_m + theta_m . z_j)} with a
 * prompt vector {@code z_j} (what the prompt asks for) and a model vector {@code theta_m} (what the model can do) of
 * rank {@code r}, and an offset {@code c_m} (the model's overall level). Fitted by alternating Newton steps on the
 * cross-entropy (graded scores are soft labels) with ridge penalties {@code |z_j|^2} and {@code |theta_m|^2}.
 *
 * <p>A new model is one more vector {@code (c, theta)}: given the prompt vectors, a logistic regression on its few
 * labels with a Gaussian prior fitted to the existing models' vectors (their mean and shrunk covariance), so that few
 * labels place it among the models there are and more labels move it where its labels say ({@link #newModel}).
 */
final class FactorModel {
    private final int rank;
    private final int prompts;
    private final int models;
    private final double[] z;     // prompts x rank
    private final double[] theta; // models x rank
    private final double[] c;     // models

    private FactorModel(int rank, int prompts, int models, double[] z, double[] theta, double[] c) {
        this.rank = rank;
        this.prompts = prompts;
        this.models = models;
        this.z = z;
        this.theta = theta;
        this.c = c;
    }

    int rank() {
        return rank;
    }

    /** The prompt vector of stored prompt {@code j} into {@code out} at {@code off}. */
    void promptVector(int j, double[] out, int off) {
        System.arraycopy(z, j * rank, out, off, rank);
    }

    /**
     * Fits the model.
     *
     * @param y       prompts x models targets in [0, 1]
     * @param rank    the rank r, at least 1
     * @param sweeps  alternating passes
     */
    static FactorModel fit(float[] y, int prompts, int models, int rank, int sweeps) {
        int r = rank;
        double[] z = new double[prompts * r];
        double[] theta = new double[models * r];
        double[] c = new double[models];
        // start: principal directions of the centred matrix, scaled to the logistic's slope near 1/2
        double[] mean = new double[models];
        for (int j = 0; j < prompts; j++) {
            for (int m = 0; m < models; m++) {
                mean[m] += y[j * models + m] / (double) prompts;
            }
        }
        double[] cov = new double[models * models];
        for (int j = 0; j < prompts; j++) {
            for (int a = 0; a < models; a++) {
                double da = y[j * models + a] - mean[a];
                for (int b = 0; b <= a; b++) {
                    cov[a * models + b] += da * (y[j * models + b] - mean[b]) / prompts;
                }
            }
        }
        for (int a = 0; a < models; a++) {
            for (int b = 0; b < a; b++) {
                cov[b * models + a] = cov[a * models + b];
            }
        }
        double[][] eig = topEigenvectors(cov, models, r);
        for (int m = 0; m < models; m++) {
            double p = Math.min(0.99, Math.max(0.01, mean[m]));
            c[m] = Math.log(p / (1 - p));
            for (int k = 0; k < r; k++) {
                theta[m * r + k] = 4 * eig[k][m] * Math.sqrt(Math.max(eig[r][k], 1e-6));
            }
        }
        for (int j = 0; j < prompts; j++) {
            for (int k = 0; k < r; k++) {
                double s = 0;
                for (int m = 0; m < models; m++) {
                    s += (y[j * models + m] - mean[m]) * eig[k][m];
                }
                z[j * r + k] = s / Math.sqrt(Math.max(eig[r][k], 1e-6));
            }
        }
        double[] vec = new double[r + 1];
        double[] g = new double[r + 1];
        double[] h = new double[(r + 1) * (r + 1)];
        for (int sweep = 0; sweep < sweeps; sweep++) {
            // prompts: each z_j from its row of targets, the models' vectors fixed (penalty |z|^2)
            for (int j = 0; j < prompts; j++) {
                for (int it = 0; it < 3; it++) {
                    java.util.Arrays.fill(g, 0);
                    java.util.Arrays.fill(h, 0);
                    for (int m = 0; m < models; m++) {
                        double s = c[m];
                        for (int k = 0; k < r; k++) {
                            s += theta[m * r + k] * z[j * r + k];
                        }
                        double p = Solvers.sigmoid(s);
                        double e = p - y[j * models + m];
                        double w = Math.max(p * (1 - p), 1e-9);
                        for (int a = 0; a < r; a++) {
                            double ta = theta[m * r + a];
                            g[a] += e * ta;
                            for (int b = 0; b <= a; b++) {
                                h[a * r + b] += w * ta * theta[m * r + b];
                            }
                        }
                    }
                    newtonStep(z, j * r, r, g, h, r);
                }
            }
            // models: each (theta_m, c_m) from its column, the prompts' vectors fixed (penalty |theta|^2)
            int q = r + 1;
            for (int m = 0; m < models; m++) {
                System.arraycopy(theta, m * r, vec, 0, r);
                vec[r] = c[m];
                for (int it = 0; it < 3; it++) {
                    java.util.Arrays.fill(g, 0);
                    java.util.Arrays.fill(h, 0);
                    for (int j = 0; j < prompts; j++) {
                        double s = vec[r];
                        for (int k = 0; k < r; k++) {
                            s += vec[k] * z[j * r + k];
                        }
                        double p = Solvers.sigmoid(s);
                        double e = p - y[j * models + m];
                        double w = Math.max(p * (1 - p), 1e-9);
                        for (int a = 0; a < q; a++) {
                            double xa = a < r ? z[j * r + a] : 1;
                            g[a] += e * xa;
                            for (int b = 0; b <= a; b++) {
                                h[a * q + b] += w * xa * (b < r ? z[j * r + b] : 1);
                            }
                        }
                    }
                    newtonStep(vec, 0, q, g, h, r);
                }
                System.arraycopy(vec, 0, theta, m * r, r);
                c[m] = vec[r];
            }
        }
        return new FactorModel(r, prompts, models, z, theta, c);
    }

    /**
     * One Newton step on {@code x[off .. off + p)} for a cross-entropy with gradient {@code g} and Hessian {@code h}
     * (lower triangle), plus the penalty {@code |x_i|^2} on the first {@code penalised} coordinates (a tiny ridge on
     * the others). Steps longer than 4 are shortened: a damped Newton step that cannot run away from a warm start.
     */
    private static void newtonStep(double[] x, int off, int p, double[] g, double[] h, int penalised) {
        double[] a = new double[p * p];
        double[] b = new double[p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                a[i * p + j] = h[i * p + j];
                a[j * p + i] = h[i * p + j];
            }
        }
        for (int i = 0; i < p; i++) {
            double pen = i < penalised ? 1.0 : 1e-6;
            a[i * p + i] += 2 * pen;
            b[i] = g[i] + 2 * pen * x[off + i];
        }
        double[] step = Solvers.solve(Solvers.cholesky(a, p), p, b);
        double norm = 0;
        for (double v : step) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        double f = norm > 4 ? 4 / norm : 1;
        for (int i = 0; i < p; i++) {
            x[off + i] -= f * step[i];
        }
    }

    /**
     * The new model's vector {@code [theta, c]} from labels on some stored prompts: logistic regression on their
     * prompt vectors with the penalty {@code strength * (b - mu)^T S^-1 (b - mu)}, {@code mu} and {@code S} the mean
     * and covariance of the existing models' vectors (the covariance shrunk halfway to its diagonal, plus a small
     * ridge, since a handful of models estimate it).
     *
     * @param rows   stored prompts with a label
     * @param labels the new model's score on each, in [0, 1]
     */
    double[] newModel(int[] rows, double[] labels, double strength) {
        int p = rank + 1;
        double[] mu = new double[p];
        for (int m = 0; m < models; m++) {
            for (int k = 0; k < rank; k++) {
                mu[k] += theta[m * rank + k] / models;
            }
            mu[rank] += c[m] / models;
        }
        double[] s = new double[p * p];
        for (int m = 0; m < models; m++) {
            for (int a = 0; a < p; a++) {
                double da = (a < rank ? theta[m * rank + a] : c[m]) - mu[a];
                for (int b = 0; b < p; b++) {
                    double db = (b < rank ? theta[m * rank + b] : c[m]) - mu[b];
                    s[a * p + b] += da * db / Math.max(1, models - 1);
                }
            }
        }
        double trace = 0;
        for (int a = 0; a < p; a++) {
            trace += s[a * p + a] / p;
        }
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                if (a != b) {
                    s[a * p + b] *= 0.5;
                }
            }
            s[a * p + a] += 0.05 * trace + 1e-3;
        }
        // the Gaussian prior as a penalty on b - mu: whiten with the Cholesky factor of S^-1 ... done by
        // reparametrising b = mu + L u with S = L L^T, so that the penalty is strength/2 |u|^2
        double[] l = Solvers.cholesky(s, p);
        int n = rows.length;
        double[] x = new double[n * p];
        double[] offset = new double[n];
        double[] v = new double[p];
        for (int i = 0; i < n; i++) {
            System.arraycopy(z, rows[i] * rank, v, 0, rank);
            v[rank] = 1;
            double o = 0;
            for (int a = 0; a < p; a++) {
                o += v[a] * mu[a];
            }
            offset[i] = o;
            // row of X L: (v^T L)_b = sum_a v_a L_ab
            for (int b = 0; b < p; b++) {
                double e = 0;
                for (int a = b; a < p; a++) {
                    e += v[a] * l[a * p + b];
                }
                x[i * p + b] = e;
            }
        }
        double[] pen = new double[p];
        java.util.Arrays.fill(pen, strength / 2);
        double[] u = Solvers.glm(x, n, p, labels, offset, pen, Solvers.Link.SIGMOID, null);
        double[] out = mu.clone();
        for (int a = 0; a < p; a++) {
            for (int b = 0; b <= a; b++) {
                out[a] += l[a * p + b] * u[b];
            }
        }
        return out;
    }

    /** The probability for stored prompt {@code j} under the vector {@code [theta, c]}. */
    double predict(double[] vector, int j) {
        double s = vector[rank];
        for (int k = 0; k < rank; k++) {
            s += vector[k] * z[j * rank + k];
        }
        return Solvers.sigmoid(s);
    }

    /**
     * The top {@code r} eigenvectors of a symmetric matrix by power iteration with deflation: rows 0..r-1 the
     * vectors, row r their eigenvalues.
     */
    private static double[][] topEigenvectors(double[] a, int n, int r) {
        double[][] out = new double[r + 1][];
        out[r] = new double[r];
        double[] work = a.clone();
        for (int k = 0; k < r; k++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 1.0 / Math.sqrt(n) * (1 + 0.01 * i); // deterministic, not orthogonal to a leading vector
            }
            double lambda = 0;
            for (int it = 0; it < 300; it++) {
                double[] w = new double[n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        w[i] += work[i * n + j] * v[j];
                    }
                }
                double norm = 0;
                for (double x : w) {
                    norm += x * x;
                }
                norm = Math.sqrt(norm);
                if (norm < 1e-15) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    w[i] /= norm;
                }
                lambda = norm;
                v = w;
            }
            out[k] = v;
            out[r][k] = lambda;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    work[i * n + j] -= lambda * v[i] * v[j];
                }
            }
        }
        return out;
    }
}

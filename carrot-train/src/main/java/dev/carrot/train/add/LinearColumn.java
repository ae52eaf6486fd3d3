package dev.carrot.train.add;

import dev.carrot.route.model.LinearPredictor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A linear (or logistic) predictor's weights for a new model, fitted on its few labelled prompts with a prior centred
 * on a combination of the existing models' weights.
 *
 * <ol>
 *   <li><b>Prior centre.</b> The existing models' linear scores {@code z_m(x) = w_m . x + b_m} on the labelled prompts
 *       are the features of a {@link CrossModelFit} (logistic for a sigmoid link, least squares for the identity):
 *       {@code y ~ link(a + sum_m alpha_m z_m(x))}, deviations from the average model shrunk, the penalty chosen by
 *       cross-validation. Its weights give the prior centre {@code w0 = sum_m alpha_m w_m},
 *       {@code b0 = a + sum_m alpha_m b_m}: a model in the span of the existing ones.</li>
 *   <li><b>Own signal.</b> {@code w = w0 + delta}, {@code b = b0 + c}, fitted by the same loss with the penalty
 *       {@code n * lambda * |delta|^2} (a Gaussian prior centred on {@code w0}; {@code c} free), {@code lambda} chosen
 *       by K-fold cross-validation from a grid that includes {@code delta = 0}.</li>
 * </ol>
 * Identity-link targets (tokens, USD) are standardised by their standard deviation for both steps.
 */
final class LinearColumn {
    /** Candidate penalties of step 1 (see {@link KnnColumn#LAMBDA_GRID}). */
    static final double[] PRIOR_GRID = KnnColumn.LAMBDA_GRID;
    /** Candidate per-prompt penalties of step 2 ({@code Infinity}: {@code delta = 0}). */
    static final double[] OWN_GRID = {1e-4, 1e-3, 1e-2, 1e-1, 1, Double.POSITIVE_INFINITY};

    private LinearColumn() {
    }

    /**
     * The new model's row.
     *
     * @param weights dimension values
     * @param report  what was chosen and the cross-validation scores
     */
    record Row(float[] weights, float bias, Map<String, Object> report) {
    }

    /**
     * @param p      the existing models' predictor
     * @param models their names (for the report)
     * @param x      the labelled prompts' unit embeddings, n x dimension
     * @param y      the new model's value on each
     */
    static Row fit(LinearPredictor p, List<String> models, float[] x, double[] y, int folds, long seed,
                   ModelAddition.Method method) {
        int m = p.outputs();
        int d = p.dimension();
        int n = y.length;
        assert x.length == n * d;
        boolean logistic = p.link() == LinearPredictor.Link.SIGMOID;
        Solvers.Link link = logistic ? Solvers.Link.SIGMOID : Solvers.Link.IDENTITY;
        double scale = logistic ? 1 : sd(y);
        float[] w = p.weights();
        float[] b = p.bias();
        double[] z = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = b[j];
                for (int c = 0; c < d; c++) {
                    s += (double) w[j * d + c] * x[i * d + c];
                }
                z[i * m + j] = s / scale;
            }
        }
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = y[i] / scale;
        }
        CrossModelFit prior = method == ModelAddition.Method.LABELS_ONLY
                ? new CrossModelFit(0, 0, new double[m], Double.NaN, Map.of(), null)
                : logistic ? CrossModelFit.logistic(z, n, m, ys, PRIOR_GRID, folds, seed)
                : CrossModelFit.leastSquares(z, null, n, m, ys, PRIOR_GRID);
        // prior centre, in standardised units
        double[] w0 = new double[d];
        double b0 = prior.intercept();
        for (int j = 0; j < m; j++) {
            double a = prior.alpha()[j];
            for (int c = 0; c < d; c++) {
                w0[c] += a * w[j * d + c] / scale;
            }
            b0 += a * b[j] / scale;
        }
        double[] offset = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b0;
            for (int c = 0; c < d; c++) {
                s += w0[c] * x[i * d + c];
            }
            offset[i] = s;
        }
        // step 2: features [x, 1]
        int q = d + 1;
        double[] design = new double[n * q];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                design[i * q + c] = x[i * d + c];
            }
            design[i * q + d] = 1;
        }
        int[] fold = CrossModelFit.folds(n, folds, seed + 1);
        int k = Math.min(folds, n);
        Map<String, Double> cv = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        double chosen = Double.POSITIVE_INFINITY;
        for (double lambda : method == ModelAddition.Method.ACROSS_MODELS_ONLY
                ? new double[]{Double.POSITIVE_INFINITY} : OWN_GRID) {
            double loss = 0;
            for (int h = 0; h < k; h++) {
                int[] in = CrossModelFit.rows(fold, h, false);
                int[] out = CrossModelFit.rows(fold, h, true);
                double[] beta = fitOwn(design, q, in, ys, offset, lambda, link);
                for (int i : out) {
                    loss += Solvers.loss(ys[i], offset[i] + dot(design, i * q, beta, q), link);
                }
            }
            loss /= n;
            cv.put(CrossModelFit.key(lambda), logistic ? loss : 2 * loss * scale * scale);
            if (loss < best - 1e-15) {
                best = loss;
                chosen = lambda;
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        double[] beta = fitOwn(design, q, all, ys, offset, chosen, link);
        float[] weights = new float[d];
        for (int c = 0; c < d; c++) {
            weights[c] = (float) ((w0[c] + beta[c]) * scale);
        }
        float bias = (float) ((b0 + beta[d]) * scale);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("method", (logistic ? "logistic" : "least-squares") + switch (method) {
            case FULL -> " fit with a prior centred on a combination of the existing models' weights";
            case ACROSS_MODELS_ONLY -> " combination of the existing models' weights (ablation)";
            case ITEM_RESPONSE, PROFILE_REGRESSION -> " fit with a prior centred on a combination of the"
                    + " existing models' weights (these KNN ablations are the full method for a linear predictor)";
            case LABELS_ONLY -> " fit with a prior centred on 0, no other model (ablation)";
        });
        report.put("labelled_prompts", n);
        report.put("prior_lambda", CrossModelFit.key(prior.lambda()));
        report.put(logistic ? "prior_cv_logloss_by_lambda" : "prior_loo_mse_by_lambda", logistic ? prior.cvByLambda()
                : scaled(prior.cvByLambda(), scale * scale));
        Map<String, Double> alpha = new LinkedHashMap<>();
        for (int j = 0; j < m; j++) {
            alpha.put(models.get(j), prior.alpha()[j]);
        }
        report.put("prior_weights", alpha);
        report.put("own_lambda", CrossModelFit.key(chosen));
        report.put(logistic ? "own_cv_logloss_by_lambda" : "own_cv_mse_by_lambda", cv);
        double dn = 0;
        for (int c = 0; c < d; c++) {
            dn += beta[c] * beta[c];
        }
        report.put("own_deviation_norm", Math.sqrt(dn) * scale);
        return new Row(weights, bias, report);
    }

    /** {@code [delta, c]} on the given rows; {@code lambda = Infinity} fits {@code c} alone. */
    private static double[] fitOwn(double[] design, int q, int[] rows, double[] y, double[] offset, double lambda,
                                   Solvers.Link link) {
        int n = rows.length;
        double[] ys = new double[n];
        double[] off = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = y[rows[i]];
            off[i] = offset[rows[i]];
        }
        if (Double.isInfinite(lambda)) {
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1);
            double[] c = Solvers.glm(ones, n, 1, ys, off, new double[]{1e-6}, link, null);
            double[] out = new double[q];
            out[q - 1] = c[0];
            return out;
        }
        double[] pen = new double[q];
        java.util.Arrays.fill(pen, n * lambda);
        pen[q - 1] = 1e-6;
        return Solvers.glm(CrossModelFit.select(design, q, rows), n, q, ys, off, pen, link, null);
    }

    private static double dot(double[] a, int offset, double[] b, int q) {
        double s = 0;
        for (int j = 0; j < q; j++) {
            s += a[offset + j] * b[j];
        }
        return s;
    }

    private static Map<String, Double> scaled(Map<String, Double> cv, double factor) {
        Map<String, Double> out = new LinkedHashMap<>();
        cv.forEach((k, v) -> out.put(k, v * factor));
        return out;
    }

    private static double sd(double[] v) {
        double sd = Math.sqrt(KnnColumn.variance(v));
        return sd > 0 && Double.isFinite(sd) ? sd : 1;
    }
}

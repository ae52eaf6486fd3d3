package dev.carrot.train.add;

import dev.carrot.route.knn.KnnIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes a KNN predictor's stored targets (stored prompts x existing models) with a column for a new model that
 * has labels on a few of the stored prompts, so that the KNN predictor averages that column as it averages the
 * others.
 *
 * <ol>
 *   <li><b>Across models.</b> Each stored prompt has two profiles of what the existing models do: its row of
 *       targets (what they did on this prompt, as an item-response model sees an item) and the mean of those rows
 *       over the prompt's {@code k} nearest other stored prompts (what the router predicts for them there, {@code k}
 *       the predictor's own). The new model's value on a labelled prompt is regressed on both
 *       ({@link CrossModelFit#leastSquares}: intercept and levels free, deviations from the average model shrunk by
 *       a penalty chosen by leave-one-out error), and the fit predicts the new model on every stored prompt: the
 *       best linear completion of the prompt x model matrix from the prompt's and its neighbourhood's profiles. The
 *       prompt's row carries per-prompt structure (a copy of model A is A on every prompt), the neighbourhood's the
 *       structure by region (a new model that is strong where model B is strong).</li>
 *   <li><b>Locally, across prompts.</b> What the existing models cannot tell (a new model that is better at code than
 *       its peers) shows in the leave-one-out residuals of step 1 by region of the embedding space: each stored
 *       prompt adds {@code beta} times the mean residual of its {@code k} nearest labelled prompts, with
 *       {@code (k, beta)} chosen by leave-one-out error over the labelled prompts ({@code beta = 0}: no
 *       correction).</li>
 *   <li>A labelled prompt keeps its label, as training would store it.</li>
 * </ol>
 * Values are clipped to [0, 1] for quality and to {@code >= 0} for tokens and costs. Targets are standardised by
 * their overall standard deviation before step 1, so one penalty grid serves scores, token counts and USD.
 */
final class KnnColumn {
    /** Candidate penalties of step 1 (standardised units; {@code Infinity}: the average-model prior alone). */
    static final double[] LAMBDA_GRID = {0.01, 0.1, 1, 10, 100, 1000, Double.POSITIVE_INFINITY};
    /** Candidate neighbourhoods of step 2. */
    static final int[] RESIDUAL_K = {5, 10, 20, 50};
    /** Candidate weights of step 2. */
    static final double[] RESIDUAL_WEIGHT = {0, 0.25, 0.5, 0.75, 1};

    private KnnColumn() {
    }

    /**
     * The completed column and how it was made.
     *
     * @param values one per stored prompt
     * @param report the chosen penalty, the weights on the existing models, the correction, and their scores
     */
    record Column(float[] values, Map<String, Object> report) {
    }

    /**
     * @param store        the stored prompts
     * @param neighbours   their neighbour lists
     * @param predictorK   the KNN predictor's k: the neighbourhood of a prompt's profile
     * @param targets      stored prompts x {@code m} existing models' targets
     * @param models       the existing models' names (for the report)
     * @param rows         stored rows with a label of the new model, distinct
     * @param labels       the new model's value on each of {@code rows}
     * @param unitInterval clip to [0, 1] (quality), else to {@code >= 0}
     * @param method       {@link ModelAddition.Method#FULL}, or one of the ablations
     */
    static Column impute(KnnIndex store, StoredNeighbours neighbours, int predictorK, float[] targets, List<String> models,
                         int[] rows, double[] labels, boolean unitInterval, ModelAddition.Method method) {
        int m = models.size();
        int n = rows.length;
        int size = store.size();
        assert targets.length == size * m && labels.length == n;
        double scale = sd(targets);
        boolean region = method != ModelAddition.Method.WITHOUT_NEIGHBOURHOOD
                && method != ModelAddition.Method.LABELS_ONLY && size > 1;
        double[] profile = region ? neighbourhoodProfiles(neighbours, predictorK, targets, m, size) : null;
        double[] f = new double[n * m];
        double[] g = region ? new double[n * m] : null;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                f[i * m + j] = targets[rows[i] * m + j] / scale;
                if (region) {
                    g[i * m + j] = profile[rows[i] * m + j] / scale;
                }
            }
            y[i] = labels[i] / scale;
        }
        CrossModelFit fit = method == ModelAddition.Method.LABELS_ONLY ? CrossModelFit.mean(y, m)
                : CrossModelFit.leastSquares(f, g, n, m, y, LAMBDA_GRID);
        double[] residual = fit.looResiduals();
        for (int i = 0; i < n; i++) {
            residual[i] *= scale;
        }

        // step 2: the residuals of the labelled prompts, smoothed over their nearest labelled neighbours
        int dim = store.dimension();
        float[] lx = new float[n * dim];
        float[] row = new float[dim];
        for (int i = 0; i < n; i++) {
            store.row(rows[i], row);
            System.arraycopy(row, 0, lx, i * dim, dim);
        }
        int kMax = 0;
        for (int k : RESIDUAL_K) {
            if (k <= n - 1) {
                kMax = k;
            }
        }
        int chosenK = 0;
        double chosenWeight = 0;
        double noCorrection = meanSquare(residual);
        double bestScore = noCorrection;
        KnnIndex labelled = null;
        if (kMax > 0) {
            labelled = KnnIndex.of(lx, dim);
            // each labelled prompt's nearest other labelled prompts
            int[][] near = new int[n][kMax];
            int[] found = new int[kMax + 1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(lx, i * dim, row, 0, dim);
                int c = labelled.search(row, kMax + 1, found, null);
                int w = 0;
                for (int j = 0; j < c && w < kMax; j++) {
                    if (found[j] != i) {
                        near[i][w++] = found[j];
                    }
                }
            }
            for (int k : RESIDUAL_K) {
                if (k > kMax) {
                    continue;
                }
                for (double beta : RESIDUAL_WEIGHT) {
                    if (beta == 0 || method == ModelAddition.Method.ACROSS_MODELS_ONLY) {
                        continue;
                    }
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        double e = residual[i] - beta * mean(residual, near[i], k);
                        s += e * e;
                    }
                    s /= n;
                    if (s < bestScore - 1e-15 * Math.max(1, noCorrection)) {
                        bestScore = s;
                        chosenK = k;
                        chosenWeight = beta;
                    }
                }
            }
        }

        float[] out = new float[size];
        double[] labelOf = new double[size];
        boolean[] isLabelled = new boolean[size];
        for (int i = 0; i < n; i++) {
            isLabelled[rows[i]] = true;
            labelOf[rows[i]] = labels[i];
        }
        int[] nb = new int[Math.max(1, chosenK)];
        for (int r = 0; r < size; r++) {
            double v;
            if (isLabelled[r]) {
                v = labelOf[r];
            } else {
                v = fit.intercept() * scale;
                for (int j = 0; j < m; j++) {
                    v += fit.alpha()[j] * targets[r * m + j];
                    if (region) {
                        v += fit.gamma()[j] * profile[r * m + j];
                    }
                }
                if (chosenK > 0) {
                    store.row(r, row);
                    int c = labelled.search(row, chosenK, nb, null);
                    v += chosenWeight * mean(residual, nb, c);
                }
            }
            out[r] = (float) (unitInterval ? Math.min(1, Math.max(0, v)) : Math.max(0, v));
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("method", switch (method) {
            case FULL -> "cross-model ridge regression on the prompt's and its neighbourhood's profiles + local"
                    + " residual correction";
            case ACROSS_MODELS_ONLY -> "cross-model ridge regression on the prompt's and its neighbourhood's profiles"
                    + " (ablation)";
            case WITHOUT_NEIGHBOURHOOD -> "cross-model ridge regression on the prompt's profile + local residual"
                    + " correction (ablation)";
            case LABELS_ONLY -> "the labels' mean + local residual correction, no other model (ablation)";
        });
        report.put("labelled_stored_prompts", n);
        report.put("lambda", CrossModelFit.key(fit.lambda()));
        report.put("loo_mse_by_lambda", unscaled(fit.cvByLambda(), scale * scale));
        report.put("intercept", fit.intercept() * scale);
        Map<String, Double> alpha = new LinkedHashMap<>();
        Map<String, Double> gamma = new LinkedHashMap<>();
        for (int j = 0; j < m; j++) {
            alpha.put(models.get(j), fit.alpha()[j]);
            if (region) {
                gamma.put(models.get(j), fit.gamma()[j]);
            }
        }
        report.put("weights", alpha);
        if (region) {
            report.put("neighbourhood_k", neighbours.stride(predictorK));
            report.put("neighbourhood_weights", gamma);
        }
        report.put("label_variance", variance(labels));
        report.put("residual_k", chosenK);
        report.put("residual_weight", chosenWeight);
        report.put("residual_loo_mse", bestScore);
        report.put("residual_loo_mse_uncorrected", noCorrection);
        return new Column(out, report);
    }

    /** Per stored prompt, the existing models' targets averaged over its nearest other stored prompts. */
    private static double[] neighbourhoodProfiles(StoredNeighbours neighbours, int k, float[] targets, int m,
                                                  int size) {
        int kk = neighbours.stride(k);
        int[] lists = neighbours.lists(k);
        double[] out = new double[size * m];
        for (int r = 0; r < size; r++) {
            for (int j = 0; j < kk; j++) {
                int nb = lists[r * kk + j];
                for (int c = 0; c < m; c++) {
                    out[r * m + c] += targets[nb * m + c];
                }
            }
            for (int c = 0; c < m; c++) {
                out[r * m + c] /= kk;
            }
        }
        return out;
    }

    private static Map<String, Double> unscaled(Map<String, Double> cv, double factor) {
        Map<String, Double> out = new LinkedHashMap<>();
        cv.forEach((k, v) -> out.put(k, v * factor));
        return out;
    }

    private static double mean(double[] v, int[] idx, int k) {
        if (k == 0) {
            return 0;
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            s += v[idx[j]];
        }
        return s / k;
    }

    private static double meanSquare(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return s / v.length;
    }

    static double variance(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / v.length;
    }

    /** The overall standard deviation of a matrix's values, 1 when they are all equal. */
    static double sd(float[] a) {
        double mean = 0;
        for (float v : a) {
            mean += v;
        }
        mean /= a.length;
        double s = 0;
        for (float v : a) {
            s += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(s / a.length);
        return sd > 0 && Double.isFinite(sd) ? sd : 1;
    }
}

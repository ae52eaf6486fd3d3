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
 *   <li><b>Across models.</b> Each stored prompt's row of targets is what the existing models did on it: the
 *       prompt's profile, as an item-response model sees an item.
 *       <ul>
 *         <li>Quality: a logistic low-rank (multidimensional item-response) model of the stored matrix gives each
 *             prompt a vector and each existing model a vector ({@link FactorModel}); the new model's vector is
 *             fitted on its labels with a Gaussian prior from the existing models' vectors. Rank and prior strength
 *             are chosen by K-fold cross-entropy on the labels. The new model's value on every stored prompt is its
 *             predicted probability there.</li>
 *         <li>Output tokens and costs: the new model's value is regressed on the prompt's profile
 *             ({@link CrossModelFit#leastSquares}: intercept and level free, deviations from the average model
 *             shrunk by a penalty chosen by leave-one-out error); costs of different models on one prompt are close
 *             to proportional, and this finds the proportion.</li>
 *       </ul></li>
 *   <li><b>Locally, across prompts.</b> What the existing models cannot tell (a new model that is better at code than
 *       every one of them) shows in the out-of-sample residuals of step 1 by region of the embedding space: each
 *       stored prompt adds {@code beta} times the mean residual of its {@code k} nearest labelled prompts, with
 *       {@code (k, beta)} chosen by leave-one-out error over the labelled prompts ({@code beta = 0}: no
 *       correction).</li>
 *   <li>A labelled prompt keeps its label, as training would store it, where it is one stored prompt; prompts
 *       that share one embedding (a long shared few-shot prefix cut at the encoder's limit) form a group whose rows
 *       the labels cannot tell apart: those rows keep step 1's values moved towards the group's label mean by
 *       {@code n / (n + kappa)} over its {@code n} labelled prompts, {@code kappa} chosen by leave-one-out error of
 *       the shrunk mean residual within the groups (0: the group's label mean; infinity: the existing models alone,
 *       right for a copy of one of them).</li>
 * </ol>
 * Values are clipped to [0, 1] for quality and to {@code >= 0} for tokens and costs. Regression targets are
 * standardised by their overall standard deviation first, so one penalty grid serves token counts and USD.
 */
final class KnnColumn {
    /** Candidate penalties of the profile regression (standardised units; {@code Infinity}: the prior alone). */
    static final double[] LAMBDA_GRID = {0.01, 0.1, 1, 10, 100, 1000, Double.POSITIVE_INFINITY};
    /** Candidate ranks of the factor model (capped at the number of existing models - 1). */
    static final int[] RANKS = {1, 2, 3};
    /** Candidate strengths of the prior on the new model's vector (1: the existing models' spread as it is). */
    static final double[] PRIOR_STRENGTH = {0.25, 1, 4};
    /** Alternating passes of the factor model's fit. */
    static final int SWEEPS = 15;
    /** Candidate neighbourhoods of step 2. */
    static final int[] RESIDUAL_K = {5, 10, 20, 50};
    /** Candidate weights of step 2. */
    static final double[] RESIDUAL_WEIGHT = {0, 0.25, 0.5, 0.75, 1};
    /**
     * Candidate pseudo-counts of the group shift, {@code n / (n + kappa)} of a group's mean residual over its
     * {@code n} labelled prompts (0: the labels' mean; infinity: no shift).
     */
    static final double[] GROUP_KAPPA = {0, 0.5, 1, 2, 4, 8, 16, 32, Double.POSITIVE_INFINITY};

    private KnnColumn() {
    }

    /**
     * The completed column and how it was made.
     *
     * @param values one per stored prompt
     * @param report the chosen settings, the weights on the existing models, the correction, and their scores
     */
    record Column(float[] values, Map<String, Object> report) {
    }

    /** Step 1's result: a value for every stored prompt and out-of-sample residuals of the labelled ones. */
    private record Completion(double[] values, double[] residuals) {
    }

    /**
     * @param store        the stored prompts
     * @param targets      stored prompts x {@code m} existing models' targets
     * @param models       the existing models' names (for the report)
     * @param rows         stored rows with a label of the new model, distinct
     * @param labels       the new model's value on each of {@code rows} (the mean over the prompts that matched it)
     * @param matched      per labelled prompt, the stored rows it is (by embedding; a group of prompts behind one
     *                     long shared prefix share one embedding, and each matches the whole group)
     * @param promptLabels the new model's value on each labelled prompt
     * @param unitInterval quality (clipped to [0, 1]) rather than tokens or costs (clipped to {@code >= 0})
     * @param method       {@link ModelAddition.Method#FULL}, or one of the ablations
     * @param folds        folds of the cross-validation of the factor model's settings
     * @param seed         seed of those folds
     */
    static Column impute(KnnIndex store, float[] targets, List<String> models, int[] rows, double[] labels,
                         int[][] matched, double[] promptLabels, boolean unitInterval, ModelAddition.Method method,
                         int folds, long seed) {
        int m = models.size();
        int n = rows.length;
        int size = store.size();
        assert targets.length == size * m && labels.length == n;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("labelled_stored_prompts", n);
        Completion step1;
        // the observations of step 2: stored rows (item response, labels only) or labelled prompts (regression)
        int[] obsRow = rows;
        ModelAddition.Method mt = method;
        boolean itemResponse = unitInterval && m >= 2 && (mt == ModelAddition.Method.FULL
                || mt == ModelAddition.Method.ACROSS_MODELS_ONLY || mt == ModelAddition.Method.ITEM_RESPONSE);
        boolean ablation = mt != ModelAddition.Method.FULL && mt != ModelAddition.Method.ACROSS_MODELS_ONLY;
        if (mt == ModelAddition.Method.LABELS_ONLY) {
            report.put("method", "the labels' mean + local residual correction, no other model (ablation)");
            step1 = labelMean(labels, size);
        } else if (itemResponse && mt == ModelAddition.Method.ITEM_RESPONSE) {
            report.put("method", "logistic low-rank item-response model + local residual correction (ablation)");
            step1 = factor(targets, size, m, rows, labels, folds, seed, report);
        } else {
            Completion centre = null;
            if (itemResponse) {
                Map<String, Object> irt = new LinkedHashMap<>();
                centre = factor(targets, size, m, rows, labels, folds, seed, irt);
                report.put("item_response", irt);
            }
            report.put("method", "cross-model ridge regression on the prompt's profile" + (centre != null ? ", centred on a logistic low-rank item-response"
                    + " model's prediction" : ", centred on the average model") + (mt
                    == ModelAddition.Method.ACROSS_MODELS_ONLY ? "" : " + local residual correction")
                    + (ablation ? " (ablation)" : ""));
            // one observation per labelled prompt that is a stored prompt: its label against the existing models'
            // mean stored value over the stored rows it is (the rows the KNN predictor cannot tell apart); a copy of
            // an existing model is then fitted exactly wherever prompts have their own embedding
            int np = 0;
            for (int[] g : matched) {
                np += g.length > 0 ? 1 : 0;
            }
            int[] at = new int[size];
            java.util.Arrays.fill(at, -1);
            for (int i = 0; i < n; i++) {
                at[rows[i]] = i;
            }
            double[] pf = new double[np * m];
            double[] py = new double[np];
            double[] pc = centre == null ? null : new double[np];
            obsRow = new int[np];
            int o = 0;
            for (int i = 0; i < matched.length; i++) {
                int[] g = matched[i];
                if (g.length == 0) {
                    continue;
                }
                for (int r : g) {
                    for (int j = 0; j < m; j++) {
                        pf[o * m + j] += targets[r * m + j] / (double) g.length;
                    }
                    if (pc != null) {
                        pc[o] += (labels[at[r]] - centre.residuals()[at[r]]) / g.length;
                    }
                }
                py[o] = promptLabels[i];
                obsRow[o] = g[0];
                o++;
            }
            report.put("labelled_prompts_regressed", np);
            step1 = regression(targets, size, m, models, pf, py, pc, centre == null ? null : centre.values(),
                    report);
        }
        double[] residual = step1.residuals();
        int no = residual.length;

        // step 2: the residuals of the labelled prompts, smoothed over their nearest labelled neighbours
        int dim = store.dimension();
        float[] lx = new float[no * dim];
        float[] row = new float[dim];
        for (int i = 0; i < no; i++) {
            store.row(obsRow[i], row);
            System.arraycopy(row, 0, lx, i * dim, dim);
        }
        int kMax = 0;
        for (int k : RESIDUAL_K) {
            if (k <= no - 1) {
                kMax = k;
            }
        }
        int chosenK = 0;
        double chosenWeight = 0;
        double noCorrection = meanSquare(residual);
        double bestScore = noCorrection;
        KnnIndex labelled = null;
        if (kMax > 0 && mt != ModelAddition.Method.ACROSS_MODELS_ONLY) {
            labelled = KnnIndex.of(lx, dim);
            // each labelled prompt's nearest other labelled prompts
            int[][] near = new int[no][kMax];
            int[] found = new int[kMax + 1];
            for (int i = 0; i < no; i++) {
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
                    if (beta == 0) {
                        continue;
                    }
                    double s = 0;
                    for (int i = 0; i < no; i++) {
                        double e = residual[i] - beta * mean(residual, near[i], k);
                        s += e * e;
                    }
                    s /= no;
                    if (s < bestScore - 1e-12 * noCorrection) {
                        bestScore = s;
                        chosenK = k;
                        chosenWeight = beta;
                    }
                }
            }
        }

        float[] out = new float[size];
        boolean[] isLabelled = new boolean[size];
        double[] labelOf = new double[size];
        // a stored prompt keeps the label of the prompt it is; the rows of a group of prompts with one embedding are
        // not told apart by the labels (a label is one of the group's outcomes, not this row's): they keep step 1's
        // value, which uses each row's own outcomes of the existing models, and the local correction, which moves
        // it by the group's labelled residuals
        int[] matchedBy = new int[size];
        for (int[] g : matched) {
            for (int r : g) {
                matchedBy[r] += g.length == 1 ? 1 : 1 << 16;
            }
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (matchedBy[rows[i]] > 0 && matchedBy[rows[i]] < 1 << 16) {
                isLabelled[rows[i]] = true;
                labelOf[rows[i]] = labels[i];
                kept++;
            }
        }
        report.put("stored_prompts_keeping_their_label", kept);
        // groups of stored rows with one embedding: each group's estimate is step 1's plus its labelled prompts' mean
        // step-1 residual shrunk by n_g / (n_g + kappa), kappa chosen by leave-one-out error over the labelled prompts of
        // groups with two or more (each predicted from the others of its group). kappa = 0 trusts the group's labels
        // (an effect the existing models miss: the group's label mean), kappa = infinity the existing models alone
        // (a copy of an existing model, whose residuals are noise)
        double[] pull = null;
        double[] groupLabel = null;
        boolean[] inGroup = new boolean[size];
        if (obsRow != rows) {
            Map<Integer, double[]> acc = new LinkedHashMap<>(); // g[0] -> {sum of residuals, count, sum of labels}
            int[] groupOf = new int[no];
            int o = 0;
            for (int i = 0; i < matched.length; i++) {
                int[] g = matched[i];
                if (g.length == 0) {
                    continue;
                }
                groupOf[o] = g.length > 1 ? g[0] : -1;
                if (g.length > 1) {
                    double[] a = acc.computeIfAbsent(g[0], x -> new double[3]);
                    a[0] += residual[o];
                    a[1]++;
                    a[2] += promptLabels[i];
                }
                o++;
            }
            Map<String, Double> cv = new LinkedHashMap<>();
            double bestKappa = Double.POSITIVE_INFINITY;
            double bestLoss = Double.POSITIVE_INFINITY;
            int scored = 0;
            for (double kappa : GROUP_KAPPA) {
                double loss = 0;
                scored = 0;
                for (int i = 0; i < no; i++) {
                    double[] a = groupOf[i] < 0 ? null : acc.get(groupOf[i]);
                    if (a == null || a[1] < 2) {
                        continue;
                    }
                    double others = a[1] - 1;
                    double e = residual[i] - groupWeight(others, kappa) * (a[0] - residual[i]) / others;
                    loss += e * e;
                    scored++;
                }
                if (scored == 0) {
                    break;
                }
                loss /= scored;
                cv.put(kappaKey(kappa), loss);
                // ties go to the larger kappa (the grid runs from trusting the labels to trusting the other models)
                if (loss <= bestLoss + 1e-12 * Math.max(1e-300, bestLoss)) {
                    bestLoss = loss;
                    bestKappa = kappa;
                }
            }
            // the rows move towards the group's label mean by that weight (a convex combination, so that the group's
            // mean is the shrunk estimate without clipping at the range's end: a group the new model always solves
            // reaches 1 at kappa = 0)
            pull = new double[size];
            groupLabel = new double[size];
            for (int[] g : matched) {
                if (g.length > 1) {
                    double[] a = acc.get(g[0]);
                    double w = groupWeight(a[1], bestKappa);
                    for (int r : g) {
                        pull[r] = w;
                        groupLabel[r] = a[2] / a[1];
                        inGroup[r] = true;
                    }
                }
            }
            report.put("labelled_groups", acc.size());
            report.put("group_prompts_scored", scored);
            report.put("group_kappa", kappaKey(bestKappa));
            report.put("group_loo_mse_by_kappa", cv);
        }
        int[] nb = new int[Math.max(1, chosenK)];
        for (int r = 0; r < size; r++) {
            double v;
            if (isLabelled[r]) {
                v = labelOf[r];
            } else {
                v = step1.values()[r];
                if (inGroup[r]) {
                    v += pull[r] * (groupLabel[r] - v);
                } else if (chosenK > 0) {
                    store.row(r, row);
                    int c = labelled.search(row, chosenK, nb, null);
                    v += chosenWeight * mean(residual, nb, c);
                }
            }
            out[r] = (float) (unitInterval ? Math.min(1, Math.max(0, v)) : Math.max(0, v));
        }
        report.put("label_variance", variance(labels));
        report.put("step1_out_of_sample_mse", noCorrection);
        report.put("residual_k", chosenK);
        report.put("residual_weight", chosenWeight);
        report.put("residual_loo_mse", bestScore);
        return new Column(out, report);
    }

    /** The ablation without other models: the labels' mean everywhere, leave-one-out residuals. */
    private static Completion labelMean(double[] labels, int size) {
        CrossModelFit fit = CrossModelFit.mean(labels, 0);
        double[] values = new double[size];
        java.util.Arrays.fill(values, fit.intercept());
        return new Completion(values, fit.looResiduals());
    }

    /** The item-response completion of quality; residuals are K-fold out-of-sample. */
    private static Completion factor(float[] targets, int size, int m, int[] rows, double[] labels, int folds,
                                     long seed, Map<String, Object> report) {
        int n = rows.length;
        int[] fold = CrossModelFit.folds(n, folds, seed + 3);
        int k = Math.min(folds, n);
        double best = Double.POSITIVE_INFINITY;
        FactorModel bestModel = null;
        double bestStrength = Double.NaN;
        Map<String, Double> cv = new LinkedHashMap<>();
        for (int rank : RANKS) {
            if (rank > m - 1) {
                continue;
            }
            FactorModel fm = FactorModel.fit(targets, size, m, rank, SWEEPS);
            for (double strength : PRIOR_STRENGTH) {
                double loss = 0;
                for (int h = 0; h < k; h++) {
                    int[] in = CrossModelFit.rows(fold, h, false);
                    int[] out = CrossModelFit.rows(fold, h, true);
                    double[] v = fm.newModel(pick(rows, in), pick(labels, in), strength);
                    for (int i : out) {
                        loss += crossEntropy(labels[i], fm.predict(v, rows[i]));
                    }
                }
                loss /= n;
                cv.put("rank " + rank + ", prior strength " + strength, loss);
                if (loss < best - 1e-12) {
                    best = loss;
                    bestModel = fm;
                    bestStrength = strength;
                }
            }
        }
        double[] residual = new double[n];
        for (int h = 0; h < k; h++) {
            int[] in = CrossModelFit.rows(fold, h, false);
            int[] out = CrossModelFit.rows(fold, h, true);
            double[] v = bestModel.newModel(pick(rows, in), pick(labels, in), bestStrength);
            for (int i : out) {
                residual[i] = labels[i] - bestModel.predict(v, rows[i]);
            }
        }
        double[] vector = bestModel.newModel(rows, labels, bestStrength);
        double[] values = new double[size];
        for (int r = 0; r < size; r++) {
            values[r] = bestModel.predict(vector, r);
        }
        report.put("rank", bestModel.rank());
        report.put("prior_strength", bestStrength);
        report.put("cv_logloss", cv);
        report.put("vector", vector);
        return new Completion(values, residual);
    }

    /**
     * The profile regression over the labelled prompts; residuals are leave-one-out, one per labelled prompt.
     *
     * @param pf           per labelled prompt, the existing models' mean stored value over the rows it matched
     * @param py           per labelled prompt, its label
     * @param pc           per labelled prompt, the prior prediction out of sample, or null for the average model
     * @param centreValues the prior prediction on every stored prompt, or null
     */
    private static Completion regression(float[] targets, int size, int m, List<String> models, double[] pf,
                                         double[] py, double[] pc, double[] centreValues,
                                         Map<String, Object> report) {
        int n = py.length;
        double scale = sd(targets);
        double[] f = new double[n * m];
        double[] y = new double[n];
        double[] c = pc == null ? null : new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                f[i * m + j] = pf[i * m + j] / scale;
            }
            y[i] = py[i] / scale;
            if (c != null) {
                c[i] = pc[i] / scale;
            }
        }
        CrossModelFit fit = CrossModelFit.leastSquares(f, c, n, m, y, LAMBDA_GRID);
        double[] residual = fit.looResiduals();
        for (int i = 0; i < n; i++) {
            residual[i] *= scale;
        }
        double[] values = new double[size];
        for (int r = 0; r < size; r++) {
            double v = fit.intercept() * scale + (centreValues == null ? 0 : fit.centreWeight() * centreValues[r]);
            for (int j = 0; j < m; j++) {
                v += fit.alpha()[j] * targets[r * m + j];
            }
            values[r] = v;
        }
        report.put("lambda", CrossModelFit.key(fit.lambda()));
        Map<String, Double> cv = new LinkedHashMap<>();
        fit.cvByLambda().forEach((key, v) -> cv.put(key, v * scale * scale));
        report.put("loo_mse_by_lambda", cv);
        report.put("intercept", fit.intercept() * scale);
        if (centreValues != null) {
            report.put("centre_weight", fit.centreWeight());
        }
        Map<String, Double> alpha = new LinkedHashMap<>();
        for (int j = 0; j < m; j++) {
            alpha.put(models.get(j), fit.alpha()[j]);
        }
        report.put("weights", alpha);
        return new Completion(values, residual);
    }

    /** The weight {@code n / (n + kappa)} of a group's mean residual over {@code n} labels. */
    static double groupWeight(double n, double kappa) {
        return Double.isInfinite(kappa) ? 0 : n / (n + kappa);
    }

    private static String kappaKey(double kappa) {
        return Double.isInfinite(kappa) ? "infinity" : String.valueOf(kappa);
    }

    private static double crossEntropy(double y, double p) {
        double q = Math.min(1 - 1e-9, Math.max(1e-9, p));
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }

    private static int[] pick(int[] a, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = a[idx[i]];
        }
        return out;
    }

    private static double[] pick(double[] a, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = a[idx[i]];
        }
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

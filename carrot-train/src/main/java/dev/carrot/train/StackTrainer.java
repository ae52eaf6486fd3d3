package dev.carrot.train;

import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.StackPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stacking: a {@link StackPredictor} whose weights, one convex combination per model, minimise the squared error of
 * the parts' out-of-fold predictions of the training prompts ({@link OutOfFold}). Validation stays unseen, so it
 * judges the stack as it judges its parts; the training prompts give each model's weights the ~2,000 prompts of the
 * training split instead of the validation split's ~200 that {@link BlendTrainer}'s one weight is chosen on.
 */
public final class StackTrainer implements PredictorTrainer, OutOfFold {
    private static final Logger LOG = LoggerFactory.getLogger(StackTrainer.class);

    private final List<PredictorTrainer> parts;

    /** @param parts at least two trainers that predict out of fold */
    public StackTrainer(List<PredictorTrainer> parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.size() < 2) {
            throw new IllegalArgumentException("a stack needs at least two parts, got " + parts.size());
        }
        for (PredictorTrainer p : parts) {
            if (!(p instanceof OutOfFold o && o.predictsOutOfFold())) {
                throw new IllegalArgumentException(p.name() + " cannot predict out of fold: it cannot be stacked");
            }
        }
        this.parts = List.copyOf(parts);
    }

    @Override
    public String name() {
        StringBuilder sb = new StringBuilder("stack(");
        for (int i = 0; i < parts.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(parts.get(i).name());
        }
        return sb.append(')').toString();
    }

    @Override
    public Fit fit(FitTask task) {
        int m = task.outputs();
        int k = parts.size();
        int[] tr = task.trainRows();
        List<Fit> fits = new ArrayList<>();
        double[][] oof = new double[k][];
        for (int i = 0; i < k; i++) {
            fits.add(task.fitOf(parts.get(i)));
            oof[i] = ((OutOfFold) parts.get(i)).outOfFold(task);
        }
        double[] y = Matrices.rows(task.targets(), m, tr);
        float[] weights = new float[m * k];
        Map<String, Object> weightsByModel = new LinkedHashMap<>();
        double[] a = new double[tr.length * k];
        double[] b = new double[tr.length];
        for (int c = 0; c < m; c++) {
            for (int r = 0; r < tr.length; r++) {
                for (int i = 0; i < k; i++) {
                    a[r * k + i] = oof[i][r * m + c];
                }
                b[r] = y[r * m + c];
            }
            double[] w = simplexLeastSquares(a, b, tr.length, k);
            List<Double> shown = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                weights[c * k + i] = (float) w[i];
                shown.add(w[i]);
            }
            weightsByModel.put(task.models().get(c), shown);
        }
        String p = task.target().prefix();
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put(p + "_stack_parts", parts.stream().map(PredictorTrainer::name).toList());
        hyper.put(p + "_stack_weights_by_model", weightsByModel);
        double[] sd = task.target() == FitTask.Target.QUALITY ? null : Matrices.columnSd(y, m, null);
        double[] stacked = new double[tr.length * m];
        for (int r = 0; r < tr.length; r++) {
            for (int c = 0; c < m; c++) {
                for (int i = 0; i < k; i++) {
                    stacked[r * m + c] += weights[c * k + i] * oof[i][r * m + c];
                }
            }
        }
        hyper.put(p + "_oof_mse", Matrices.mse(stacked, y, sd));
        for (int i = 0; i < k; i++) {
            hyper.put(p + "_oof_mse_" + parts.get(i).name() + "_only", Matrices.mse(oof[i], y, sd));
        }
        List<Predictor> onTrain = new ArrayList<>();
        List<Predictor> onAll = new ArrayList<>();
        for (Fit f : fits) {
            onTrain.add(f.validationPhase());
            onAll.add(f.predictor());
        }
        Fit fit = new Fit(new StackPredictor(weights, onTrain), new StackPredictor(weights, onAll), hyper);
        if (task.validationRows().length > 0) {
            double[] yv = task.validationTargets();
            hyper.put(p + "_validation_mse", Matrices.mse(task.predictValidation(fit.validationPhase()), yv,
                    task.target() == FitTask.Target.QUALITY ? null : Matrices.columnSd(yv, m, null)));
            fit = new Fit(fit.validationPhase(), fit.predictor(), hyper);
        }
        LOG.info("stack {}: weights by model {}", p, weightsByModel);
        return fit;
    }

    /**
     * The stack's weights applied to its parts' out-of-fold predictions (the weights were fitted on these same
     * predictions: two or three numbers per model over the training prompts).
     */
    @Override
    public double[] outOfFold(FitTask task) {
        float[] w = ((StackPredictor) task.fitOf(this).predictor()).weights();
        int m = task.outputs();
        int k = parts.size();
        double[] out = null;
        for (int i = 0; i < k; i++) {
            double[] p = ((OutOfFold) parts.get(i)).outOfFold(task);
            if (out == null) {
                out = new double[p.length];
            }
            for (int j = 0; j < p.length; j++) {
                out[j] += w[(j % m) * k + i] * p[j];
            }
        }
        return out;
    }

    /**
     * The weights {@code w >= 0, sum w = 1} minimising {@code |A w - b|^2} ({@code A} rows x k, row-major): projected
     * gradient descent from the uniform weights with step {@code 1 / L}, a fixed number of steps (deterministic).
     */
    static double[] simplexLeastSquares(double[] a, double[] b, int rows, int k) {
        double[] ata = new double[k * k];
        double[] atb = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                double ai = a[r * k + i];
                atb[i] += ai * b[r];
                for (int j = 0; j < k; j++) {
                    ata[i * k + j] += ai * a[r * k + j];
                }
            }
        }
        double lip = 0; // the largest row sum bounds the largest eigenvalue
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.abs(ata[i * k + j]);
            }
            lip = Math.max(lip, s);
        }
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        if (!(lip > 0)) {
            return w;
        }
        double[] g = new double[k];
        for (int it = 0; it < 5000; it++) {
            for (int i = 0; i < k; i++) {
                double s = -atb[i];
                for (int j = 0; j < k; j++) {
                    s += ata[i * k + j] * w[j];
                }
                g[i] = s;
            }
            double moved = 0;
            double[] next = new double[k];
            for (int i = 0; i < k; i++) {
                next[i] = w[i] - g[i] / lip;
            }
            next = projectToSimplex(next);
            for (int i = 0; i < k; i++) {
                moved = Math.max(moved, Math.abs(next[i] - w[i]));
            }
            w = next;
            if (moved < 1e-12) {
                break;
            }
        }
        return w;
    }

    /** Euclidean projection onto {@code w >= 0, sum w = 1} (sort-based; Held, Wolfe and Crowder). */
    static double[] projectToSimplex(double[] v) {
        int k = v.length;
        double[] u = v.clone();
        Arrays.sort(u);
        double cumulative = 0;
        double theta = 0;
        for (int i = k - 1; i >= 0; i--) {
            cumulative += u[i];
            double t = (cumulative - 1) / (k - i);
            if (i == 0 || u[i - 1] <= t) {
                theta = t;
                break;
            }
        }
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            w[i] = Math.max(0, v[i] - theta);
        }
        return w;
    }
}

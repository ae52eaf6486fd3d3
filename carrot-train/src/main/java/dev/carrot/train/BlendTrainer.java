package dev.carrot.train;

import dev.carrot.route.model.BlendPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A convex blend of two other trainers' predictors, {@code w * first + (1 - w) * second}: {@code w} on the grid
 * {@code 0, 1/steps, ..., 1} minimising the validation squared error of the two validation-phase predictors
 * (standardised per model by the validation standard deviation for tokens and costs, whose scales differ between
 * models). The parts are fitted once per training run and shared with their own variants.
 */
public final class BlendTrainer implements PredictorTrainer, OutOfFold {
    private static final Logger LOG = LoggerFactory.getLogger(BlendTrainer.class);

    private final PredictorTrainer first;
    private final PredictorTrainer second;

    public BlendTrainer(PredictorTrainer first, PredictorTrainer second) {
        this.first = Objects.requireNonNull(first, "first");
        this.second = Objects.requireNonNull(second, "second");
    }

    @Override
    public String name() {
        return "blend(" + first.name() + "," + second.name() + ")";
    }

    @Override
    public Fit fit(FitTask task) {
        Fit a = task.fitOf(first);
        Fit b = task.fitOf(second);
        Map<String, Object> hyper = new LinkedHashMap<>();
        double w = 0.5;
        if (task.validationRows().length > 0) {
            int m = task.outputs();
            double[] y = task.validationTargets();
            double[] sd = task.target() == FitTask.Target.QUALITY ? null : Matrices.columnSd(y, m, null);
            w = bestWeight(task, task.predictValidation(a.validationPhase()), task.predictValidation(b.validationPhase()),
                    y, sd, hyper);
        }
        LOG.info("blend: {} weight on {} {}", task.target().prefix(), first.name(), w);
        return new Fit(new BlendPredictor(w, a.validationPhase(), b.validationPhase()),
                new BlendPredictor(w, a.predictor(), b.predictor()), hyper);
    }

    @Override
    public boolean predictsOutOfFold() {
        return first instanceof OutOfFold a && a.predictsOutOfFold() && second instanceof OutOfFold b
                && b.predictsOutOfFold();
    }

    /** The blend, at its validation-chosen weight, of its parts' out-of-fold predictions. */
    @Override
    public double[] outOfFold(FitTask task) {
        if (!predictsOutOfFold()) {
            throw new IllegalStateException(name() + ": a part cannot predict out of fold");
        }
        double w = ((BlendPredictor) task.fitOf(this).predictor()).weight();
        double[] a = ((OutOfFold) first).outOfFold(task);
        double[] b = ((OutOfFold) second).outOfFold(task);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = w * a[i] + (1 - w) * b[i];
        }
        return out;
    }

    /** The weight on {@code a} minimising validation squared error (standardised by {@code sd} if given). */
    private double bestWeight(FitTask task, double[] a, double[] b, double[] y, double[] sd,
                              Map<String, Object> hyper) {
        int steps = task.config().blendSteps();
        int m = task.outputs();
        double best = Double.POSITIVE_INFINITY;
        double bestW = 0.5;
        for (int s = 0; s <= steps; s++) {
            double w = (double) s / steps;
            double err = 0;
            for (int i = 0; i < y.length; i++) {
                double e = (w * a[i] + (1 - w) * b[i] - y[i]) / (sd == null ? 1 : sd[i % m]);
                err += e * e;
            }
            err /= y.length;
            if (err < best - 1e-15) {
                best = err;
                bestW = w;
            }
        }
        String p = task.target().prefix();
        hyper.put(p + "_weight_on_" + first.name(), bestW);
        hyper.put(p + "_validation_mse", best);
        hyper.put(p + "_validation_mse_" + first.name() + "_only", Matrices.mse(a, y, sd));
        hyper.put(p + "_validation_mse_" + second.name() + "_only", Matrices.mse(b, y, sd));
        return bestW;
    }
}

package dev.carrot.train.linear;

import dev.carrot.route.model.Predictor;
import dev.carrot.train.FitTask;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Chooses a linear model's L2 penalty on validation: one fit on the training rows per penalty of the configuration's
 * grid, each scored by a loss of its validation predictions (computed by the predictor's own code); the lowest loss
 * wins, the first on a tie. Without validation prompts, the middle of the grid.
 */
final class L2Selection {
    private L2Selection() {
    }

    /** The chosen penalty. */
    record Chosen(double l2, Predictor validationPhase) {
    }

    /**
     * @param fit      the predictor fitted on the training rows with a penalty
     * @param loss     the loss of validation predictions
     * @param lossName names the loss in the hyperparameters ({@code validation_logloss}, ...)
     * @param hyper    receives {@code PREFIX_l2}, {@code PREFIX_LOSSNAME} and {@code PREFIX_LOSSNAME_by_l2}
     */
    static Chosen choose(FitTask task, DoubleFunction<Predictor> fit, ToDoubleFunction<double[]> loss,
                         String lossName, Map<String, Object> hyper) {
        double[] grid = task.config().l2Grid();
        String p = task.target().prefix();
        if (task.validationRows().length == 0) {
            double l2 = grid[grid.length / 2];
            return new Chosen(l2, null);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        Chosen chosen = null;
        for (double l2 : grid) {
            Predictor candidate = fit.apply(l2);
            double value = loss.applyAsDouble(task.predictValidation(candidate));
            losses.put(String.valueOf(l2), value);
            if (chosen == null || value < best) {
                best = value;
                chosen = new Chosen(l2, candidate);
            }
        }
        hyper.put(p + "_l2", chosen.l2());
        hyper.put(p + "_" + lossName, best);
        hyper.put(p + "_" + lossName + "_by_l2", losses);
        return chosen;
    }

    /** The options of the configuration with a penalty. */
    static TribuoLinear.Options options(FitTask task, double l2) {
        var c = task.config();
        return new TribuoLinear.Options(l2, c.learningRate(), c.epochs(), c.seed());
    }
}

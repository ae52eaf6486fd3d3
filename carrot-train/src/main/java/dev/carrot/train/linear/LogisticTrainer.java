package dev.carrot.train.linear;

import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.train.FitTask;
import dev.carrot.train.PredictorTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logistic regression per model for quality ({@link TribuoLinear#logistic}, graded scores as soft labels), its L2
 * penalty chosen by validation log-loss.
 */
public final class LogisticTrainer implements PredictorTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LogisticTrainer.class);

    @Override
    public String name() {
        return "logistic";
    }

    @Override
    public Fit fit(FitTask task) {
        Map<String, Object> hyper = new LinkedHashMap<>();
        double[] y = task.validationTargets();
        L2Selection.Chosen c = L2Selection.choose(task, l2 -> fit(task, task.trainRows(), l2), p -> logLoss(p, y),
                "validation_logloss", hyper);
        Predictor last = fit(task, task.allRows(), c.l2());
        LOG.info("logistic: L2 = {}", c.l2());
        return new Fit(c.validationPhase() == null ? last : c.validationPhase(), last, hyper);
    }

    private static Predictor fit(FitTask task, int[] rows, double l2) {
        TribuoLinear.Weights w = TribuoLinear.logistic(task.embeddings(), task.dimension(), task.targets(),
                task.outputs(), rows, L2Selection.options(task, l2));
        return new LinearPredictor(task.outputs(), task.dimension(), w.weightsAsFloat(), w.biasAsFloat(),
                LinearPredictor.Link.SIGMOID);
    }

    /** Mean binary cross-entropy of predictions {@code p} against soft labels {@code y}. */
    static double logLoss(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(1 - 1e-12, Math.max(1e-12, p[i]));
            s -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
        }
        return s / p.length;
    }
}

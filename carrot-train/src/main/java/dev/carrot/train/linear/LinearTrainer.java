package dev.carrot.train.linear;

import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.train.FitTask;
import dev.carrot.train.Matrices;
import dev.carrot.train.PredictorTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-output linear regression for output tokens or cost ({@link TribuoLinear#regression}), its L2 penalty chosen
 * by the validation mean squared error of targets standardised by their training standard deviation.
 */
public final class LinearTrainer implements PredictorTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LinearTrainer.class);

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public Fit fit(FitTask task) {
        int m = task.outputs();
        String[] names = task.models().toArray(new String[0]);
        double[] sd = Matrices.columnSd(task.targets(), m, task.trainRows());
        double[] y = task.validationTargets();
        Map<String, Object> hyper = new LinkedHashMap<>();
        L2Selection.Chosen c = L2Selection.choose(task, l2 -> fit(task, task.trainRows(), l2, names),
                p -> Matrices.mse(p, y, sd), "validation_standardised_mse", hyper);
        Predictor last = fit(task, task.allRows(), c.l2(), names);
        LOG.info("linear {}: L2 = {}", task.target().prefix(), c.l2());
        return new Fit(c.validationPhase() == null ? last : c.validationPhase(), last, hyper);
    }

    private static Predictor fit(FitTask task, int[] rows, double l2, String[] names) {
        TribuoLinear.Weights w = TribuoLinear.regression(task.embeddings(), task.dimension(), task.targets(),
                task.outputs(), rows, L2Selection.options(task, l2), names);
        return new LinearPredictor(task.outputs(), task.dimension(), w.weightsAsFloat(), w.biasAsFloat(),
                LinearPredictor.Link.IDENTITY);
    }
}

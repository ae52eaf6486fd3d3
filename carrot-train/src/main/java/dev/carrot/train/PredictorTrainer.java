package dev.carrot.train;

import dev.carrot.route.model.Predictor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Fits one kind of {@link Predictor} for one target (quality, output tokens or cost), its own hyperparameter search
 * included. The predictor itself lives in carrot-route; the trainer scores it through the predictor's own code
 * ({@link FitTask#predictValidation}), so what it tunes is exactly what a router will compute.
 *
 * <p>A trainer is stateless: everything it needs comes from the {@link FitTask}; {@link FitTask#shared} keeps work
 * that several targets can reuse (for example KNN's cross-validation neighbour lists).
 */
public interface PredictorTrainer {

    /** A short name for logs and hyperparameter keys ({@code knn}, {@code logistic}, ...). */
    String name();

    /** Fits the target of {@code task}. */
    Fit fit(FitTask task);

    /**
     * A fitted predictor.
     *
     * @param validationPhase the predictor fitted on the training rows only (its stored prompts, if it reads
     *                        neighbours, are {@link FitTask#trainIndex()}): what validation judges
     * @param predictor       the predictor refitted on training and validation rows with the chosen hyperparameters
     *                        (stored prompts {@link FitTask#allIndex()}): what the router keeps
     * @param hyperparameters what was chosen and the scores it was chosen by, keyed with the target's
     *                        {@link FitTask.Target#prefix()}
     */
    record Fit(Predictor validationPhase, Predictor predictor, Map<String, Object> hyperparameters) {
        public Fit {
            Objects.requireNonNull(validationPhase, "validationPhase");
            Objects.requireNonNull(predictor, "predictor");
            hyperparameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        }
    }
}

package dev.carrot.train;

/**
 * A trainer that can predict its target for the training prompts out of fold: each prompt by a predictor fitted
 * without its fold ({@link Folds} of {@link FitTask#trainRows()}, shared by every trainer of the run). Stacking fits
 * its weights on these, so that validation stays unseen.
 */
public interface OutOfFold {

    /**
     * The out-of-fold raw predictions (before clipping) of the training rows, in {@link FitTask#trainRows()} order,
     * rows x models, with the hyperparameters the trainer chose on the training rows. Computed once per run.
     */
    double[] outOfFold(FitTask task);

    /** Whether {@link #outOfFold} can be called (a combination can when all its parts can). */
    default boolean predictsOutOfFold() {
        return true;
    }

    /** The out-of-fold predictions of {@code trainer}, or empty when it cannot make them. */
    static java.util.Optional<double[]> of(PredictorTrainer trainer, FitTask task) {
        if (trainer instanceof OutOfFold o && o.predictsOutOfFold()) {
            return java.util.Optional.of(o.outOfFold(task));
        }
        return java.util.Optional.empty();
    }

    /** Each row's position in {@code rows} (the order out-of-fold predictions are reported in). */
    static java.util.Map<Integer, Integer> positions(int[] rows) {
        java.util.Map<Integer, Integer> pos = new java.util.HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            pos.put(rows[i], i);
        }
        return pos;
    }

    /** The folds of the training rows every out-of-fold prediction uses. */
    static Folds trainFolds(FitTask task) {
        return task.shared("folds.train", () -> Folds.of(task.trainRows(), task.config()));
    }
}

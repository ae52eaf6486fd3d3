package dev.carrot.train.toy;

import dev.carrot.train.FitTask;
import dev.carrot.train.Matrices;
import dev.carrot.train.PredictorTrainer;

import java.util.Map;

/** Fits {@link MeanPredictor}: the column means of the target over the fitted rows. */
public final class MeanTrainer implements PredictorTrainer {
    @Override
    public String name() {
        return "mean";
    }

    @Override
    public Fit fit(FitTask task) {
        return new Fit(new MeanPredictor(Matrices.toFloat(Matrices.columnMeans(task.targets(), task.outputs(),
                task.trainRows()))), new MeanPredictor(Matrices.toFloat(Matrices.columnMeans(task.targets(),
                task.outputs(), task.allRows()))), Map.of(task.target().prefix() + "_rows", task.allRows().length));
    }
}

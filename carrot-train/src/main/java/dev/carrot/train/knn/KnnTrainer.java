package dev.carrot.train.knn;

import dev.carrot.route.model.KnnPredictor;
import dev.carrot.train.FitTask;
import dev.carrot.train.Folds;
import dev.carrot.train.OutOfFold;
import dev.carrot.train.Matrices;
import dev.carrot.train.PredictorTrainer;
import dev.carrot.train.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's predictor: KNN regression over the stored prompts, with k chosen by cross-validated R^2 from the
 * configuration's grid ({@link KnnTuner}). The validation-phase k is tuned on the training rows only, so validation
 * stays unseen by everything it judges (blend weights, the default router, the budget calibration); the final k is
 * tuned on training + validation. Folds are contiguous blocks of the rows after a seeded shuffle, or in the dataset's
 * order when the configuration asks for it; the neighbour lists of a set of rows are computed once and shared by
 * every target.
 */
public final class KnnTrainer implements PredictorTrainer, OutOfFold {
    private static final Logger LOG = LoggerFactory.getLogger(KnnTrainer.class);

    @Override
    public String name() {
        return "knn";
    }

    @Override
    public Fit fit(FitTask task) {
        int m = task.outputs();
        int[] tr = task.trainRows();
        int[] va = task.validationRows();
        int[] all = task.allRows();
        String p = task.target().prefix();
        KnnTuner.Result onTrain = va.length == 0 ? null : tune(task, "train", tr);
        KnnTuner.Result onAll = tune(task, "train + validation", all);
        if (onTrain == null) {
            onTrain = onAll;
        }
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put(p + "_k", onAll.k());
        hyper.put(p + "_cv_r2", onAll.bestScore());
        hyper.put(p + "_cv_r2_by_k", byK(onAll));
        if (va.length > 0) {
            hyper.put("validation_phase_" + p + "_k", onTrain.k());
        }
        return new Fit(new KnnPredictor(onTrain.k(), m, task.targetsOf(tr)),
                new KnnPredictor(onAll.k(), m, task.targetsOf(all)), hyper);
    }

    /**
     * The training rows predicted from their cross-validation neighbours (the other folds' prompts) at the k chosen on
     * the training rows: the folds are {@link OutOfFold#trainFolds}.
     */
    @Override
    public double[] outOfFold(FitTask task) {
        return task.shared("knn.oof." + task.target(), () -> {
            int[] tr = task.trainRows();
            String what = task.validationRows().length == 0 ? "train + validation" : "train";
            KnnTuner.Result chosen = tune(task, what, tr);
            NeighbourLists lists = lists(task, what, Folds.shuffled(tr, task.config()));
            int[] order = Folds.shuffled(tr, task.config());
            java.util.Map<Integer, Integer> posInTrain = OutOfFold.positions(tr);
            int m = task.outputs();
            double[] y = task.targets();
            double[] out = new double[tr.length * m];
            int k = chosen.k();
            for (int i = 0; i < order.length; i++) {
                int o = posInTrain.get(order[i]) * m;
                for (int j = 0; j < k; j++) {
                    int r = order[lists.neighbour(i, j)];
                    for (int c = 0; c < m; c++) {
                        out[o + c] += y[r * m + c];
                    }
                }
                for (int c = 0; c < m; c++) {
                    out[o + c] /= k;
                }
            }
            return out;
        }).clone();
    }

    private static NeighbourLists lists(FitTask task, String what, int[] order) {
        var config = task.config();
        int[] grid = config.kGrid();
        int maxK = grid[grid.length - 1];
        int dim = task.dimension();
        return task.shared("knn.cv-lists." + what, () -> {
            try (Progress progress = Progress.start("KNN cross-validation on " + what, order.length)) {
                return NeighbourLists.compute(Matrices.rows(task.embeddings(), dim, order), dim, config.folds(), maxK,
                        config.threads(), progress::step);
            }
        });
    }

    /** Cross-validates k on {@code rows}. */
    private static KnnTuner.Result tune(FitTask task, String what, int[] rows) {
        var config = task.config();
        int[] order = Folds.shuffled(rows, config);
        int[] grid = config.kGrid();
        NeighbourLists lists = lists(task, what, order);
        KnnTuner.Result result = KnnTuner.tune(lists, Matrices.rows(task.targets(), task.outputs(), order),
                task.outputs(), grid);
        LOG.info("KNN on {}: {} k = {} (CV R^2 {})", what, task.target().prefix(), result.k(),
                String.format(Locale.ROOT, "%.4f", result.bestScore()));
        return result;
    }

    private static Map<String, Double> byK(KnnTuner.Result r) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < r.grid().length; i++) {
            out.put(String.valueOf(r.grid()[i]), r.scores()[i]);
        }
        return out;
    }
}

package dev.carrot.train.linear;

import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.train.FitTask;
import dev.carrot.train.Folds;
import dev.carrot.train.Matrices;
import dev.carrot.train.OutOfFold;
import dev.carrot.train.PredictorTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-output ridge regression for output tokens or cost ({@link Ridge}, in closed form), each output's L2 penalty
 * chosen from the configuration's grid by the out-of-fold mean squared error of the training prompts
 * ({@link OutOfFold#trainFolds}; validation stays unseen). Exported as a {@link LinearPredictor} with the identity
 * link.
 */
public final class LinearTrainer implements PredictorTrainer, OutOfFold {
    private static final Logger LOG = LoggerFactory.getLogger(LinearTrainer.class);

    @Override
    public String name() {
        return "linear";
    }

    /** Per output: the chosen penalty; the out-of-fold predictions at it; standardised CV MSE per grid value. */
    private record Cv(double[] l2, double[] outOfFold, double[][] mseByL2, Ridge.Gram[] foldGrams) {
    }

    @Override
    public Fit fit(FitTask task) {
        int m = task.outputs();
        Cv cv = crossValidate(task);
        double[] grid = LogisticTrainer.descending(task.config().l2Grid());
        String p = task.target().prefix();
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put(p + "_solver", "ridge (closed form)");
        Map<String, Double> byModel = new LinkedHashMap<>();
        Map<String, Double> byL2 = new LinkedHashMap<>();
        for (int c = 0; c < m; c++) {
            byModel.put(task.models().get(c), cv.l2()[c]);
        }
        for (int g = 0; g < grid.length; g++) {
            double s = 0;
            for (int c = 0; c < m; c++) {
                s += cv.mseByL2()[g][c];
            }
            byL2.put(String.valueOf(grid[g]), s / m);
        }
        hyper.put(p + "_l2_by_model", byModel);
        hyper.put(p + "_cv_standardised_mse_by_l2", byL2);
        Ridge.Gram train = cv.foldGrams()[0];
        for (int f = 1; f < cv.foldGrams().length; f++) {
            train = train.plus(cv.foldGrams()[f]);
        }
        Predictor onTrain = predictor(task, train, cv.l2());
        Predictor onAll = onTrain;
        if (task.validationRows().length > 0) {
            Ridge.Gram all = train.plus(Ridge.Gram.of(task.embeddings(), task.dimension(), task.targets(), m,
                    task.validationRows()));
            onAll = predictor(task, all, cv.l2());
            double[] sd = Matrices.columnSd(task.targets(), m, task.trainRows());
            hyper.put(p + "_validation_standardised_mse", Matrices.mse(task.predictValidation(onTrain),
                    task.validationTargets(), sd));
        }
        LOG.info("ridge {}: L2 by model {}", p, byModel);
        return new Fit(onTrain, onAll, hyper);
    }

    @Override
    public double[] outOfFold(FitTask task) {
        return crossValidate(task).outOfFold().clone();
    }

    private Cv crossValidate(FitTask task) {
        return task.shared("ridge.cv." + task.target(), () -> computeCv(task));
    }

    private static Cv computeCv(FitTask task) {
        int m = task.outputs();
        int dim = task.dimension();
        float[] x = task.embeddings();
        double[] y = task.targets();
        Folds folds = OutOfFold.trainFolds(task);
        int k = folds.folds();
        double[] grid = LogisticTrainer.descending(task.config().l2Grid());
        int[] tr = task.trainRows();
        Map<Integer, Integer> posInTrain = OutOfFold.positions(tr);
        int[][] heldOut = new int[k][];
        Ridge.Gram[] grams = new Ridge.Gram[k];
        for (int f = 0; f < k; f++) {
            heldOut[f] = folds.rowsAt(folds.heldOut(f));
        }
        LogisticTrainer.parallel(task, k, f -> {
            grams[f] = Ridge.Gram.of(x, dim, y, m, heldOut[f]);
            return null;
        });
        double[][] oof = new double[grid.length][tr.length * m];
        LogisticTrainer.parallel(task, k, f -> {
            Ridge.Gram fit = null;
            for (int o = 0; o < k; o++) {
                if (o != f) {
                    fit = fit == null ? grams[o] : fit.plus(grams[o]);
                }
            }
            for (int g = 0; g < grid.length; g++) {
                double[] beta = Ridge.solve(fit, grid[g]);
                for (int r : heldOut[f]) {
                    int i = posInTrain.get(r);
                    for (int c = 0; c < m; c++) {
                        oof[g][i * m + c] = Ridge.predict(beta, m, c, x, dim, r);
                    }
                }
            }
            return null;
        });
        double[] sd = Matrices.columnSd(y, m, tr);
        PenaltyChoice choice = PenaltyChoice.of(oof, y, m, tr, grid, (c, p, t) -> {
            double e = (p - t) / (sd[c] > 0 ? sd[c] : 1);
            return e * e;
        });
        return new Cv(choice.l2(), choice.outOfFold(), choice.lossByL2(), grams);
    }

    /** The ridge predictor of each output at its own penalty. */
    private static Predictor predictor(FitTask task, Ridge.Gram g, double[] l2) {
        int m = task.outputs();
        int dim = task.dimension();
        float[] w = new float[m * dim];
        float[] b = new float[m];
        Map<Double, double[]> solved = new LinkedHashMap<>();
        for (int c = 0; c < m; c++) {
            double[] beta = solved.computeIfAbsent(l2[c], v -> Ridge.solve(g, v));
            for (int j = 0; j < dim; j++) {
                w[c * dim + j] = (float) beta[j * m + c];
            }
            b[c] = (float) beta[dim * m + c];
        }
        return new LinearPredictor(m, dim, w, b, LinearPredictor.Link.IDENTITY);
    }
}

package dev.carrot.train.linear;

import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.train.FitTask;
import dev.carrot.train.Folds;
import dev.carrot.train.OutOfFold;
import dev.carrot.train.PredictorTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Logistic regression per model for quality ({@link SoftLogistic}: soft labels, L2, solved to convergence by L-BFGS),
 * each model's L2 penalty chosen from the configuration's grid by the out-of-fold log-loss of the training prompts
 * ({@link OutOfFold#trainFolds}; validation stays unseen, as for KNN's k). The penalty path of each fold is solved
 * from the largest penalty down, each fit starting from the previous one.
 *
 * <p>The exported predictor is a {@link LinearPredictor} with a sigmoid link, the kind every logistic router has
 * had: routers trained by the earlier SGD solver load and predict as before.
 */
public final class LogisticTrainer implements PredictorTrainer, OutOfFold {
    private static final Logger LOG = LoggerFactory.getLogger(LogisticTrainer.class);

    @Override
    public String name() {
        return "logistic";
    }

    /** What cross-validation chose: per model the penalty, and the out-of-fold predictions at it. */
    private record Cv(double[] l2, double[] outOfFold, double[][] lossByL2) {
    }

    @Override
    public Fit fit(FitTask task) {
        int m = task.outputs();
        Cv cv = crossValidate(task);
        double[] grid = descending(task.config().l2Grid());
        Map<String, Object> hyper = new LinkedHashMap<>();
        String p = task.target().prefix();
        hyper.put(p + "_solver", "lbfgs");
        Map<String, Double> byModel = new LinkedHashMap<>();
        Map<String, Double> meanLoss = new LinkedHashMap<>();
        double chosenLoss = 0;
        for (int c = 0; c < m; c++) {
            byModel.put(task.models().get(c), cv.l2()[c]);
        }
        for (int g = 0; g < grid.length; g++) {
            double s = 0;
            for (int c = 0; c < m; c++) {
                s += cv.lossByL2()[g][c];
            }
            meanLoss.put(String.valueOf(grid[g]), s / m);
        }
        for (int c = 0; c < m; c++) {
            int g = indexOf(grid, cv.l2()[c]);
            chosenLoss += cv.lossByL2()[g][c];
        }
        hyper.put(p + "_l2_by_model", byModel);
        hyper.put(p + "_cv_logloss", chosenLoss / m);
        hyper.put(p + "_cv_logloss_by_l2", meanLoss);
        Predictor onTrain = fit(task, task.trainRows(), cv.l2());
        Predictor onAll = task.validationRows().length == 0 ? onTrain : fit(task, task.allRows(), cv.l2());
        if (task.validationRows().length > 0) {
            hyper.put(p + "_validation_logloss", logLoss(task.predictValidation(onTrain), task.validationTargets()));
        }
        LOG.info("logistic (L-BFGS): L2 by model {}", byModel);
        return new Fit(onTrain, onAll, hyper);
    }

    @Override
    public double[] outOfFold(FitTask task) {
        return crossValidate(task).outOfFold().clone();
    }

    private Cv crossValidate(FitTask task) {
        return task.shared("logistic.cv." + task.target(), () -> computeCv(task));
    }

    private static Cv computeCv(FitTask task) {
        int m = task.outputs();
        Folds folds = OutOfFold.trainFolds(task);
        double[] grid = descending(task.config().l2Grid());
        int[] tr = task.trainRows();
        // position in trainRows of each dataset row, to report out-of-fold predictions in trainRows order
        Map<Integer, Integer> posInTrain = OutOfFold.positions(tr);
        double[][] oof = new double[grid.length][tr.length * m];
        int k = folds.folds();
        float[] x = task.embeddings();
        int dim = task.dimension();
        double[] y = task.targets();
        SoftLogistic[] problems = new SoftLogistic[k];
        int[][] heldOut = new int[k][];
        int[][] fitted = new int[k][];
        for (int f = 0; f < k; f++) {
            fitted[f] = folds.rowsAt(folds.fitted(f));
            heldOut[f] = folds.rowsAt(folds.heldOut(f));
        }
        parallel(task, k, f -> {
            problems[f] = SoftLogistic.of(x, dim, fitted[f]);
            return null;
        });
        parallel(task, k * m, job -> {
            int f = job / m;
            int c = job % m;
            double[] labels = labels(y, m, c, fitted[f]);
            double[] start = null;
            for (int g = 0; g < grid.length; g++) {
                double[] w = problems[f].fit(labels, grid[g], start);
                start = w;
                double[] raw = problems[f].rawWeights(w);
                for (int r : heldOut[f]) {
                    double z = SoftLogistic.logit(raw, x, dim, r);
                    oof[g][posInTrain.get(r) * m + c] = 1 / (1 + Math.exp(-z));
                }
            }
            return null;
        });
        PenaltyChoice choice = PenaltyChoice.of(oof, y, m, tr, grid, (c, p, t) -> pointLoss(p, t));
        return new Cv(choice.l2(), choice.outOfFold(), choice.lossByL2());
    }

    private static Predictor fit(FitTask task, int[] rows, double[] l2) {
        int m = task.outputs();
        int dim = task.dimension();
        SoftLogistic problem = SoftLogistic.of(task.embeddings(), dim, rows);
        float[] w = new float[m * dim];
        float[] b = new float[m];
        parallel(task, m, c -> {
            double[] raw = problem.rawWeights(problem.fit(labels(task.targets(), m, c, rows), l2[c], null));
            for (int j = 0; j < dim; j++) {
                w[c * dim + j] = (float) raw[j];
            }
            b[c] = (float) raw[dim];
            return null;
        });
        return new LinearPredictor(m, dim, w, b, LinearPredictor.Link.SIGMOID);
    }

    private static double[] labels(double[] y, int m, int c, int[] rows) {
        double[] l = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            l[i] = y[rows[i] * m + c];
        }
        return l;
    }

    /** Runs {@code jobs} independent jobs on the configuration's threads; results do not depend on the threads. */
    static void parallel(FitTask task, int jobs, IntFunction<Void> job) {
        int threads = Math.min(task.config().threads(), jobs);
        if (threads <= 1) {
            for (int i = 0; i < jobs; i++) {
                job.apply(i);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "carrot-linear");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> done = new java.util.ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                int id = i;
                done.add(pool.submit(() -> job.apply(id)));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fitting", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }

    static double[] descending(double[] grid) {
        double[] g = Arrays.stream(grid).distinct().sorted().toArray();
        double[] d = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            d[i] = g[g.length - 1 - i];
        }
        return d;
    }

    private static int indexOf(double[] grid, double v) {
        for (int i = 0; i < grid.length; i++) {
            if (grid[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%g is not on the grid", v));
    }

    private static double pointLoss(double p, double y) {
        double q = Math.min(1 - 1e-12, Math.max(1e-12, p));
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }

    /** Mean binary cross-entropy of predictions {@code p} against soft labels {@code y}. */
    static double logLoss(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += pointLoss(p[i], y[i]);
        }
        return s / p.length;
    }
}

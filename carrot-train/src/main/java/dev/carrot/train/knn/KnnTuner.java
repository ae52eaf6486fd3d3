package dev.carrot.train.knn;

import java.util.Arrays;
import java.util.Objects;

/**
 * Chooses k for multi-output KNN regression by cross-validated R^2, as the CARROT paper does with scikit-learn's
 * {@code cross_val_score(KNeighborsRegressor(k, metric='cosine'), cv=5, scoring='r2')}: per fold, R^2 of each output
 * averaged uniformly over outputs (an output that is constant in the fold scores 1 if predicted exactly, else 0, as
 * scikit-learn does), then averaged over folds; the first k with the highest mean wins.
 *
 * <p>All k are scored from one set of {@link NeighbourLists}: the prediction for k is the running mean of the first
 * k neighbours' targets.
 */
public final class KnnTuner {
    private KnnTuner() {
    }

    /**
     * @param k      the chosen k
     * @param grid   the k values scored (those above the lists' depth are dropped)
     * @param scores mean cross-validated R^2 per grid k
     */
    public record Result(int k, int[] grid, double[] scores) {
        public Result {
            grid = grid.clone();
            scores = scores.clone();
        }

        @Override
        public int[] grid() {
            return grid.clone();
        }

        @Override
        public double[] scores() {
            return scores.clone();
        }

        /** The score of the chosen k. */
        public double bestScore() {
            for (int i = 0; i < grid.length; i++) {
                if (grid[i] == k) {
                    return scores[i];
                }
            }
            throw new IllegalStateException("chosen k not in grid");
        }
    }

    /** The paper's grid: 2, 4, 8, ..., 512. */
    public static int[] paperGrid() {
        int[] g = new int[9];
        for (int i = 0; i < 9; i++) {
            g[i] = 2 << i;
        }
        return g;
    }

    /**
     * @param lists   cross-validation neighbour lists
     * @param targets rows x outputs, row-major
     * @param outputs columns of {@code targets}
     * @param grid    candidate k, ascending
     */
    public static Result tune(NeighbourLists lists, double[] targets, int outputs, int[] grid) {
        Objects.requireNonNull(lists, "lists");
        int n = lists.rows();
        if (targets.length != n * outputs) {
            throw new IllegalArgumentException("targets have " + targets.length + " values, expected rows x outputs = "
                    + n + " x " + outputs);
        }
        int[] g = Arrays.stream(grid).filter(k -> k >= 1 && k <= lists.maxK()).toArray();
        if (g.length == 0) {
            throw new IllegalArgumentException("no k of " + Arrays.toString(grid) + " fits the neighbour lists (depth "
                    + lists.maxK() + ")");
        }
        int folds = lists.folds();
        // per fold: target means (first pass), then SST per output and SSE per grid k and output
        double[][] mean = new double[folds][outputs];
        int[] count = new int[folds];
        for (int i = 0; i < n; i++) {
            int f = lists.foldOf(i);
            count[f]++;
            for (int m = 0; m < outputs; m++) {
                mean[f][m] += targets[i * outputs + m];
            }
        }
        for (int f = 0; f < folds; f++) {
            for (int m = 0; m < outputs; m++) {
                mean[f][m] /= count[f];
            }
        }
        double[][] sst = new double[folds][outputs];
        double[][][] sse = new double[folds][g.length][outputs];
        double[] running = new double[outputs];
        for (int i = 0; i < n; i++) {
            int f = lists.foldOf(i);
            for (int m = 0; m < outputs; m++) {
                double d = targets[i * outputs + m] - mean[f][m];
                sst[f][m] += d * d;
            }
            Arrays.fill(running, 0);
            int gi = 0;
            for (int j = 0; j < lists.maxK() && gi < g.length; j++) {
                int r = lists.neighbour(i, j);
                for (int m = 0; m < outputs; m++) {
                    running[m] += targets[r * outputs + m];
                }
                if (j + 1 == g[gi]) {
                    for (int m = 0; m < outputs; m++) {
                        double e = targets[i * outputs + m] - running[m] / g[gi];
                        sse[f][gi][m] += e * e;
                    }
                    gi++;
                }
            }
        }
        double[] scores = new double[g.length];
        for (int gi = 0; gi < g.length; gi++) {
            double total = 0;
            for (int f = 0; f < folds; f++) {
                double r2 = 0;
                for (int m = 0; m < outputs; m++) {
                    double e = sse[f][gi][m];
                    if (sst[f][m] == 0) {
                        r2 += e == 0 ? 1.0 : 0.0; // scikit-learn's force_finite convention
                    } else {
                        r2 += 1 - e / sst[f][m];
                    }
                }
                total += r2 / outputs;
            }
            scores[gi] = total / folds;
        }
        int best = 0;
        for (int gi = 1; gi < g.length; gi++) {
            if (scores[gi] > scores[best]) {
                best = gi;
            }
        }
        return new Result(g[best], g, scores);
    }
}

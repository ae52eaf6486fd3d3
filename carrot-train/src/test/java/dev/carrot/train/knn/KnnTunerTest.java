package dev.carrot.train.knn;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import dev.carrot.route.TestVectors;
import dev.carrot.route.knn.KnnIndex;

class KnnTunerTest {

    /**
     * The straightforward way scikit-learn's cross_val_score does it: for every fold and every k, fit on the other
     * folds, predict the fold, R^2 per output averaged, then averaged over folds.
     */
    static double[] bruteForceScores(float[] x, int dim, double[] y, int m, int folds, int[] grid) {
        int n = x.length / dim;
        double[] scores = new double[grid.length];
        int pos = 0;
        for (int f = 0; f < folds; f++) {
            int size = n / folds + (f < n % folds ? 1 : 0);
            int from = pos;
            int to = pos + size;
            pos = to;
            for (int g = 0; g < grid.length; g++) {
                int k = grid[g];
                double r2 = 0;
                for (int c = 0; c < m; c++) {
                    double mean = 0;
                    for (int i = from; i < to; i++) {
                        mean += y[i * m + c];
                    }
                    mean /= size;
                    double sse = 0;
                    double sst = 0;
                    for (int i = from; i < to; i++) {
                        final int q = i;
                        final int lo = from;
                        final int hi = to;
                        Integer[] others = IntStream.range(0, n).filter(j -> j < lo || j >= hi).boxed()
                                .toArray(Integer[]::new);
                        double[] sim = allSimilarities(x, dim, q);
                        Arrays.sort(others, Comparator.<Integer>comparingDouble(j -> -sim[j]).thenComparingInt(j -> j));
                        double pred = 0;
                        for (int t = 0; t < k; t++) {
                            pred += y[others[t] * m + c];
                        }
                        pred /= k;
                        sse += (y[i * m + c] - pred) * (y[i * m + c] - pred);
                        sst += (y[i * m + c] - mean) * (y[i * m + c] - mean);
                    }
                    r2 += sst == 0 ? (sse == 0 ? 1 : 0) : 1 - sse / sst;
                }
                scores[g] += r2 / m / folds;
            }
        }
        return scores;
    }

    /** Every row's similarity with row {@code q}, by the KNN index's own kernel (an exact scan of all rows). */
    private static double[] allSimilarities(float[] x, int dim, int q) {
        int n = x.length / dim;
        dev.carrot.route.knn.KnnIndex index = dev.carrot.route.knn.KnnIndex.of(x, dim);
        int[] rows = new int[n];
        float[] sims = new float[n];
        index.searchExact(Arrays.copyOfRange(x, q * dim, (q + 1) * dim), n, rows, sims);
        double[] sim = new double[n];
        for (int t = 0; t < n; t++) {
            sim[rows[t]] = sims[t];
        }
        return sim;
    }

    @Test
    void scoresEqualRefittingForEveryKAndFold() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 203;
        int dim = 7;
        int m = 3;
        float[] x = TestVectors.unitRows(r, n, dim);
        double[] y = new double[n * m];
        for (int i = 0; i < n; i++) {
            // a smooth signal in the first coordinate plus noise, and a graded column
            y[i * m] = x[i * dim] > 0 ? 1 : 0;
            y[i * m + 1] = Math.min(1, Math.max(0, 0.5 + x[i * dim + 1] + 0.1 * r.nextGaussian()));
            y[i * m + 2] = r.nextInt(11) / 10.0;
        }
        int[] grid = {1, 2, 4, 8, 16, 32, 64, 128};
        NeighbourLists lists = NeighbourLists.compute(x, dim, 5, 128, 2, done -> { });
        KnnTuner.Result res = KnnTuner.tune(lists, y, m, grid);
        double[] expected = bruteForceScores(x, dim, y, m, 5, grid);
        assertThat(res.grid()).containsExactly(grid);
        for (int g = 0; g < grid.length; g++) {
            assertThat(res.scores()[g]).as("k=" + grid[g]).isCloseTo(expected[g], within(1e-9));
        }
        int best = 0;
        for (int g = 1; g < grid.length; g++) {
            if (expected[g] > expected[best]) {
                best = g;
            }
        }
        assertThat(res.k()).isEqualTo(grid[best]);
        assertThat(res.k()).isGreaterThan(1); // the signal is smooth: averaging helps
    }

    @Test
    void aConstantOutputInAFoldScoresLikeScikitLearn() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 50;
        float[] x = TestVectors.unitRows(r, n, 4);
        double[] y = new double[n * 2];
        for (int i = 0; i < n; i++) {
            y[i * 2] = 1; // constant everywhere: every prediction is exact -> R^2 = 1
            y[i * 2 + 1] = i < 10 ? 1 : 0; // constant 1 in fold 0 only, predicted wrongly there -> R^2 = 0
        }
        NeighbourLists lists = NeighbourLists.compute(x, 4, 5, 8, 1, done -> { });
        double[] expected = bruteForceScores(x, 4, y, 2, 5, new int[]{1, 8});
        KnnTuner.Result res = KnnTuner.tune(lists, y, 2, new int[]{1, 8});
        assertThat(res.scores()[0]).isCloseTo(expected[0], within(1e-12));
        assertThat(res.scores()[1]).isCloseTo(expected[1], within(1e-12));
    }

    @Test
    void gridValuesDeeperThanTheListsAreDropped() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = TestVectors.unitRows(r, 20, 3);
        NeighbourLists lists = NeighbourLists.compute(x, 3, 5, 512, 1, done -> { });
        assertThat(lists.maxK()).isEqualTo(16); // each training fold has 16 rows
        KnnTuner.Result res = KnnTuner.tune(lists, new double[20], 1, KnnTuner.paperGrid());
        assertThat(res.grid()).containsExactly(2, 4, 8, 16);
        assertThatThrownBy(() -> KnnTuner.tune(lists, new double[19], 1, KnnTuner.paperGrid()))
                .hasMessageContaining("targets have 19 values, expected rows x outputs = 20 x 1");
        assertThatThrownBy(() -> NeighbourLists.compute(x, 3, 1, 8, 1, done -> { }))
                .hasMessageContaining("folds must be in [2, rows = 20], got 1");
    }
}

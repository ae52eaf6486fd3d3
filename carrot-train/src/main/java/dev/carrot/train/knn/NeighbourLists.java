package dev.carrot.train.knn;

import dev.carrot.route.knn.KnnIndex;
import dev.carrot.train.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The cross-validation neighbour lists of a training set, computed once: rows are split into {@code folds}
 * contiguous folds (as scikit-learn's {@code KFold} without shuffling does), and every row gets its {@code maxK}
 * nearest neighbours (cosine) among the rows of the other folds, best first. Every k up to {@code maxK}, and every
 * target (quality, tokens, cost), is then scored from these lists without searching again.
 */
public final class NeighbourLists {
    private final int rows;
    private final int folds;
    private final int maxK;
    private final int[] foldOf;
    private final int[] neighbours; // rows x maxK, global row ids

    private NeighbourLists(int rows, int folds, int maxK, int[] foldOf, int[] neighbours) {
        this.rows = rows;
        this.folds = folds;
        this.maxK = maxK;
        this.foldOf = foldOf;
        this.neighbours = neighbours;
    }

    /**
     * Computes the lists.
     *
     * @param embeddings unit rows, row-major
     * @param dim        columns
     * @param folds      number of folds (>= 2)
     * @param maxK       neighbours per row; capped at the smallest training-fold size
     * @param threads    worker threads (folds run in parallel)
     */
    public static NeighbourLists compute(float[] embeddings, int dim, int folds, int maxK, int threads,
                                         Progress progress) {
        Objects.requireNonNull(embeddings, "embeddings");
        int n = embeddings.length / dim;
        if (folds < 2 || folds > n) {
            throw new IllegalArgumentException("folds must be in [2, rows = " + n + "], got " + folds);
        }
        int[] foldOf = new int[n];
        int[] start = new int[folds + 1];
        for (int f = 0, pos = 0; f < folds; f++) {
            int size = n / folds + (f < n % folds ? 1 : 0);
            start[f] = pos;
            for (int i = 0; i < size; i++) {
                foldOf[pos + i] = f;
            }
            pos += size;
            start[f + 1] = pos;
        }
        int minTrain = Integer.MAX_VALUE;
        for (int f = 0; f < folds; f++) {
            minTrain = Math.min(minTrain, n - (start[f + 1] - start[f]));
        }
        int k = Math.min(maxK, minTrain);
        int[] nb = new int[n * k];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, folds)));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                final int fold = f;
                jobs.add(pool.submit(() -> searchFold(embeddings, dim, start[fold], start[fold + 1], k, nb,
                        progress)));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing neighbour lists", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("neighbour search failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new NeighbourLists(n, folds, k, foldOf, nb);
    }

    private static void searchFold(float[] emb, int dim, int from, int to, int k, int[] nb, Progress progress) {
        int n = emb.length / dim;
        int trainRows = n - (to - from);
        float[] train = new float[trainRows * dim];
        // training rows: [0, from) then [to, n): a training-local row r maps back to r or r + (to - from)
        System.arraycopy(emb, 0, train, 0, from * dim);
        System.arraycopy(emb, to * dim, train, from * dim, (n - to) * dim);
        KnnIndex index = KnnIndex.of(train, dim);
        float[] q = new float[dim];
        int[] local = new int[k];
        int done = 0;
        for (int i = from; i < to; i++) {
            System.arraycopy(emb, i * dim, q, 0, dim);
            index.search(q, k, local, null);
            for (int j = 0; j < k; j++) {
                int r = local[j];
                nb[i * k + j] = r < from ? r : r + (to - from);
            }
            if (++done == 256) {
                progress.step(done);
                done = 0;
            }
        }
        progress.step(done);
    }

    public int rows() {
        return rows;
    }

    public int folds() {
        return folds;
    }

    /** Neighbours per row (the requested maxK, capped by the smallest training fold). */
    public int maxK() {
        return maxK;
    }

    public int foldOf(int row) {
        return foldOf[row];
    }

    /** The j-th nearest neighbour (global row id) of {@code row} among the other folds. */
    public int neighbour(int row, int j) {
        return neighbours[row * maxK + j];
    }
}

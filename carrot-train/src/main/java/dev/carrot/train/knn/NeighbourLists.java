package dev.carrot.train.knn;

import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.knn.TopK;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The cross-validation neighbour lists of a training set, computed once: rows are split into {@code folds}
 * contiguous folds (as scikit-learn's {@code KFold} without shuffling does), and every row gets its {@code maxK}
 * nearest neighbours (cosine) among the rows of the other folds, best first (ties to the lower row). Every k up to
 * {@code maxK}, and every target (quality, tokens, cost), is then scored from these lists without searching again.
 *
 * <p>{@link #compute} works on tiles: a block of query rows against a block of training rows, their similarities
 * from a register-blocked matrix product ({@link KnnIndex.Kernels#similarities}, bit-for-bit the similarities a
 * {@link KnnIndex} search computes), then a selection per query that rejects most rows with one comparison against
 * its current k-th best and keeps the rest in a buffer compacted by quickselect ({@link TopK}). Tiles of all
 * folds are shared out to the worker threads. The result is identical to {@link #computeByScan}, the
 * straightforward search per row kept as the reference.
 */
public final class NeighbourLists {
    /** Query rows per tile: their TopK heaps and rows stay in cache while training rows stream past. */
    private static final int QUERY_BLOCK = 64;
    /** Training rows per tile. */
    private static final int ROW_BLOCK = 128;

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

    /** Fold layout: {@code start[f] .. start[f+1]} are the rows of fold f. */
    private record Folds(int n, int folds, int[] start, int[] foldOf, int k) {
        static Folds of(float[] embeddings, int dim, int folds, int maxK) {
            Objects.requireNonNull(embeddings, "embeddings");
            if (dim <= 0 || embeddings.length % dim != 0) {
                throw new IllegalArgumentException("embeddings length " + embeddings.length + " is not a multiple of"
                        + " the dimension " + dim);
            }
            int n = embeddings.length / dim;
            if (folds < 2 || folds > n) {
                throw new IllegalArgumentException("folds must be in [2, rows = " + n + "], got " + folds);
            }
            if (maxK < 1) {
                throw new IllegalArgumentException("maxK must be >= 1, got " + maxK);
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
            return new Folds(n, folds, start, foldOf, Math.min(maxK, minTrain));
        }
    }

    /**
     * Computes the lists.
     *
     * @param embeddings unit rows, row-major
     * @param dim        columns
     * @param folds      number of folds (>= 2)
     * @param maxK       neighbours per row; capped at the smallest training-fold size
     * @param threads    worker threads (tiles of all folds are shared out)
     * @param progress   told how many rows are done, from any worker thread
     * @throws IllegalArgumentException if the shapes are inconsistent, or a row is not finite or not of unit length
     */
    public static NeighbourLists compute(float[] embeddings, int dim, int folds, int maxK, int threads,
                                         IntConsumer progress) {
        return compute(embeddings, dim, folds, maxK, threads, progress, KnnIndex.Kernels.BEST);
    }

    /** As {@link #compute(float[], int, int, int, int, IntConsumer)} with the given kernels (tests, benchmarks). */
    public static NeighbourLists compute(float[] embeddings, int dim, int folds, int maxK, int threads,
                                         IntConsumer progress, KnnIndex.Kernels kernels) {
        Objects.requireNonNull(progress, "progress");
        KnnIndex.Kernels ops = Objects.requireNonNull(kernels, "kernels");
        Folds fl = Folds.of(embeddings, dim, folds, maxK);
        KnnIndex.checkUnitRows(embeddings, dim, "pass L2-normalised embeddings");
        int n = fl.n();
        int k = fl.k();
        int[] nb = new int[n * k];
        int tasks = 0;
        for (int f = 0; f < folds; f++) {
            tasks += (fl.start()[f + 1] - fl.start()[f] + QUERY_BLOCK - 1) / QUERY_BLOCK;
        }
        int[] taskFold = new int[tasks];
        int[] taskFrom = new int[tasks];
        for (int f = 0, t = 0; f < folds; f++) {
            for (int q = fl.start()[f]; q < fl.start()[f + 1]; q += QUERY_BLOCK) {
                taskFold[t] = f;
                taskFrom[t++] = q;
            }
        }
        AtomicInteger next = new AtomicInteger();
        int total = tasks;
        Runnable worker = () -> {
            float[] tile = new float[QUERY_BLOCK * ROW_BLOCK];
            TopK[] tops = new TopK[QUERY_BLOCK];
            for (int i = 0; i < QUERY_BLOCK; i++) {
                tops[i] = new TopK(k);
            }
            for (int t = next.getAndIncrement(); t < total; t = next.getAndIncrement()) {
                int f = taskFold[t];
                int from = taskFrom[t];
                int to = Math.min(fl.start()[f + 1], from + QUERY_BLOCK);
                searchTile(embeddings, dim, from, to, 0, fl.start()[f], tops, tile, ops);
                searchTile(embeddings, dim, from, to, fl.start()[f + 1], n, tops, tile, ops);
                for (int i = from; i < to; i++) {
                    tops[i - from].drainSorted(nb, i * k, null);
                }
                progress.accept(to - from);
            }
        };
        runAll(worker, Math.max(1, Math.min(threads, tasks)));
        return new NeighbourLists(n, folds, k, fl.foldOf(), nb);
    }

    /**
     * Offers the similarities of query rows {@code [qFrom, qTo)} with training rows {@code [rFrom, rTo)} to the
     * queries' selections. Rows arrive in increasing order, so a row can only enter a full selection with a strictly
     * greater similarity than its k-th best (an equal one loses the tie to the lower row already kept).
     */
    private static void searchTile(float[] emb, int dim, int qFrom, int qTo, int rFrom, int rTo,
                                   TopK[] tops, float[] tile, KnnIndex.Kernels ops) {
        int nq = qTo - qFrom;
        for (int r0 = rFrom; r0 < rTo; r0 += ROW_BLOCK) {
            int nr = Math.min(ROW_BLOCK, rTo - r0);
            ops.similarities(emb, qFrom, nq, emb, r0, nr, dim, tile, 0, ROW_BLOCK);
            for (int i = 0; i < nq; i++) {
                TopK top = tops[i];
                float threshold = top.threshold();
                int base = i * ROW_BLOCK;
                for (int j = 0; j < nr; j++) {
                    float s = tile[base + j];
                    if (s > threshold) {
                        top.offer(s, r0 + j);
                        threshold = top.threshold();
                    }
                }
            }
        }
    }

    private static void runAll(Runnable worker, int threads) {
        if (threads == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "carrot-knn-cv");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                jobs.add(pool.submit(worker));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing neighbour lists", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("neighbour search failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The reference implementation: per fold, an index over the training rows and one exact plain-scan search per
     * held-out row ({@link KnnIndex#searchExact}); folds run in parallel. The same lists as {@link #compute}, at the
     * memory-bandwidth-bound speed of one full scan per row; kept for tests and side-by-side benchmarks.
     */
    public static NeighbourLists computeByScan(float[] embeddings, int dim, int folds, int maxK, int threads,
                                               IntConsumer progress) {
        Objects.requireNonNull(progress, "progress");
        Folds fl = Folds.of(embeddings, dim, folds, maxK);
        int n = fl.n();
        int k = fl.k();
        int[] start = fl.start();
        int[] nb = new int[n * k];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, folds)));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                final int fold = f;
                jobs.add(pool.submit(() -> scanFold(embeddings, dim, start[fold], start[fold + 1], k, nb,
                        progress)));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing neighbour lists", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("neighbour search failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new NeighbourLists(n, folds, k, fl.foldOf(), nb);
    }

    private static void scanFold(float[] emb, int dim, int from, int to, int k, int[] nb, IntConsumer progress) {
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
            index.searchExact(q, k, local, null);
            for (int j = 0; j < k; j++) {
                int r = local[j];
                nb[i * k + j] = r < from ? r : r + (to - from);
            }
            if (++done == 256) {
                progress.accept(done);
                done = 0;
            }
        }
        progress.accept(done);
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

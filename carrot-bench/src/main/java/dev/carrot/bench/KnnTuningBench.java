package dev.carrot.bench;

import dev.carrot.train.knn.KnnTuner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import dev.carrot.train.knn.NeighbourLists;

/**
 * KNN tuning as {@code carrot train} runs it: 5-fold cross-validation neighbour lists of 30,000 real embeddings
 * (384 dimensions, top 512), then R^2 for every k in {2, ..., 512} over 11 quality targets, on both cores:
 * {@code blocked} ({@link NeighbourLists#compute}) against the per-row scan it replaced
 * ({@link NeighbourLists#computeByScan}), which gives the same lists.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class KnnTuningBench {
    public static final int ROWS = 30_000;
    public static final int THREADS = 2;

    float[] x;
    double[] targets;
    int models;

    @Setup
    public void setup() {
        x = BenchData.rows(BenchData.realEmbeddings(), BenchData.DIM, 0, ROWS);
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        models = t.models().size();
        float[] q = BenchRouters.cycle(t.quality(), models, ROWS);
        targets = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            targets[i] = q[i];
        }
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public KnnTuner.Result blocked() {
        NeighbourLists lists = NeighbourLists.compute(x, BenchData.DIM, 5, 512, THREADS, done -> { });
        return KnnTuner.tune(lists, targets, models, KnnTuner.paperGrid());
    }

    @Benchmark
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    public KnnTuner.Result scan() {
        NeighbourLists lists = NeighbourLists.computeByScan(x, BenchData.DIM, 5, 512, THREADS,
                done -> { });
        return KnnTuner.tune(lists, targets, models, KnnTuner.paperGrid());
    }
}

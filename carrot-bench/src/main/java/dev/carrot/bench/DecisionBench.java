package dev.carrot.bench;

import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.RouterModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The routing decision from a prompt embedding with the KNN predictors (quality k = 512 and cost k = 128, as trained
 * on routerbench_subset; or both k = 128, as on routerdc_7model) over 2,000, 37,000 and 300,000 stored prompts, one
 * held-out real prompt per call:
 * <ul>
 *   <li>{@code knn}: {@link Router#route(float[], double)} as shipped (exact search, int8 prefilter from 4,096
 *       rows);</li>
 *   <li>{@code knnPlainFloat32}: the same router over an index that never prefilters (the SIMD float32 scan);</li>
 *   <li>{@code knnNaiveScalar}: the naive way, plain scalar loops ({@link Naive#knnDecision}).</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class DecisionBench {
    @Param({"2000", "37000", "300000"})
    public int stored;

    /** Quality k: 512 as cross-validation chose on routerbench_subset, 128 as on routerdc_7model. */
    @Param({"512", "128"})
    public int k;

    Router router;
    Router plain;
    float[] rows;
    float[] quality;
    float[] cost;
    int models;
    double scale;
    float[][] queries;

    @State(Scope.Thread)
    public static class Queries {
        final BenchSupport.Cursor cursor = new BenchSupport.Cursor();
    }

    @Setup
    public void setup() {
        BenchData.DecisionSet set = BenchData.decisionSet(stored);
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        rows = set.stored();
        queries = set.queries();
        RouterModel m = BenchRouters.knn(KnnIndex.of(rows, BenchData.DIM), t, k);
        router = Router.of(m, null);
        plain = Router.of(BenchRouters.knn(KnnIndex.of(rows, BenchData.DIM, KnnIndex.Kernels.BEST,
                KnnIndex.Prefilter.NEVER), t, k), null);
        models = t.models().size();
        quality = BenchRouters.cycle(t.quality(), models, set.rows());
        cost = BenchRouters.cycle(t.cost(), models, set.rows());
        scale = t.costScale();
    }

    @Benchmark
    public Decision knn(Queries q) {
        return router.route(q.cursor.next(queries), BenchSupport.MU);
    }

    @Benchmark
    public Decision knnPlainFloat32(Queries q) {
        return plain.route(q.cursor.next(queries), BenchSupport.MU);
    }

    @Benchmark
    public int knnNaiveScalar(Queries q) {
        return Naive.knnDecision(rows, BenchData.DIM, q.cursor.next(queries), quality, k, cost,
                Math.min(k, BenchRouters.COST_K), models, BenchSupport.MU, scale);
    }
}

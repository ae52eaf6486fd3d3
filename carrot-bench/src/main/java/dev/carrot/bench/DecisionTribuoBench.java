package dev.carrot.bench;

import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.knn.KnnIndex;
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
 * The KNN decision with Tribuo's KNN regression (cosine, brute force, one thread; one model for quality with
 * k = 512 and one for cost with k = 128) beside carrot's, on the same stored prompts and queries. Not at 300,000
 * stored prompts, where one Tribuo prediction takes seconds.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class DecisionTribuoBench {
    @Param({"2000", "37000"})
    public int stored;

    Router router;
    Naive.TribuoKnn tribuo;
    float[][] queries;
    double scale;

    @State(Scope.Thread)
    public static class Queries {
        final BenchSupport.Cursor cursor = new BenchSupport.Cursor();
    }

    @Setup
    public void setup() {
        BenchData.DecisionSet set = BenchData.decisionSet(stored);
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        queries = set.queries();
        router = Router.of(BenchRouters.knn(KnnIndex.of(set.stored(), BenchData.DIM), t), null);
        int m = t.models().size();
        tribuo = new Naive.TribuoKnn(set.stored(), BenchData.DIM,
                BenchRouters.cycle(t.quality(), m, set.rows()), BenchRouters.QUALITY_K,
                BenchRouters.cycle(t.cost(), m, set.rows()), BenchRouters.COST_K, m);
        scale = t.costScale();
    }

    @Benchmark
    public Decision knn(Queries q) {
        return router.route(q.cursor.next(queries), BenchSupport.MU);
    }

    @Benchmark
    public int knnTribuo(Queries q) {
        return tribuo.decide(q.cursor.next(queries), BenchSupport.MU, scale);
    }
}

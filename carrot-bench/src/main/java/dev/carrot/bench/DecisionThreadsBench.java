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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Decisions per second from one shared router with one and with two threads (the core count here): the routing path
 * takes no lock, so throughput should grow with threads up to the cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class DecisionThreadsBench {
    @Param({"2000", "37000"})
    public int stored;

    Router router;
    float[][] queries;

    @State(Scope.Thread)
    public static class Queries {
        final BenchSupport.Cursor cursor = new BenchSupport.Cursor();
    }

    @Setup
    public void setup() {
        BenchData.DecisionSet set = BenchData.decisionSet(stored);
        router = Router.of(BenchRouters.knn(KnnIndex.of(set.stored(), BenchData.DIM),
                BenchRouters.routerbenchTargets()), null);
        queries = set.queries();
    }

    @Benchmark
    @Threads(1)
    public Decision knn1Thread(Queries q) {
        return router.route(q.cursor.next(queries), BenchSupport.MU);
    }

    @Benchmark
    @Threads(2)
    public Decision knn2Threads(Queries q) {
        return router.route(q.cursor.next(queries), BenchSupport.MU);
    }
}

package dev.carrot.bench;

import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.RouterModel;
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
import dev.carrot.route.model.LinearPredictor;

/**
 * The routing decision from an embedding with the logistic quality predictor and a linear cost predictor (11 models x
 * 384): the router as shipped, and the naive way with plain scalar loops.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class DecisionLogisticBench {
    Router router;
    float[] wq;
    float[] bq;
    float[] wc;
    float[] bc;
    int models;
    double scale;
    float[][] queries;

    @State(Scope.Thread)
    public static class Queries {
        final BenchSupport.Cursor cursor = new BenchSupport.Cursor();
    }

    @Setup
    public void setup() {
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        RouterModel m = BenchRouters.logistic(t, 42);
        router = Router.of(m, null);
        LinearPredictor q = (LinearPredictor) m.quality();
        LinearPredictor c = (LinearPredictor) ((CostModel.Direct) m.cost()).costUsd();
        wq = q.weights();
        bq = q.bias();
        wc = c.weights();
        bc = c.bias();
        models = t.models().size();
        scale = t.costScale();
        queries = BenchData.decisionSet(2000).queries();
    }

    @Benchmark
    public Decision logistic(Queries q) {
        return router.route(q.cursor.next(queries), BenchSupport.MU);
    }

    @Benchmark
    public int logisticNaiveScalar(Queries q) {
        return Naive.logisticDecision(wq, bq, wc, bc, q.cursor.next(queries), models, BenchSupport.MU, scale);
    }
}

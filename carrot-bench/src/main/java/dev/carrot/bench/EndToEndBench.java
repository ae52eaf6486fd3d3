package dev.carrot.bench;

import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.knn.KnnIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link Router#route(String, double)} for a real prompt of 30 words, encoder included (all-MiniLM-L6-v2 on ONNX
 * Runtime, no embedding cache), with the KNN router over 37,000 stored prompts; beside it the encoder alone and the
 * naive way (the encoder, then the decision with plain scalar loops).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class EndToEndBench {
    public static final int STORED = 37_000;

    PromptEncoder encoder;
    Router router;
    String prompt;
    float[] rows;
    float[] quality;
    float[] cost;
    int models;
    double scale;

    @Setup
    public void setup() {
        encoder = Encoders.miniLm();
        BenchData.DecisionSet set = BenchData.decisionSet(STORED);
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        router = Router.of(BenchRouters.knn(KnnIndex.of(set.stored(), BenchData.DIM), t), encoder);
        prompt = BenchSupport.promptOfWords(BenchData.routerbenchPrompts(), 30);
        rows = set.stored();
        models = t.models().size();
        quality = BenchRouters.cycle(t.quality(), models, set.rows());
        cost = BenchRouters.cycle(t.cost(), models, set.rows());
        scale = t.costScale();
    }

    @TearDown
    public void close() {
        encoder.close();
    }

    @Benchmark
    public Decision route() {
        return router.route(prompt, BenchSupport.MU);
    }

    @Benchmark
    public float[] encodeOnly() {
        return encoder.encode(prompt);
    }

    @Benchmark
    public int routeNaive() {
        return Naive.knnDecision(rows, BenchData.DIM, encoder.encode(prompt), quality, BenchRouters.QUALITY_K, cost,
                BenchRouters.COST_K, models, BenchSupport.MU, scale);
    }
}

package dev.carrot.bench;

import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Encoding one prompt of about 16, 64 and 256 word pieces (real routerbench text), no embedding cache, with
 * each built-in encoder: all-MiniLM-L6-v2 (the default), its int8 quantisation, bge-small-en-v1.5 and e5-small-v2
 * (what a gateway pays per request for each).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class EncoderOneBench {
    @Param({"16", "64", "256"})
    public int wordPieces;

    /** A built-in encoder ({@code Encoders.named}). */
    @Param({"all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-en-v1.5", "e5-small-v2"})
    public String encoderName;

    PromptEncoder encoder;
    String prompt;

    @Setup
    public void setup() {
        encoder = Encoders.named(encoderName);
        prompt = BenchSupport.promptOfWordPieces(encoder, BenchData.routerbenchPrompts(), wordPieces);
    }

    @TearDown
    public void close() {
        encoder.close();
    }

    @Benchmark
    public float[] encode() {
        return encoder.encode(prompt);
    }
}

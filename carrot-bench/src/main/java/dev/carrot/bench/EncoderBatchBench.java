package dev.carrot.bench;

import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Batch encoding of {@value #PROMPTS} real routerbench_subset prompts (a seeded sample over all three tasks), no
 * embedding cache: {@code batched} is {@link PromptEncoder#encodeAll}, which sorts by length so that each batch pads
 * only to its own longest prompt; the naive ways are {@code unsortedBatches} (batches of 32 in dataset order, each
 * padded to its longest prompt) and {@code oneByOne} (one {@code encode} per prompt, no padding but no batching).
 * Time per operation is for all {@value #PROMPTS} prompts (prompts/s = {@value #PROMPTS} / time). The secondary
 * results give the word pieces computed, summed over the measured calls: {@code tokens} real ones,
 * {@code paddedTokens} with the padding of the length-sorted batches, {@code unsortedPaddedTokens} with the padding
 * of batches in dataset order.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class EncoderBatchBench {
    public static final int PROMPTS = 512;

    PromptEncoder encoder;
    List<String> prompts;

    /** Word pieces computed in the measured calls (summed over an iteration's calls). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Padding {
        public long tokens;
        public long paddedTokens;
        public long unsortedPaddedTokens;

        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
            paddedTokens = 0;
            unsortedPaddedTokens = 0;
        }
    }

    @Setup
    public void setup() {
        encoder = Encoders.miniLm();
        List<String> all = new ArrayList<>(BenchData.routerbenchPrompts());
        SplittableRandom r = new SplittableRandom(7);
        prompts = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            prompts.add(all.remove(r.nextInt(all.size())));
        }
    }

    @TearDown
    public void close() {
        encoder.close();
    }

    @Benchmark
    public float[][] batched(Padding p) {
        return encoder.encodeAll(prompts, (BatchStats s) -> {
            p.tokens += s.tokens();
            p.paddedTokens += s.paddedTokens();
            p.unsortedPaddedTokens += s.unsortedPaddedTokens();
        });
    }

    /** The naive batching: batches of 32 in dataset order, each padded to its longest prompt. */
    @Benchmark
    public float[][] unsortedBatches() {
        int b = EncoderOptions.DEFAULT_BATCH_SIZE;
        float[][] out = new float[prompts.size()][];
        for (int s = 0; s < prompts.size(); s += b) {
            float[][] v = encoder.encodeAll(prompts.subList(s, Math.min(prompts.size(), s + b)));
            System.arraycopy(v, 0, out, s, v.length);
        }
        return out;
    }

    @Benchmark
    public float[][] oneByOne() {
        float[][] out = new float[prompts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encoder.encode(prompts.get(i));
        }
        return out;
    }
}

package dev.carrot.train.embed;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.PromptEncoder;

/** A deterministic stand-in encoder that counts the texts it encodes. */
final class CountingFakeEncoder implements PromptEncoder {

    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);

    private final EncoderInfo info;
    final AtomicInteger encodedTexts = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();

    CountingFakeEncoder(String sha, int dimension) {
        this(new EncoderInfo("fake-" + sha.charAt(0), dimension, sha, 32, Pooling.MEAN, true));
    }

    CountingFakeEncoder(EncoderInfo info) {
        this.info = info;
    }

    /** The vector this encoder gives {@code text}: seeded by the text and the model hash. */
    static float[] vectorOf(String text, EncoderInfo info) {
        SplittableRandom random = new SplittableRandom(text.hashCode() * 31L + info.onnxSha256().hashCode());
        float[] v = new float[info.dimension()];
        for (int d = 0; d < v.length; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    @Override
    public EncoderInfo info() {
        return info;
    }

    @Override
    public float[] encode(String text) {
        calls.incrementAndGet();
        encodedTexts.incrementAndGet();
        return vectorOf(text, info);
    }

    @Override
    public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
        calls.incrementAndGet();
        encodedTexts.addAndGet(texts.size());
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vectorOf(texts.get(i), info);
        }
        stats.accept(new BatchStats(texts.size(), 0, texts.isEmpty() ? 0 : 1, texts.size(), texts.size(),
                texts.size(), 0));
        return out;
    }

    @Override
    public int countTokens(String text) {
        return text.length() + 2;
    }

    @Override
    public void close() {
    }
}

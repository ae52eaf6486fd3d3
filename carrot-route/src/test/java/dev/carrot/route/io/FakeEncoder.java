package dev.carrot.route.io;

import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.PromptEncoder;

import java.util.List;
import java.util.function.Consumer;

/** An encoder that maps every text to the first unit vector, with a chosen dimension and hash. */
public final class FakeEncoder implements PromptEncoder {
    private final EncoderInfo info;

    FakeEncoder(int dim, String sha) {
        this(new EncoderInfo("fake", dim, sha, 16, Pooling.MEAN, true));
    }

    public FakeEncoder(EncoderInfo info) {
        this.info = info;
    }

    @Override
    public EncoderInfo info() {
        return info;
    }

    @Override
    public float[] encode(String text) {
        float[] v = new float[info.dimension()];
        v[0] = 1;
        return v;
    }

    @Override
    public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i));
        }
        return out;
    }

    @Override
    public int countTokens(String text) {
        return text.split("\\s+").length + 2;
    }

    @Override
    public void close() {
    }
}

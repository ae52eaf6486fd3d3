package dev.carrot.cli;

import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderEngine;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.PromptEncoder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A stand-in for the built-in encoder in child JVMs that must train on thousands of prompts within seconds: each
 * word hashed into one of 64 signed buckets, L2-normalised. Registered only in such a child, through a services
 * file the test writes ({@link #servicesDir}); never on the class path of the tests themselves. A second built-in,
 * {@value #NAME_32}, hashes into 32 buckets: another encoder, for tests that compare routers of two encoders.
 */
public final class HashedWordsEngine implements EncoderEngine {
    static final int DIMENSION = 64;
    static final EncoderInfo INFO = new EncoderInfo("test/hashed-words", DIMENSION,
            sha256("carrot test encoder: hashed words v1"), 256, Pooling.MEAN, true);
    /** The built-in name of the 32-bucket encoder. */
    static final String NAME_32 = "hashed-words-32";
    static final EncoderInfo INFO_32 = new EncoderInfo("test/hashed-words-32", 32,
            sha256("carrot test encoder: hashed words v1, 32 buckets"), 256, Pooling.MEAN, true);

    @Override
    public PromptEncoder miniLm(EncoderOptions options) {
        return new Encoder(INFO);
    }

    @Override
    public PromptEncoder builtIn(String name, EncoderOptions options) {
        if (NAME_32.equals(name)) {
            return new Encoder(INFO_32);
        }
        return EncoderEngine.super.builtIn(name, options);
    }

    @Override
    public List<String> builtInNames() {
        return List.of(dev.carrot.route.encoder.Encoders.DEFAULT_NAME, NAME_32);
    }

    /** The 64-bucket encoder stands in for the default one (its id is not MiniLM's). */
    @Override
    public java.util.Optional<String> builtInNameOf(String id) {
        return INFO.id().equals(id) ? java.util.Optional.of(dev.carrot.route.encoder.Encoders.DEFAULT_NAME)
                : INFO_32.id().equals(id) ? java.util.Optional.of(NAME_32) : EncoderEngine.super.builtInNameOf(id);
    }

    @Override
    public PromptEncoder fromDirectory(Path dir, EncoderOptions options) {
        throw new UnsupportedOperationException("the hashed-words test engine has only its built-in encoder");
    }

    /** A class-path folder whose services file makes this the encoder engine of a child JVM. */
    static Path servicesDir(Path parent) throws java.io.IOException {
        Path services = java.nio.file.Files.createDirectories(parent.resolve("META-INF/services"));
        java.nio.file.Files.writeString(services.resolve(EncoderEngine.class.getName()),
                HashedWordsEngine.class.getName() + "\n");
        return parent;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Encoder implements PromptEncoder {
        private final EncoderInfo info;

        Encoder(EncoderInfo info) {
            this.info = info;
        }

        @Override
        public EncoderInfo info() {
            return info;
        }

        @Override
        public float[] encode(String text) {
            if (text == null) {
                throw new IllegalArgumentException("text is null");
            }
            float[] v = new float[info.dimension()];
            for (String w : words(text)) {
                int h = w.hashCode() * 0x9E3779B9;
                v[Math.floorMod(h, v.length)] += (h & 0x10000) == 0 ? 1f : -1f;
            }
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            if (norm == 0) {
                v[0] = 1f;
                return v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
            return v;
        }

        @Override
        public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
            float[][] out = new float[texts.size()][];
            long tokens = 0;
            for (int i = 0; i < out.length; i++) {
                out[i] = encode(texts.get(i));
                tokens += Math.min(info.maxTokens(), countTokens(texts.get(i)));
            }
            stats.accept(new BatchStats(texts.size(), 0, texts.isEmpty() ? 0 : 1, tokens, tokens, tokens, 0));
            return out;
        }

        @Override
        public int countTokens(String text) {
            return words(text).size() + 2;
        }

        private static List<String> words(String text) {
            return List.of(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).stream()
                    .filter(w -> !w.isEmpty()).toList();
        }

        @Override
        public void close() {
        }
    }
}

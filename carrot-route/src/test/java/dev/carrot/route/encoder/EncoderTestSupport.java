package dev.carrot.route.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared fixtures: one MiniLM encoder per test JVM (loading costs about a second), and the reference embeddings from
 * the project's shared fixtures folder.
 */
final class EncoderTestSupport {

    /** A reference text and its embedding as computed by Python onnxruntime + tokenizers. */
    record Reference(String text, float[] embedding) {
    }

    private EncoderTestSupport() {
    }

    /** Points carrot's cache at target/ unless the build set it, so tests never write to the user's home. */
    static Path testCacheDir() {
        if (System.getProperty(CarrotHome.CACHE_DIR_PROPERTY) == null) {
            System.setProperty(CarrotHome.CACHE_DIR_PROPERTY,
                    Path.of("target", "test-carrot-cache").toAbsolutePath().toString());
        }
        return CarrotHome.cacheDir();
    }

    /** @return the MiniLM encoder shared by all tests of this JVM (never closed: the JVM exit frees it) */
    static PromptEncoder miniLm() {
        return SharedMiniLm.ENCODER;
    }

    /** @return the 20 reference items, or skips the calling test when the shared folder is absent */
    static List<Reference> references() {
        Path file = sharedDir().resolve("fixtures").resolve("minilm-l6-v2-reference.json");
        Assumptions.assumeTrue(Files.isRegularFile(file), "reference embeddings not found at " + file
                + "; set -Dcarrot.shared.dir to the project's shared/ folder to run the parity test");
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            List<Reference> items = new ArrayList<>();
            for (JsonNode item : root.get("items")) {
                JsonNode values = item.get("embedding");
                float[] embedding = new float[values.size()];
                for (int d = 0; d < embedding.length; d++) {
                    embedding[d] = (float) values.get(d).asDouble();
                }
                items.add(new Reference(item.get("text").asText(), embedding));
            }
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** @return carrot.shared.dir, else the first sibling shared/ walking up from user.dir */
    static Path sharedDir() {
        String configured = System.getProperty("carrot.shared.dir");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
            if (Files.isDirectory(dir.resolve("shared").resolve("fixtures"))) {
                return dir.resolve("shared");
            }
        }
        return Path.of(configured == null ? "shared" : configured);
    }

    /** @return max |a[i] - b[i]| */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** @return the dot product */
    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static final class SharedMiniLm {
        static final PromptEncoder ENCODER;

        static {
            testCacheDir();
            ENCODER = Encoders.miniLm();
        }
    }
}

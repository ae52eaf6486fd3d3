package dev.carrot.train.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Two JVMs writing (and compacting) the same cache directory at once corrupt nothing and lose nothing. */
class EmbeddingCacheMultiProcessTest {

    private static final int SEGMENTS = 25;
    private static final int PER_SEGMENT = 8;

    @TempDir
    Path root;

    private final List<Process> processes = new ArrayList<>();

    static String text(String prefix, int i) {
        return prefix + " process prompt " + i;
    }

    private String output(Process process) throws IOException {
        String prefix = processes.indexOf(process) == 0 ? "left" : "right";
        return Files.readString(root.resolve(prefix + ".log"));
    }

    @Test
    void twoProcessesWritingAtOnce() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String prefix : List.of("left", "right")) {
            ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    CacheWriterProcess.class.getName(), root.toString(), prefix, String.valueOf(SEGMENTS),
                    String.valueOf(PER_SEGMENT));
            builder.redirectErrorStream(true).redirectOutput(root.resolve(prefix + ".log").toFile());
            processes.add(builder.start());
        }
        for (Process process : processes) {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("child finished").isTrue();
            assertThat(process.exitValue()).as("child exit code; output: %s", output(process)).isZero();
        }

        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, 16);
        EmbeddingCache cache = EmbeddingCache.open(root, fake.info());
        assertThat(cache.loadReport().damagedEntries()).isZero();
        assertThat(cache.loadReport().damagedSegments()).isZero();
        assertThat(cache.size()).isEqualTo(2 * SEGMENTS * PER_SEGMENT);
        for (String prefix : List.of("left", "right")) {
            for (int i = 0; i < SEGMENTS * PER_SEGMENT; i++) {
                String text = text(prefix, i);
                assertThat(cache.get(text)).as(text).containsExactly(CountingFakeEncoder.vectorOf(text, fake.info()));
            }
        }
        try (Stream<Path> files = Files.list(cache.directory())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-"));
        }
    }
}

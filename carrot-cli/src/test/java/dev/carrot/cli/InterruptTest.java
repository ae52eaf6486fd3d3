package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.Fixtures;
import dev.carrot.train.embed.EmbeddingCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Ctrl-C while {@code carrot train} embeds must not crash the JVM in ONNX Runtime (the session was freed under a
 * running call): the process ends with the signal's exit code, leaves no {@code hs_err_pid*.log}, and the embedding
 * cache stays intact.
 */
class InterruptTest {
    @TempDir
    Path tmp;

    @Test
    void ctrlCWhileEmbeddingNeverCrashesAndKeepsTheCacheIntact() throws Exception {
        // RouterBench's prompts (MBPP code among them) make long ONNX Runtime runs: with the old shutdown, 5 of 12
        // such interrupts crashed the JVM in libonnxruntime.so (made-up prose prompts never did)
        Path data = Fixtures.routerbenchFile();
        List<String> prompts = Fixtures.load(data).promptTexts();
        Path cache = tmp.resolve("cache");
        SplittableRandom r = new SplittableRandom(11);
        for (int attempt = 0; attempt < 6; attempt++) {
            Path work = tmp.resolve("run" + attempt);
            Process p = ChildJvm.start(work, cache, List.of("-Xmx1g"), "train", "--data", data.toString(),
                    "--out", work.resolve("out").toString(), "--threads", "2");
            // even attempts: soon after embedding starts; odd ones: after the first chunk went into the cache
            String step = attempt % 2 == 0 ? "embedding" : "embedding: 512/3150";
            assertThat(ChildJvm.awaitText(p, work.resolve("err.txt"), step, 420))
                    .as("attempt %d reached '%s': %s", attempt, step, Files.exists(work.resolve("err.txt"))
                            ? Files.readString(work.resolve("err.txt")) : "").isTrue();
            Thread.sleep(200 + r.nextInt(6000));
            ChildJvm.signal(p, "INT");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("attempt %d ended after Ctrl-C", attempt).isTrue();
            String err = Files.readString(work.resolve("err.txt"));
            // 130 = killed by SIGINT after the shutdown hooks; 134 (abort) or 139 (SIGSEGV) would be a native crash
            assertThat(p.exitValue()).as("attempt %d exit code; stderr:%n%s", attempt, err).isIn(130, 1, 0);
            try (Stream<Path> s = Files.list(work)) {
                assertThat(s.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err_pid"));
            }
            assertThat(err).doesNotContain("SIGSEGV").doesNotContain("fatal runtime error");
        }
        // the cache holds only correct vectors: every entry is what the encoder computes
        try (PromptEncoder enc = Encoders.miniLm(new EncoderOptions().withCacheDir(cache))) {
            EmbeddingCache c = EmbeddingCache.open(cache.resolve("embeddings"), enc.info());
            assertThat(c.size()).isPositive();
            int checked = 0;
            for (int i = 0; i < prompts.size(); i += 31) {
                float[] v = c.get(prompts.get(i));
                if (v != null) {
                    assertThat(v).containsExactly(enc.encode(prompts.get(i)), within(1e-5f));
                    checked++;
                }
            }
            assertThat(checked).isPositive();
        }
    }
}

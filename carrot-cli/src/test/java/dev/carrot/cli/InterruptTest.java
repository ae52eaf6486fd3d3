package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.embed.EmbeddingCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    private static final String[] WORDS = ("route prompt model cheaper quality budget token price answer question "
            + "explain compute derivative integral history river capital poem story email letter matrix").split(" ");

    private List<String> prompts(int n) {
        SplittableRandom r = new SplittableRandom(3);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder("Prompt " + i + ":");
            for (int w = 0; w < 60 + r.nextInt(120); w++) {
                sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void ctrlCWhileEmbeddingNeverCrashesAndKeepsTheCacheIntact() throws Exception {
        List<String> prompts = prompts(3000);
        StringBuilder csv = new StringBuilder("prompt_id,prompt,model,score,split,cost_usd\n");
        for (int i = 0; i < prompts.size(); i++) {
            for (String m : List.of("big", "small")) {
                csv.append("p").append(i).append(",\"").append(prompts.get(i)).append("\",").append(m).append(',')
                        .append((i + m.length()) % 2).append(',').append(i % 5 == 0 ? "test" : "train").append(',')
                        .append(m.equals("big") ? "0.01" : "0.001").append('\n');
            }
        }
        Path data = tmp.resolve("prompts.csv");
        Files.writeString(data, csv);
        Path cache = tmp.resolve("cache");
        SplittableRandom r = new SplittableRandom(11);
        for (int attempt = 0; attempt < 5; attempt++) {
            Path work = tmp.resolve("run" + attempt);
            Process p = ChildJvm.start(work, cache, List.of("-Xmx1g"), "train", "--data", data.toString(),
                    "--out", work.resolve("out").toString(), "--threads", "2");
            // even attempts: soon after embedding starts; odd ones: after the first chunk went into the cache
            String step = attempt % 2 == 0 ? "embedding" : "embedding: 512/";
            assertThat(ChildJvm.awaitText(p, work.resolve("err.txt"), step, 180))
                    .as("attempt %d reached '%s': %s", attempt, step, Files.exists(work.resolve("err.txt"))
                            ? Files.readString(work.resolve("err.txt")) : "").isTrue();
            Thread.sleep(200 + r.nextInt(2500));
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
            for (int i = 0; i < prompts.size(); i += 7) {
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

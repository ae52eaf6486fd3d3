package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code carrot train} without {@code --data} on a machine that cannot reach the Hub and has no SPROUT in its HF
 * cache: one line says so and why, and the whole job runs on the embedded zeroeval sample. The child JVM embeds with
 * a hashed-words stand-in for MiniLM ({@link HashedWordsEngine}) so that 2,840 prompts take a second, not minutes;
 * everything else (data, training, export check, evaluation, plots) is the real job.
 */
class OfflineDefaultTrainTest {
    @TempDir
    Path tmp;

    @Test
    void withoutDataAndWithoutTheHubTheJobRunsToTheEndOnTheEmbeddedSample() throws Exception {
        Path work = tmp.resolve("work");
        Path classes = HashedWordsEngine.servicesDir(tmp.resolve("engine"));
        Process p = ChildJvm.start(work, tmp.resolve("cache"), List.of("-Xmx1g"),
                Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HUB_OFFLINE", "1"), classes,
                "train", "--hf-cache", tmp.resolve("empty-hf-cache").toString(), "--predictors", "knn",
                "--bootstrap", "20", "--threads", "2");
        assertThat(p.waitFor(170, TimeUnit.SECONDS)).as("carrot train finished").isTrue();
        String out = Files.readString(work.resolve("out.txt"));
        String err = Files.readString(work.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isZero();

        List<String> said = err.lines().filter(l -> l.contains("SPROUT")).toList();
        assertThat(said).as(err).singleElement().satisfies(l -> assertThat(l)
                .startsWith("carrot: SPROUT cannot be had: offline mode is on (HF_HUB_OFFLINE or --offline) and it"
                        + " is not in the HF cache " + tmp.resolve("empty-hf-cache"))
                .endsWith("; training on the embedded zeroeval sample instead (2,840 prompts x 23 LLMs; --data"
                        + " sprout insists on SPROUT)"));

        Path dir = work.resolve("out/zeroeval");
        assertThat(dir.resolve("router/manifest.json")).isRegularFile();
        assertThat(dir.resolve("curves.png")).isRegularFile();
        assertThat(dir.resolve("eval/metrics.csv")).isRegularFile();
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("n_train").asInt()).isEqualTo(2273);
        assertThat(summary.get("n_test").asInt()).isEqualTo(567);
        assertThat(summary.get("best_single").get("model").asText()).isEqualTo("gpt-4o-2024-05-13");
        assertThat(out).contains("embedded:datasets/zeroeval_23model/zeroeval_23model.parquet: 2273"
                + " train, 567 test prompts")
                .contains("router:   out/zeroeval/router (knn, the best on held-out prompts")
                .contains("summary:  out/zeroeval/summary.json")
                .contains("plots:    out/zeroeval/curves.png")
                .containsPattern("try next: \\S*carrot route --router out/zeroeval/router --mu 0.3 'What is the"
                        + " value of i\\^i\\?'");
        assertThat(work.resolve("out/sprout")).doesNotExist();
    }
}

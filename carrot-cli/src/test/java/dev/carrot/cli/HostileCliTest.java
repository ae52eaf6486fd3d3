package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.train.Fixtures;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import dev.carrot.train.Variant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.carrot.cli.CliTest.carrot;
import static org.assertj.core.api.Assertions.assertThat;

/** What a careless or hostile user of the command line gets: a clear answer, and nothing of theirs lost. */
class HostileCliTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path router;

    @BeforeAll
    static void train() throws Exception {
        var data = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 12);
        Path out = shared.resolve("trained");
        new TrainJob(TrainerConfig.defaults().withVariants(List.of(Variant.KNN)).withThreads(2),
                Fixtures.encoder(), out, Optional.empty(), java.time.Instant.EPOCH).run(data, Optional.empty(),
                Map.of());
        router = out.resolve("router");
    }

    @Test
    void anEmptyModelListIsAnErrorNotAllModels() {
        for (String models : List.of(",", ",,", " , ")) {
            CliTest.Run r = carrot("route", "--router", router.toString(), "--models", models, "a prompt");
            assertThat(r.code()).as(models).isEqualTo(2);
            assertThat(r.err()).as(models).containsAnyOf("--models is empty", "--models has an empty model name");
        }
    }

    @Test
    void aPromptThatStartsWithAtIsAPromptNotAFile() throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "the contents of a file");
        CliTest.Run r = carrot("route", "--router", router.toString(), "--json", "@" + secret);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode d = r.json().get(0);
        assertThat(d.get("prompt").asText()).isEqualTo("@" + secret);
    }

    @Test
    void trainRefusesAFolderWithTheUsersFilesBeforeLoadingAnything() throws Exception {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out.resolve("eval"));
        Files.writeString(out.resolve("summary.json"), "{\"mine\": true}");
        Files.writeString(out.resolve("eval/metrics.csv"), "mine\n");
        // the data does not even exist: the folder is checked first
        CliTest.Run r = carrot("train", "--data", tmp.resolve("nothing-here.csv").toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is not empty and was not made by carrot train").contains("--force")
                .contains("eval/, summary.json").doesNotContain("nothing-here");
        assertThat(out.resolve("summary.json")).hasContent("{\"mine\": true}");
        assertThat(out.resolve("eval/metrics.csv")).hasContent("mine\n");
    }

    @Test
    void aDatasetWithOneModelTrainsWithAWarning() throws Exception {
        StringBuilder csv = new StringBuilder("prompt_id,prompt,model,score,split\n");
        for (int i = 0; i < 40; i++) {
            csv.append("p").append(i).append(",\"question ").append(i).append("\",only-model,").append(i % 2)
                    .append(',').append(i % 4 == 0 ? "test" : "train").append('\n');
        }
        Path data = tmp.resolve("one.csv");
        Files.writeString(data, csv);
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CliTest.Run r;
        try {
            r = carrot("train", "--data", data.toString(), "--out", tmp.resolve("one").toString(), "--predictors",
                    "knn", "--bootstrap", "20", "--cache-dir", tmp.resolve("cache").toString());
        } finally {
            System.setErr(before);
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("has one model (only-model)")
                .contains("always chooses it");
    }

    @Test
    void anUnwritableCacheFolderIsNamedWithoutAStackTrace() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a folder");
        Path work = tmp.resolve("child");
        Process p = ChildJvm.start(work, file.resolve("cache"), List.of(), "embed", "hello");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(work.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isNotZero();
        assertThat(err).contains("carrot's cache folder " + file.resolve("cache") + " cannot be written")
                .contains("CARROT_CACHE_DIR").doesNotContain("\tat ").doesNotContain("Failed to load Huggingface");
    }
}

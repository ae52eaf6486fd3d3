package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.Decision;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.train.Fixtures;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import dev.carrot.train.Variant;

class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run carrot(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CarrotCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void inspectRouterbenchAsJson() throws Exception {
        Run r = carrot("inspect", "--data", Fixtures.routerbenchFile().toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("prompts").asInt()).isEqualTo(3150);
        assertThat(j.get("models")).hasSize(11);
        assertThat(j.get("splits").get("test").asInt()).isEqualTo(945);
        assertThat(j.get("splits").get("train").asInt() + j.get("splits").get("validation").asInt()).isEqualTo(2205);
        assertThat(j.get("has_cost").asBoolean()).isTrue();
        assertThat(j.get("has_tokens").asBoolean()).isFalse();
        assertThat(j.get("dropped").get("missing_score").asInt()).isEqualTo(28);
        assertThat(j.get("per_model").get(0).has("mean_cost_usd")).isTrue();
    }

    @Test
    void inspectRouterdcAsJsonAndAsText() throws Exception {
        Run r = carrot("inspect", "--data", Fixtures.routerdcFile().toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("prompts").asInt()).isEqualTo(20_600);
        assertThat(j.get("models")).hasSize(7);
        assertThat(j.get("splits").get("unsplit").asInt()).isEqualTo(2881);
        assertThat(j.get("has_cost").asBoolean()).isFalse();
        assertThat(j.get("dropped")).isEmpty();
        Run text = carrot("inspect", "--data", Fixtures.routerdcFile().toString());
        assertThat(text.out()).contains("prompts   20600   models 7").contains("dropped   nothing")
                .contains("meta-llama/Meta-Llama-3-8B");
    }

    @Test
    void routePrintsDecisionsWithReceiptsThatMatchTheLibrary() throws Exception {
        var data = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 12);
        Path out = tmp.resolve("trained");
        new TrainJob(TrainerConfig.defaults().withVariants(List.of(Variant.KNN)).withThreads(2),
                Fixtures.encoder(), out, Optional.empty(), java.time.Instant.EPOCH)
                .run(data, Optional.empty(), Map.of());
        String prompt = "Which of these is a mammal? (A) shark (B) dolphin (C) trout (D) squid";
        Run r = carrot("route", "--router", out.resolve("router").toString(), "--mu", "0.3", "--json", prompt,
                "Write a function to reverse a string.");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode list = r.json();
        assertThat(list).hasSize(2);
        JsonNode first = list.get(0);
        try (Router router = Router.load(out.resolve("router"))) {
            Decision d = router.route(prompt, 0.3, RouteOptions.defaults());
            assertThat(first.get("model").asText()).isEqualTo(d.model());
            assertThat(first.get("receipts")).hasSize(11);
            for (int i = 0; i < 11; i++) {
                JsonNode rec = first.get("receipts").get(i);
                assertThat(rec.get("model").asText()).isEqualTo(d.receipts().get(i).model());
                assertThat(rec.get("quality").asDouble()).isCloseTo(d.receipts().get(i).quality(), within(1e-12));
                assertThat(rec.get("cost_usd").asDouble()).isCloseTo(d.receipts().get(i).costUsd(), within(1e-15));
                assertThat(rec.get("utility").asDouble()).isCloseTo(d.receipts().get(i).utility(), within(1e-12));
            }
        }
        Run restricted = carrot("route", "--router", out.resolve("router").toString(), "--mu", "0", "--models",
                "claude-v1,mistralai/mistral-7b-chat", "--json", prompt);
        JsonNode rec = restricted.json().get(0);
        assertThat(rec.get("model").asText()).isIn("claude-v1", "mistralai/mistral-7b-chat");
        // carrot eval refuses data other than the router's own (its test prompts could be training prompts)
        Run other = carrot("eval", "--router", out.toString(), "--data", Fixtures.routerbenchFile().toString(),
                "--bootstrap", "50");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("was trained on data with content hash").contains("--allow-other-data");
        Run anyway = carrot("eval", "--router", out.toString(), "--data", Fixtures.routerbenchFile().toString(),
                "--bootstrap", "50", "--allow-other-data", "--out", tmp.resolve("eval").toString());
        assertThat(anyway.code()).as(anyway.err()).isZero();
        assertThat(tmp.resolve("eval/metrics.csv")).isRegularFile();
        assertThat(tmp.resolve("eval/calibration.csv")).isRegularFile();
        assertThat(tmp.resolve("eval/cost_bounds.csv")).isRegularFile();
        assertThat(anyway.out()).contains("deployable single model (best on validation prompts)")
                .contains("realised cost within the 90% upper cost bound");
        // a cap on the 90% upper cost bound: the receipts show the bound the library computes
        Run capped = carrot("route", "--router", out.resolve("router").toString(), "--mu", "0", "--max-cost",
                "0.001", "--cap-confidence", "0.9", "--json", prompt);
        assertThat(capped.code()).as(capped.err()).isZero();
        JsonNode c = capped.json().get(0);
        assertThat(c.get("cap_confidence").asDouble()).isEqualTo(0.9);
        try (Router router = Router.load(out.resolve("router"))) {
            Decision d = router.route(prompt, 0, RouteOptions.defaults().withMaxCostUsd(0.001).atConfidence(0.9));
            assertThat(c.get("model").asText()).isEqualTo(d.model());
            for (int i = 0; i < 11; i++) {
                assertThat(c.get("receipts").get(i).get("cost_bound_usd").asDouble())
                        .isCloseTo(d.receipts().get(i).costBoundUsd(), within(1e-15))
                        .isGreaterThan(0);
            }
        }
        Run text = carrot("route", "--router", out.resolve("router").toString(), "--max-cost", "0.001",
                "--cap-confidence", "0.9", prompt);
        assertThat(text.out()).contains("(90% bound ");
        Run budget = carrot("route", "--router", out.resolve("router").toString(), "--budget", "0.0005", "--json",
                prompt);
        assertThat(budget.code()).as(budget.err()).isZero();
        assertThat(budget.json().get(0).get("budget").get("validation_cost_usd").asDouble())
                .isLessThanOrEqualTo(0.0005);
    }

    @Test
    void embedPrintsTheEncodersVectors() throws Exception {
        Run r = carrot("embed", "--json", "hello world", "");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("encoder").get("dimension").asInt()).isEqualTo(384);
        assertThat(j.get("items")).hasSize(2);
        assertThat(j.get("encoder").get("truncation").asText()).isEqualTo("head");
        float[] expected = Fixtures.encoder().encode("hello world");
        JsonNode v = j.get("items").get(0).get("embedding");
        for (int i = 0; i < 384; i++) {
            assertThat(v.get(i).floatValue()).isCloseTo(expected[i], within(1e-6f));
        }
        // a long shared prefix: the head reads it alone, the tail reads the two different questions
        String prefix = "Here are some worked examples of questions and answers. ".repeat(40);
        for (String side : List.of("head", "tail")) {
            Run t = carrot("embed", "--truncation", side, "--json", prefix + "What is two plus two?",
                    prefix + "Who painted the Mona Lisa?");
            assertThat(t.code()).as(t.err()).isZero();
            JsonNode items = t.json().get("items");
            assertThat(t.json().get("encoder").get("truncation").asText()).isEqualTo(side);
            double dot = 0;
            for (int i = 0; i < 384; i++) {
                dot += items.get(0).get("embedding").get(i).asDouble() * items.get(1).get("embedding").get(i).asDouble();
            }
            assertThat(dot).as(side).isCloseTo(side.equals("head") ? 1 : 0.5, within(side.equals("head") ? 1e-6 : 0.45));
        }
        Run bad = carrot("train", "--truncation", "middle", "--data", "zeroeval");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("truncation 'middle'; expected 'head' (the first word pieces) or 'tail'");
    }

    @Test
    void riskCurvesWritesItsOutputs() throws Exception {
        Run r = carrot("risk-curves", "--synthetic-only", "--max-n", "1000", "--repeats", "2", "--no-check",
                "--out", tmp.resolve("risk").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(tmp.resolve("risk/summary.json")).isRegularFile();
        assertThat(tmp.resolve("risk/synthetic/runs.csv")).isRegularFile();
        assertThat(tmp.resolve("risk/synthetic/fits.csv")).isRegularFile();
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("risk/summary.json").toFile());
        assertThat(s.get("synthetic")).isNotNull();
    }

    @Test
    void badArgumentsGetClearMessages() {
        Run r = carrot("inspect", "--data", "no/such/file.parquet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is not an existing file or folder").contains("sprout");
        Run mu = carrot("route", "--router", tmp.toString(), "--mu", "0.2", "x");
        assertThat(mu.code()).isNotZero();
        assertThat(mu.err()).contains("not a carrot router artifact: no manifest.json");
        Run both = carrot("route", "--router", tmp.toString(), "--mu", "0.2", "--budget", "0.01", "x");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("give either --mu or --budget, not both");
        Run confidence = carrot("route", "--router", tmp.toString(), "--cap-confidence", "0.9", "x");
        assertThat(confidence.code()).isEqualTo(2);
        assertThat(confidence.err()).contains("--cap-confidence qualifies a cost cap: give --max-cost USD with it");
        Run none = carrot("frobnicate");
        assertThat(none.code()).isNotZero();
    }

    @Test
    void withoutDataAndWithoutTheHubOneLineSaysWhyAndTheEmbeddedSampleIsUsed() throws Exception {
        Run r = carrot("inspect", "--hf-endpoint", "http://127.0.0.1:9", "--hf-cache", tmp.resolve("hf").toString(),
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err().lines().toList()).as(r.err()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("carrot: SPROUT cannot be had: the Hub at http://127.0.0.1:9 cannot be reached (")
                .contains("and it is not in the HF cache " + tmp.resolve("hf"))
                .endsWith("; using the embedded zeroeval sample instead (2,840 prompts x 23 LLMs; --data sprout"
                        + " insists on SPROUT)"));
        JsonNode j = r.json();
        assertThat(j.get("prompts").asInt()).isEqualTo(2840);
        assertThat(j.get("models")).hasSize(23);

        Run offline = carrot("inspect", "--offline", "--hf-cache", tmp.resolve("hf").toString());
        assertThat(offline.code()).as(offline.err()).isZero();
        assertThat(offline.err()).startsWith("carrot: SPROUT cannot be had: offline mode is on (HF_HUB_OFFLINE or"
                + " --offline) and it is not in the HF cache");
        assertThat(offline.out()).contains("prompts   2840   models 23");
    }

    @Test
    void versionNamesTheCommitAndCompletionIsGenerated() {
        Run v = carrot("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out().strip()).matches("carrot \\S+ \\(commit ([0-9a-f]{7,40}(, with uncommitted changes)?"
                + "|unknown)\\)");
        Run c = carrot("generate-completion");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("_complete_carrot").contains("route").contains("--router");
        assertThat(carrot("--help").out()).contains("generate-completion");
    }

    @Test
    void aPromptThatStartsWithADashIsToldToFollowTheDoubleDash() {
        Run r = carrot("route", "--router", tmp.toString(), "-1 or 1?");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("goes after '--', which ends the options: carrot route ... -- '-1 or 1?'");
    }

    @Test
    void trainingOnSproutWhenTheHubCannotBeReachedStopsAtOnceAndSaysHowToUseALocalFile() {
        long t0 = System.nanoTime();
        Run r = carrot("train", "--data", "sprout", "--hf-endpoint", "http://127.0.0.1:9", "--hf-cache",
                tmp.resolve("hf").toString(), "--out", tmp.resolve("out").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("CARROT-LLM-Routing/SPROUT").contains("To use a local file instead")
                .contains("-am -DskipTests package exec:java").contains("--data ../shared/datasets/routerbench_subset/routerbench_subset.parquet");
        assertThat(tmp.resolve("out")).doesNotExist();
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(60);
    }
}

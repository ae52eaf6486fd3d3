package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.model.PriceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.carrot.cli.CliTest.carrot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * import-hf-router turns CARROT-shaped ONNX models (the tiny stand-ins of carrot-route's test fixture) into a router
 * that loads, routes and explains itself, with CARROT's 13 models and prices.
 */
class ImportHfRouterTest {
    @TempDir
    Path tmp;

    static Path fixture() {
        String dir = System.getProperty("carrot.project.dir");
        return Path.of(dir == null ? ".." : dir).resolve("carrot-route/src/test/resources/hf-router")
                .toAbsolutePath().normalize();
    }

    @Test
    void theFixtureImportsIntoARouterThatRoutesAndExplainsItself() throws Exception {
        Path f = fixture();
        Path out = tmp.resolve("carrot-router");
        CliTest.Run r = carrot("import-hf-router", "--quality", f.resolve("quality").toString(), "--output-tokens",
                f.resolve("output-tokens").toString(), "--input-tokenizer",
                f.resolve("input-tokenizer/tokenizer.json").toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("imported a text router of 13 models").contains("carrot route --router");

        JsonNode expected = new ObjectMapper().readTree(f.resolve("expected.json").toFile());
        JsonNode prompt = expected.get("prompts").get(2); // quotes and unicode
        String text = prompt.get("text").asText();
        List<String> models = new ObjectMapper().convertValue(ImportHfRouterCommand.carrotRouter().get("models"),
                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
        try (Router router = Router.load(out)) {
            assertThat(router.models()).isEqualTo(models).hasSize(13);
            Router.Prediction p = router.predict(text);
            PriceTable paper = router.prices().orElseThrow();
            assertThat(paper.require("aws-titan-text-premier-v1")).isEqualTo(new PriceTable.Price(0.8, 3.2));
            for (int m = 0; m < 13; m++) {
                assertThat(p.quality()[m]).isCloseTo(prompt.get("quality_sigmoid").get(m).asDouble(), within(1e-5));
                assertThat(p.inputTokens()[m]).isEqualTo(prompt.get("input_tokens").asDouble());
            }
            Decision d = router.route(text, 0.3);
            assertThat(d.receipts()).hasSize(13);
            assertThat(d.costModel()).isEqualTo("tokens");
        }
        // carrot route on it, with --json: the decision and a receipt per model
        CliTest.Run routed = carrot("route", "--router", out.toString(), "--mu", "0.3", "--json", text);
        assertThat(routed.code()).as(routed.err()).isZero();
        JsonNode j = routed.json().get(0);
        assertThat(j.get("prompt").asText()).isEqualTo(text);
        assertThat(j.get("receipts")).hasSize(13);
        assertThat(j.get("receipts").get(0).get("input_tokens").asDouble())
                .isEqualTo(prompt.get("input_tokens").asDouble());
    }

    @Test
    void aHubRepositoryInTheFixturesLayoutImportsThroughTheHubClient() throws Exception {
        Path f = fixture();
        try (dev.carrot.data.hf.FakeHub hub = dev.carrot.data.hf.FakeHub.start()) {
            var repo = hub.model("someone/carrot-onnx");
            for (String file : List.of("quality/model.onnx", "quality/tokenizer.json", "output-tokens/model.onnx",
                    "output-tokens/tokenizer.json", "input-tokenizer/tokenizer.json")) {
                repo.lfsFile(file, java.nio.file.Files.readAllBytes(f.resolve(file)));
            }
            Path out = tmp.resolve("from-hub");
            CliTest.Run r = carrot("import-hf-router", "--hf", "someone/carrot-onnx", "--hf-endpoint",
                    hub.endpoint().toString(), "--hf-cache", tmp.resolve("hf").toString(), "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            try (Router router = Router.load(out)) {
                JsonNode prompt = new ObjectMapper().readTree(f.resolve("expected.json").toFile()).get("prompts")
                        .get(1);
                Router.Prediction p = router.predict(prompt.get("text").asText());
                assertThat(p.quality()[0]).isCloseTo(prompt.get("quality_sigmoid").get(0).asDouble(), within(1e-5));
                assertThat(p.inputTokens()[0]).isEqualTo(prompt.get("input_tokens").asDouble());
            }
        }
    }

    @Test
    void theAuthorsPricesAndBadInputAreHandled() throws Exception {
        Path f = fixture();
        Path out = tmp.resolve("authors");
        CliTest.Run r = carrot("import-hf-router", "--quality", f.resolve("quality").toString(), "--output-tokens",
                f.resolve("output-tokens").toString(), "--prices", "authors", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (Router router = Router.load(out)) {
            // CarrotRouter.route prices output tokens per thousand: per million that is 1000 x the card's 15
            assertThat(router.prices().orElseThrow().require("aws-claude-3-5-sonnet-v1"))
                    .isEqualTo(new PriceTable.Price(3, 15_000));
            assertThat(router.model().costScaleUsd()).isEqualTo(0.01);
        }
        Path abc = tmp.resolve("abc-prices.json");
        java.nio.file.Files.writeString(abc, "{\"a\": {\"input\": 1, \"output\": 2}, \"b\": {\"input\": 1,"
                + " \"output\": 2}, \"c\": {\"input\": 1, \"output\": 2}}");
        CliTest.Run wrongCount = carrot("import-hf-router", "--quality", f.resolve("quality").toString(),
                "--output-tokens", f.resolve("output-tokens").toString(), "--models", "a,b,c", "--prices",
                abc.toString(), "--out", tmp.resolve("x").toString());
        assertThat(wrongCount.code()).isNotZero();
        assertThat(wrongCount.err()).contains("has 13 outputs; expected 3");
        assertThat(tmp.resolve("x")).doesNotExist();
        CliTest.Run noDir = carrot("import-hf-router", "--quality", tmp.resolve("nope").toString(),
                "--output-tokens", f.resolve("output-tokens").toString(), "--out", tmp.resolve("y").toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("--quality").contains("is not a folder");
    }
}

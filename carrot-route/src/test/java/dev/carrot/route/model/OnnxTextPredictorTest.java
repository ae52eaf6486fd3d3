package dev.carrot.route.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.Decision;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderException;
import dev.carrot.route.io.RouterArtifact;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The text-model predictor kind on a tiny random stand-in for CARROT's pre-trained router (13 outputs, RoBERTa-shaped,
 * made by {@code src/test/resources/hf-router/make_fixtures.py}): carrot's outputs equal HuggingFace's within 1e-5.
 */
class OnnxTextPredictorTest {
    static final Path FIXTURE = Path.of("src/test/resources/hf-router");

    @TempDir
    Path tmp;

    static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(FIXTURE.resolve("expected.json").toFile());
    }

    static OnnxTextPredictor load(String dir, LinearPredictor.Link link) throws IOException {
        return new OnnxTextPredictor(13, Files.readAllBytes(FIXTURE.resolve(dir).resolve("model.onnx")),
                Files.readAllBytes(FIXTURE.resolve(dir).resolve("tokenizer.json")), link, 512);
    }

    static List<String> models(JsonNode expected) {
        List<String> m = new ArrayList<>();
        expected.get("carrot_router_label_order").forEach(n -> m.add(n.asText()));
        return m;
    }

    /** The paper's prices, by model name (per 1M tokens: input = output for most). */
    static PriceTable prices(List<String> models) {
        Map<String, PriceTable.Price> p = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
            p.put(models.get(i), new PriceTable.Price(0.1 * (i + 1), 0.4 * (i + 1)));
        }
        return PriceTable.of(p);
    }

    @Test
    void outputsMatchTheReferenceWithinOneInAHundredThousand() throws IOException {
        JsonNode e = expected();
        try (OnnxTextPredictor quality = load("quality", LinearPredictor.Link.SIGMOID);
             OnnxTextPredictor tokens = load("output-tokens", LinearPredictor.Link.IDENTITY);
             TokenizerInputTokens input = new TokenizerInputTokens(13, "fixture llama-like",
                     Files.readAllBytes(FIXTURE.resolve("input-tokenizer/tokenizer.json")))) {
            assertThat(e.get("prompts")).hasSizeGreaterThanOrEqualTo(8);
            for (JsonNode p : e.get("prompts")) {
                String text = p.get("text").asText();
                float[] q = quality.logits(text);
                float[] t = tokens.logits(text);
                PromptView view = new PromptView(null, 0).set(null, Double.NaN, text);
                double[] sig = new double[13];
                quality.predict(view, sig);
                double[] in = new double[13];
                input.estimate(view, in);
                for (int m = 0; m < 13; m++) {
                    String what = p.get("name").asText() + " model " + m;
                    assertThat((double) q[m]).as(what).isCloseTo(p.get("quality_logits").get(m).asDouble(),
                            within(1e-5));
                    assertThat(sig[m]).as(what).isCloseTo(p.get("quality_sigmoid").get(m).asDouble(), within(1e-5));
                    assertThat((double) t[m]).as(what).isCloseTo(p.get("output_tokens_logits").get(m).asDouble(),
                            within(1e-5));
                    assertThat(in[m]).as(what).isEqualTo(p.get("input_tokens").asDouble());
                }
            }
        }
    }

    @Test
    void aTextOnlyRouterRoundTripsRoutesAndExplainsItself() throws IOException {
        JsonNode e = expected();
        List<String> models = models(e);
        RouterModel model;
        try (OnnxTextPredictor quality = load("quality", LinearPredictor.Link.SIGMOID);
             OnnxTextPredictor tokens = load("output-tokens", LinearPredictor.Link.IDENTITY)) {
            model = RouterModel.builder().models(models).prices(prices(models))
                    .quality(quality)
                    .cost(new CostModel.Tokens(new TokenizerInputTokens(13, "fixture llama-like",
                            Files.readAllBytes(FIXTURE.resolve("input-tokenizer/tokenizer.json"))), tokens))
                    .costScaleUsd(0.001)
                    .build();
            assertThat(model.textOnly()).isTrue();
            RouterArtifact.write(model, tmp.resolve("router"));
        }
        JsonNode manifest = new ObjectMapper().readTree(tmp.resolve("router/manifest.json").toFile());
        assertThat(manifest.get("encoder").isNull()).isTrue();
        assertThat(manifest.path("quality").path("kind").asText()).isEqualTo("onnx-text");
        assertThat(manifest.path("cost").path("input_tokens").path("kind").asText()).isEqualTo("tokenizer");
        JsonNode p = e.get("prompts").get(3);
        String text = p.get("text").asText();
        try (Router router = Router.load(tmp.resolve("router"))) {
            Router.Prediction pr = router.predict(text);
            PriceTable prices = prices(models);
            for (int m = 0; m < 13; m++) {
                assertThat(pr.quality()[m]).isCloseTo(p.get("quality_sigmoid").get(m).asDouble(), within(1e-5));
                double out = Math.max(0, p.get("output_tokens_logits").get(m).asDouble());
                assertThat(pr.outputTokens()[m]).isCloseTo(out, within(1e-5));
                assertThat(pr.inputTokens()[m]).isEqualTo(p.get("input_tokens").asDouble());
                assertThat(pr.costUsd()[m]).isCloseTo(prices.require(models.get(m)).cost(pr.inputTokens()[m], out),
                        within(1e-9));
            }
            Decision best = router.route(text, 0.0);
            int argmax = 0;
            for (int m = 1; m < 13; m++) {
                if (pr.quality()[m] > pr.quality()[argmax]) {
                    argmax = m;
                }
            }
            assertThat(best.model()).isEqualTo(models.get(argmax));
            assertThat(best.receipts()).hasSize(13).extracting(Receipt::inputTokens)
                    .containsOnly(p.get("input_tokens").asDouble());
            Decision cheap = router.route(text, 1.0, RouteOptions.defaults());
            assertThat(cheap.chosen().costUsd()).isLessThanOrEqualTo(best.chosen().costUsd());
            assertThatThrownBy(() -> router.route(new float[384], 0.5)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("route the text, not an embedding");
            Router repriced = router.withPrices(prices.with(models.get(0), new PriceTable.Price(0, 0)));
            assertThat(repriced.route(text, 1.0).model()).isEqualTo(models.get(0));
            repriced.close();
        }
    }

    @Test
    void aGraphWithAnotherNumberOfOutputsIsRefused() throws IOException {
        byte[] onnx = Files.readAllBytes(FIXTURE.resolve("quality/model.onnx"));
        byte[] tok = Files.readAllBytes(FIXTURE.resolve("quality/tokenizer.json"));
        assertThatThrownBy(() -> new OnnxTextPredictor(11, onnx, tok, LinearPredictor.Link.SIGMOID, 512))
                .isInstanceOf(EncoderException.class).hasMessageContaining("has 13 outputs; expected 11");
        assertThatThrownBy(() -> new OnnxTextPredictor(13, new byte[]{1, 2, 3}, tok, LinearPredictor.Link.SIGMOID,
                512)).isInstanceOf(EncoderException.class).hasMessageContaining("ONNX Runtime cannot load");
    }
}

package dev.carrot.examples.langchain4j;

import dev.carrot.route.Router;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;
import dev.carrot.testkit.FakeUpstream;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The example's main, offline: a router artifact written here and one fake OpenAI-compatible endpoint. */
class RoutingExampleTest {

    /** Two models: "strong" is good at maths and dear, "cheap" is as good at chit-chat. */
    private static Path writeRouter(Path dir) throws Exception {
        List<String> prompts = List.of("Prove that there are infinitely many primes",
                "Prove the Cauchy-Schwarz inequality", "Say hello to my friend", "Tell me a fun fact about cats");
        try (PromptEncoder enc = Encoders.miniLm()) {
            float[][] e = enc.encodeAll(prompts);
            float[] flat = new float[prompts.size() * e[0].length];
            for (int i = 0; i < e.length; i++) {
                System.arraycopy(e[i], 0, flat, i * e[i].length, e[i].length);
            }
            float[] quality = {1, 0, 1, 0, 1, 1, 1, 1}; // strong, cheap per prompt
            float[] outTokens = {500, 400, 500, 400, 50, 50, 50, 50};
            RouterModel m = RouterModel.builder().models(List.of("strong", "cheap")).encoder(enc.info())
                    .prices(PriceTable.of(Map.of("strong", new PriceTable.Price(10, 30),
                            "cheap", new PriceTable.Price(0.15, 0.6))))
                    .knnEmbeddings(flat).quality(new KnnPredictor(1, 2, quality))
                    .cost(new CostModel.Tokens(new InputTokenModel(new double[2], new double[]{1, 1},
                            new double[]{20, 20}), new KnnPredictor(1, 2, outTokens)))
                    .costScaleUsd(0.01).build();
            Path out = dir.resolve("router");
            RouterArtifact.write(m, out);
            return out;
        }
    }

    @Test
    void eachQuestionGoesToTheProviderModelOfTheRoutersChoice(@TempDir Path tmp) throws Exception {
        Path routerDir = writeRouter(tmp);
        try (FakeUpstream api = FakeUpstream.start("any"); Router r = Router.load(routerDir)) {
            api.reply(Reply.ok().withContent("42"));
            Map<String, String> env = Map.of("CARROT_ROUTER", routerDir.toString(),
                    "CARROT_MODELS", "strong=gpt-4o, cheap=gpt-4o-mini", "OPENAI_API_KEY", "sk-test",
                    "OPENAI_BASE_URL", api.baseUrl(), "CARROT_MU", "0.3");
            for (String q : List.of("Prove that the square root of two is irrational", "Say a warm hello to my aunt")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int status = RoutingExample.run(env, q.split(" "), new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err);
                assertThat(status).isZero();
                String chosen = r.route(q, 0.3).model();
                String provider = chosen.equals("strong") ? "gpt-4o" : "gpt-4o-mini";
                assertThat(api.lastRequest().json().path("model").asText()).as(q).isEqualTo(provider);
                assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("42").contains("answered by " + chosen)
                        .contains("\"decision_id\"");
            }
            assertThat(r.route("Prove that the square root of two is irrational", 0.3).model()).isEqualTo("strong");
            assertThat(r.route("Say a warm hello to my aunt", 0.3).model()).isEqualTo("cheap");
        }
    }

    @Test
    void withoutConfigurationItSaysHowToRunIt() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(RoutingExample.run(Map.of(), new String[]{"hi"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: CARROT_ROUTER=DIR");
    }
}

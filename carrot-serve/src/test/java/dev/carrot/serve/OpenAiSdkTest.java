package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.carrot.testkit.RecordedRequest;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK, unmodified, against a real gateway in front of fake upstreams. */
class OpenAiSdkTest {
    @TempDir
    static Path tmp;
    static TestRouter router;
    static ServeFixture fx;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        router = TestRouter.create(tmp);
        fx = new ServeFixture(tmp, router);
        fx.start(null);
        client = fx.sdk();
    }

    @AfterAll
    static void stop() {
        fx.closeAll();
        router.close();
    }

    @BeforeEach
    void reset() {
        fx.resetUpstreams();
    }

    @Test
    void theRouterDecidesDifferentlyPerKindOfPrompt() {
        // the premise of the tests below: the small router really routes text
        assertThat(router.expectedModel(TestRouter.CHAT_PROMPT, 0.3)).isEqualTo(TestRouter.SMALL);
        assertThat(router.expectedModel(TestRouter.CODE_PROMPT, 0.3)).isEqualTo(TestRouter.CODE);
        assertThat(router.expectedModel(TestRouter.MATH_PROMPT, 0.3)).isEqualTo(TestRouter.BIG);
    }

    @Test
    void aRoutedCompletionGoesToTheChosenModelWithItsOwnKeyAndTheBodyOtherwiseIntact() throws Exception {
        fx.upstream(TestRouter.CODE).reply(Reply.ok().withContent("public static List<String> parse(...)")
                .withUsage(25, 140));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("carrot")
                .addSystemMessage("You are a careful Java engineer.")
                .addUserMessage(TestRouter.CODE_PROMPT)
                .temperature(0.25)
                .maxCompletionTokens(300)
                .putAdditionalBodyProperty("carrot", JsonValue.from(Map.of("receipt", true)))
                .putAdditionalBodyProperty("x_vendor_option", JsonValue.from(Map.of("keep", List.of(1, 2))))
                .build();
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params);
        ChatCompletion c = raw.parse();

        // what the client got
        assertThat(c.choices().get(0).message().content()).contains("public static List<String> parse(...)");
        assertThat(c.model()).isEqualTo("upstream-code-v1");
        assertThat(raw.headers().values("x-carrot-model")).containsExactly(TestRouter.CODE);
        assertThat(raw.headers().values("x-carrot-mu")).containsExactly("0.3");
        assertThat(raw.headers().values("x-carrot-decision-id")).singleElement().asString().startsWith("carrot-");
        double predicted = Double.parseDouble(raw.headers().values("x-carrot-predicted-cost-usd").get(0));
        assertThat(predicted).isCloseTo(router.predictedCost(TestRouter.CODE_PROMPT, 0.3, TestRouter.CODE),
                org.assertj.core.data.Offset.offset(1e-12));
        JsonNode receipt = c._additionalProperties().get("carrot").convert(JsonNode.class);
        assertThat(receipt.path("model").asText()).isEqualTo(TestRouter.CODE);
        assertThat(receipt.path("decision_id").asText()).isEqualTo(raw.headers().values("x-carrot-decision-id")
                .get(0));
        assertThat(receipt.path("decision")).isEqualTo(router.expected(TestRouter.CODE_PROMPT, 0.3, TestRouter.MODELS));
        assertThat(receipt.at("/decision/receipts")).hasSize(3);
        assertThat(receipt.at("/routed_text/source").asText()).isEqualTo("last_user_message");
        assertThat(receipt.at("/attempts/0/outcome").asText()).isEqualTo("ok");
        // actual cost from the usage block and the router's prices: 25 x 1e-6 + 140 x 2e-6
        assertThat(receipt.at("/actual/cost_usd").asDouble()).isCloseTo(25e-6 + 280e-6,
                org.assertj.core.data.Offset.offset(1e-12));

        // what the upstream got
        assertThat(fx.upstream(TestRouter.BIG).requests()).isEmpty();
        assertThat(fx.upstream(TestRouter.SMALL).requests()).isEmpty();
        RecordedRequest got = fx.upstream(TestRouter.CODE).lastRequest();
        assertThat(got.path()).isEqualTo("/v1/chat/completions");
        assertThat(got.header("authorization")).contains("Bearer " + ServeFixture.UPSTREAM_KEYS.get(TestRouter.CODE));
        assertThat(got.headers().toString()).doesNotContain(ServeFixture.GATEWAY_KEY);
        ObjectNode sent = (ObjectNode) got.json();
        assertThat(sent.path("model").asText()).isEqualTo("upstream-code-v1");
        assertThat(sent.has("carrot")).isFalse();
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.25);
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(300);
        assertThat(sent.path("x_vendor_option").toString()).isEqualTo("{\"keep\":[1,2]}");
        assertThat(sent.path("messages")).hasSize(2);
        assertThat(sent.at("/messages/1/content").asText()).isEqualTo(TestRouter.CODE_PROMPT);
    }

    @Test
    void theForwardedBodyIsTheClientsWithOnlyModelReplacedAndCarrotRemoved() {
        String body = "{\"model\":\"carrot:mu=0.3\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + TestRouter.MATH_PROMPT + "\"}],\"temperature\":0.70,\"top_p\":1,\"n\":1,\"seed\":12345678901,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],"
                + "\"carrot\":{\"models\":[\"big-model\",\"code-model\"]},\"logit_bias\":{\"50256\":-100}}";
        var r = fx.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-carrot-model")).contains(TestRouter.BIG);
        String sent = fx.upstream(TestRouter.BIG).lastRequest().bodyText();
        String expected = body.replace("\"model\":\"carrot:mu=0.3\"", "\"model\":\"upstream-big-v1\"")
                .replace(",\"carrot\":{\"models\":[\"big-model\",\"code-model\"]}", "");
        assertThat(sent).isEqualTo(expected);
    }

    @Test
    void aStreamIsPassedThroughChunkByChunkWithUsageAskedFromTheUpstream() {
        fx.upstream(TestRouter.SMALL).reply(Reply.ok().withContent("Happy birthday, dear grandmother!")
                .withChunks(5, Duration.ofMillis(20)).withUsage(16, 9));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("carrot")
                .addUserMessage(TestRouter.CHAT_PROMPT).build();
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw =
                client.chat().completions().withRawResponse().createStreaming(params);
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
            chunks = s.stream().collect(Collectors.toList());
        }
        assertThat(raw.headers().values("x-carrot-model")).containsExactly(TestRouter.SMALL);
        assertThat(raw.headers().values("content-type").get(0)).startsWith("text/event-stream");
        String text = chunks.stream().flatMap(ch -> ch.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isEqualTo("Happy birthday, dear grandmother!");
        // the client did not ask for usage: the gateway asked for it, read it, and kept the usage chunk to itself
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.usage()).isEmpty());
        assertThat(chunks).hasSize(1 + 5 + 1);
        JsonNode sent = fx.upstream(TestRouter.SMALL).lastRequest().json();
        assertThat(sent.at("/stream").asBoolean()).isTrue();
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.path("model").asText()).isEqualTo("upstream-small-v1");
        // usage x price table in the metrics: 16 x 0.15e-6 + 9 x 0.6e-6
        String metrics = fx.get("/metrics").body();
        assertThat(metrics).contains("carrot_tokens_total{kind=\"completion\",model=\"small-model\"}");
    }

    @Test
    void streamEventsReachTheClientAsTheUpstreamSendsThemNotAtTheEnd() throws Exception {
        fx.upstream(TestRouter.SMALL).reply(Reply.ok().withContent("a b c d e").withChunks(5,
                Duration.ofMillis(300)));
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(fx.server.baseUrl()
                        + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + ServeFixture.GATEWAY_KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ServeFixture.chat("carrot",
                        TestRouter.CHAT_PROMPT, "\"stream\":true"))).build();
        long t0 = System.nanoTime();
        var resp = fx.http.send(req, java.net.http.HttpResponse.BodyHandlers.ofLines());
        List<Long> arrivals = new java.util.ArrayList<>();
        resp.body().filter(l -> l.startsWith("data: ") && l.contains("\"content\":\"") && !l.contains(
                "\"content\":\"\"")).forEach(l -> arrivals.add((System.nanoTime() - t0) / 1_000_000));
        assertThat(arrivals).hasSize(5);
        // the upstream waits 300 ms before each chunk: the first arrives about 1.2 s before the last
        assertThat(arrivals.get(4) - arrivals.get(0)).isGreaterThan(900);
    }

    @Test
    void aStreamClientThatAsksForUsageGetsTheUsageChunk() {
        fx.upstream(TestRouter.SMALL).reply(Reply.ok().withContent("hi").withChunks(2, Duration.ZERO)
                .withUsage(7, 3));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("carrot")
                .addUserMessage(TestRouter.CHAT_PROMPT)
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                        .includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            chunks = s.stream().collect(Collectors.toList());
        }
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.usage()).isPresent();
        assertThat(last.usage().get().completionTokens()).isEqualTo(3);
    }

    @Test
    void aConcreteModelIsPassedThroughNotRouted() {
        fx.upstream(TestRouter.BIG).reply(Reply.ok().withContent("hello from big"));
        // a chit-chat prompt the router would send to the small model
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model(TestRouter.BIG).addUserMessage(TestRouter.CHAT_PROMPT)
                        .putAdditionalBodyProperty("carrot", JsonValue.from(Map.of("receipt", true))).build());
        ChatCompletion c = raw.parse();
        assertThat(c.choices().get(0).message().content()).contains("hello from big");
        assertThat(raw.headers().values("x-carrot-model")).containsExactly(TestRouter.BIG);
        assertThat(fx.upstream(TestRouter.SMALL).requests()).isEmpty();
        assertThat(fx.upstream(TestRouter.BIG).lastRequest().json().path("model").asText())
                .isEqualTo("upstream-big-v1");
        assertThat(c._additionalProperties().get("carrot").convert(JsonNode.class).path("routed").asBoolean(true))
                .isFalse();
    }

    @Test
    void muAndBudgetInTheModelNameSteerTheDecision() {
        HttpResponseFor<ChatCompletion> cheapest = client.chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model("carrot:mu=1").addUserMessage(TestRouter.MATH_PROMPT)
                        .build());
        assertThat(cheapest.headers().values("x-carrot-model")).containsExactly(TestRouter.SMALL);
        assertThat(cheapest.headers().values("x-carrot-mu")).containsExactly("1");

        var budget = fx.post("/v1/route", ServeFixture.chat("carrot:budget=0.005", TestRouter.MATH_PROMPT, null));
        assertThat(budget.statusCode()).isEqualTo(200);
        JsonNode d = ServeFixture.json(budget.body());
        assertThat(d.path("decision")).isEqualTo(router.expectedWithBudget(TestRouter.MATH_PROMPT, 0.005,
                TestRouter.MODELS));
        assertThat(d.at("/decision/budget/mu").isNumber()).isTrue();
    }

    @Test
    void anErrorReachesTheSdkAsOpenAiErrorJson() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("carrot:mu=1.5").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("model");
                    assertThat(e.getMessage()).contains("mu must be in [0, 1]").contains("1.5");
                    assertThat(e.headers().values("x-carrot-decision-id")).hasSize(1);
                });
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-5-ultra").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.getMessage())
                        .contains("gpt-5-ultra").contains(TestRouter.SMALL));
        assertThat(fx.totalUpstreamRequests()).isZero();
    }

    @Test
    void modelsListsTheVirtualAndTheUpstreamModels() {
        var ids = client.models().list().data().stream().map(m -> m.id()).toList();
        assertThat(ids).contains("carrot", TestRouter.BIG, TestRouter.SMALL, TestRouter.CODE);
    }

    @Test
    void routeGivesTheDecisionWithReceiptsAndCallsNoUpstream() {
        var r = fx.post("/v1/route", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = ServeFixture.json(r.body());
        assertThat(d.path("model").asText()).isEqualTo(TestRouter.SMALL);
        assertThat(d.path("decision")).isEqualTo(router.expected(TestRouter.CHAT_PROMPT, 0.3, TestRouter.MODELS));
        assertThat(d.path("fallback_order").toString()).isEqualTo(ServeFixture.JSON.valueToTree(
                router.ranking(TestRouter.CHAT_PROMPT, 0.3)).toString());
        assertThat(r.headers().firstValue("x-carrot-model")).contains(TestRouter.SMALL);
        assertThat(fx.totalUpstreamRequests()).isZero();
        var prompt = fx.post("/v1/route", "{\"model\":\"carrot\",\"prompt\":\"" + TestRouter.CODE_PROMPT + "\"}");
        assertThat(ServeFixture.json(prompt.body()).path("model").asText()).isEqualTo(TestRouter.CODE);
    }

    @Test
    void metricsCountRequestsByModelAndStatusWithPredictedAndActualCost() {
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("carrot")
                .addUserMessage(TestRouter.MATH_PROMPT).build());
        String m = fx.get("/metrics").body();
        assertThat(m).contains("carrot_requests_total{endpoint=\"chat\",model=\"big-model\",status=\"200\"}");
        assertThat(m).contains("carrot_routing_seconds_bucket");
        assertThat(m).contains("carrot_upstream_seconds_bucket{model=\"big-model\",outcome=\"ok\",le=\"0.005\"}");
        assertThat(m).contains("carrot_predicted_cost_usd_total{model=\"big-model\"}");
        assertThat(m).contains("carrot_actual_cost_usd_total{model=\"big-model\"}");
        assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(fx.get("/readyz").statusCode()).isEqualTo(200);
    }
}

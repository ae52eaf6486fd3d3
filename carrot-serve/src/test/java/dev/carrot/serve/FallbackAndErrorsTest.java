package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fallback chains under failing upstreams, the mid-stream failure, and every error status. */
class FallbackAndErrorsTest {
    @TempDir
    static Path tmp;
    static TestRouter router;
    static ServeFixture fx;

    @BeforeAll
    static void start() {
        router = TestRouter.create(tmp);
        fx = new ServeFixture(tmp, router);
        fx.start("{\"max_request_bytes\": 4096, \"max_concurrency\": 4,"
                + " \"upstreams\": {\"big-model\": {\"timeout_s\": 0.5}}}");
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

    private static JsonNode error(HttpResponse<String> r) {
        JsonNode e = ServeFixture.json(r.body()).path("error");
        assertThat(e.has("message") && e.has("type") && e.has("code") && e.has("param")).as(r.body()).isTrue();
        return e;
    }

    @Test
    void failingCandidatesFallBackInOrderOfUtilityAndTheReceiptListsTheChain() {
        // chat prompt: small (best), then big, then code
        assertThat(router.ranking(TestRouter.CHAT_PROMPT, 0.3))
                .containsExactly(TestRouter.SMALL, TestRouter.BIG, TestRouter.CODE);
        double before503 = fx.metric("carrot_fallbacks_total{model=\"small-model\",reason=\"status_503\"}");
        fx.upstream(TestRouter.SMALL).enqueue(Reply.error(503, "overloaded"));
        fx.upstream(TestRouter.BIG).enqueue(Reply.error(429, "slow down"));
        fx.upstream(TestRouter.CODE).reply(Reply.ok().withContent("answered by code"));
        var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                "\"carrot\":{\"receipt\":true}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-carrot-model")).contains(TestRouter.CODE);
        JsonNode body = ServeFixture.json(r.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("answered by code");
        JsonNode attempts = body.at("/carrot/attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0).path("model").asText()).isEqualTo(TestRouter.SMALL);
        assertThat(attempts.get(0).path("outcome").asText()).isEqualTo("status_503");
        assertThat(attempts.get(1).path("model").asText()).isEqualTo(TestRouter.BIG);
        assertThat(attempts.get(1).path("outcome").asText()).isEqualTo("status_429");
        assertThat(attempts.get(2).path("outcome").asText()).isEqualTo("ok");
        // every attempt carried the same client body with its own model id
        assertThat(fx.upstream(TestRouter.SMALL).lastRequest().json().path("model").asText())
                .isEqualTo("upstream-small-v1");
        assertThat(fx.upstream(TestRouter.BIG).lastRequest().json().path("model").asText())
                .isEqualTo("upstream-big-v1");
        assertThat(fx.metric("carrot_fallbacks_total{model=\"small-model\",reason=\"status_503\"}"))
                .isEqualTo(before503 + 1);
    }

    @Test
    void aCandidateOverTheCostCapIsNeverTried() {
        // chat prompt: small fails; big is predicted at about 0.002 USD, over the cap; code is next
        fx.upstream(TestRouter.SMALL).enqueue(Reply.error(500, "boom"));
        var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                "\"carrot\":{\"max_cost_usd\":0.001,\"receipt\":true}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-carrot-model")).contains(TestRouter.CODE);
        assertThat(fx.upstream(TestRouter.BIG).requestCount()).isZero();
        JsonNode receipts = ServeFixture.json(r.body()).at("/carrot/decision/receipts");
        assertThat(receipts.toString()).contains("\"over_cost_cap\"");
    }

    @Test
    void whenEveryCandidateFailsTheAnswerIs502NamingTheChain() {
        fx.upstream(TestRouter.SMALL).reply(Reply.error(503, "down"));
        fx.upstream(TestRouter.BIG).reply(Reply.drop());
        fx.upstream(TestRouter.CODE).reply(Reply.error(502, "bad gateway"));
        var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
        assertThat(r.statusCode()).isEqualTo(502);
        JsonNode e = error(r);
        assertThat(e.path("code").asText()).isEqualTo("upstream_failed");
        assertThat(e.path("message").asText()).contains("all 3 candidates failed").contains(TestRouter.SMALL)
                .contains("503").contains(TestRouter.BIG).contains("connection").contains(TestRouter.CODE);
        assertThat(r.headers().firstValue("x-carrot-decision-id")).isPresent();
    }

    @Test
    void maxFallbacksBoundsTheAttempts() {
        fx.restartWith("{\"max_fallbacks\": 1}");
        try {
            fx.upstream(TestRouter.SMALL).reply(Reply.error(503, "down"));
            fx.upstream(TestRouter.BIG).reply(Reply.error(503, "down"));
            var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(fx.upstream(TestRouter.CODE).requestCount()).isZero();
            assertThat(fx.upstream(TestRouter.BIG).requestCount()).isEqualTo(1);
        } finally {
            fx.restartWith("{\"max_request_bytes\": 4096, \"max_concurrency\": 4,"
                    + " \"upstreams\": {\"big-model\": {\"timeout_s\": 0.5}}}");
        }
    }

    @Test
    void aTimeoutFallsBackAndATimeoutAtTheEndIs504() {
        // maths prompt: big first (0.5 s timeout), then small, then code
        fx.upstream(TestRouter.BIG).reply(Reply.ok().withDelay(Duration.ofSeconds(2)));
        var ok = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.MATH_PROMPT,
                "\"carrot\":{\"receipt\":true}"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ServeFixture.json(ok.body()).at("/carrot/attempts/0/outcome").asText()).isEqualTo("timeout");

        var only = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.MATH_PROMPT,
                "\"carrot\":{\"models\":[\"big-model\"]}"));
        assertThat(only.statusCode()).isEqualTo(504);
        assertThat(error(only).path("code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void aStreamFallsBackWhileNothingHasReachedTheClient() {
        fx.upstream(TestRouter.SMALL).enqueue(Reply.error(503, "down"));
        fx.upstream(TestRouter.BIG).enqueue(Reply.ok().withChunks(3, Duration.ZERO).withDisconnectAfter(0));
        fx.upstream(TestRouter.CODE).reply(Reply.ok().withContent("streamed by code"));
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = fx.sdk().chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("carrot").addUserMessage(TestRouter.CHAT_PROMPT).build())) {
            chunks = s.stream().toList();
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                .reduce("", String::concat);
        // big answered 200 and dropped before its first event: nothing had reached the client, so code answered
        assertThat(text).isEqualTo("streamed by code");
        assertThat(fx.upstream(TestRouter.BIG).requestCount()).isEqualTo(1);
    }

    @Test
    void anUpstreamFailureAfterTheStreamBeganEndsItWithAnOpenAiErrorEvent() {
        fx.upstream(TestRouter.SMALL).enqueue(Reply.ok().withContent("one two three four")
                .withChunks(4, Duration.ofMillis(10)).withDisconnectAfter(2));
        List<String> got = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = fx.sdk().chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("carrot").addUserMessage(TestRouter.CHAT_PROMPT)
                            .build())) {
                s.stream().forEach(c -> c.choices().forEach(ch -> got.add(ch.delta().content().orElse(""))));
            }
        }).isInstanceOfSatisfying(SseException.class, e -> assertThat(e.getMessage())
                .contains("failed after the stream began"));
        assertThat(String.join("", got)).isEqualTo("one two t"); // two of four chunks of 18 characters
        // no fallback after bytes reached the client
        assertThat(fx.upstream(TestRouter.BIG).requestCount()).isZero();
        var raw = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                "\"stream\":true"));
        assertThat(raw.statusCode()).isEqualTo(200); // the next one is whole again
        assertThat(raw.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void badRequestsAre400NamingTheFieldAndNeverReachAnUpstream() {
        record Case(String body, String param, String text) {
        }
        List<Case> cases = List.of(
                new Case("{not json", null, "not valid JSON"),
                new Case("[1,2]", null, "JSON object"),
                new Case("{\"model\":\"carrot\"}", "messages", "messages: missing"),
                new Case("{\"model\":\"carrot\",\"messages\":[]}", "messages", "non-empty list"),
                new Case("{\"model\":\"carrot\",\"messages\":[\"hi\"]}", "messages[0]", "expected an object"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model", "model: missing"),
                new Case(ServeFixture.chat("carrot:mu=-0.1", "x", null), "model", "mu must be in [0, 1]"),
                new Case(ServeFixture.chat("carrot:mu=abc", "x", null), "model", "does not end in a number"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"mu\":2}"), "carrot.mu", "got 2.0"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"mu\":0.1,\"budget\":0.1}"), "carrot.budget",
                        "give one, not both"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"models\":[\"small-model\",\"gpt-9\"]}"),
                        "carrot.models[1]", "allowed: [big-model, small-model, code-model]"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"temperature\":1}"), "carrot.temperature",
                        "unknown field"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"max_cost_usd\":-1}"),
                        "carrot.max_cost_usd", ">= 0"),
                new Case(ServeFixture.chat("carrot", "x", "\"carrot\":{\"max_cost_usd\":0}"),
                        "carrot.max_cost_usd", "no candidate model is predicted to cost at most"),
                new Case(ServeFixture.chat("carrot", "x", "\"stream\":\"yes\""), "stream", "true or false"));
        for (Case c : cases) {
            var r = fx.post("/v1/chat/completions", c.body);
            assertThat(r.statusCode()).as(c.body).isEqualTo(400);
            JsonNode e = error(r);
            assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
            if (c.param == null) {
                assertThat(e.path("param").isNull()).as(c.body).isTrue();
            } else {
                assertThat(e.path("param").asText()).as(c.body).isEqualTo(c.param);
            }
            assertThat(e.path("message").asText()).as(c.body).contains(c.text);
            assertThat(r.headers().firstValue("x-carrot-model")).contains("none");
        }
        var session = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", "x", null),
                "x-carrot-session", "a".repeat(300));
        assertThat(session.statusCode()).isEqualTo(400);
        assertThat(fx.totalUpstreamRequests()).isZero();
    }

    @Test
    void aMissingOrWrongKeyIs401() {
        var none = fx.send(HttpRequest.newBuilder(URI.create(fx.server.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(ServeFixture.chat("carrot", "x", null))).build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(error(none).path("code").asText()).isEqualTo("invalid_api_key");
        var wrong = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", "x", null),
                "Authorization", "Bearer not-the-key");
        assertThat(wrong.statusCode()).isEqualTo(401);
        var other = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null),
                "Authorization", "Bearer another-key");
        assertThat(other.statusCode()).isEqualTo(200); // the second key of CARROT_GATEWAY_KEYS
        assertThat(fx.get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(fx.get("/v1/models", "Authorization", "Bearer " + ServeFixture.GATEWAY_KEY).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = ServeFixture.chat("carrot", "x".repeat(5000), null);
        var r = fx.post("/v1/chat/completions", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r).path("message").asText()).contains("4096 bytes");
        // chunked, without a Content-Length
        var chunked = fx.send(HttpRequest.newBuilder(URI.create(fx.server.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + ServeFixture.GATEWAY_KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(fx.totalUpstreamRequests()).isZero();
    }

    @Test
    void overTheConcurrencyLimitIs429() throws Exception {
        // max_concurrency 4: four slow requests hold every slot
        fx.upstream(TestRouter.CODE).reply(Reply.ok().withDelay(Duration.ofMillis(1500)));
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slow.add(fx.http.sendAsync(HttpRequest.newBuilder(URI.create(fx.server.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + ServeFixture.GATEWAY_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(ServeFixture.chat("carrot", TestRouter.CODE_PROMPT, null)))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (fx.upstream(TestRouter.CODE).requestCount() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CODE_PROMPT, null));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(error(r).path("type").asText()).isEqualTo("rate_limit_error");
        for (var f : slow) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
        var after = fx.post("/v1/route", ServeFixture.chat("carrot", TestRouter.CODE_PROMPT, null));
        assertThat(after.statusCode()).isEqualTo(200);
    }

    @Test
    void anUpstreamClientErrorIsPassedThroughAndNotRetried() {
        fx.upstream(TestRouter.SMALL).enqueue(Reply.error(422, "unsupported parameter: foo"));
        var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("unsupported parameter: foo");
        assertThat(fx.upstream(TestRouter.BIG).requestCount()).isZero();
    }

    @Test
    void aSessionStaysWithItsFirstTurnsModel() {
        var first = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CODE_PROMPT, null),
                "x-carrot-session", "conv-42");
        assertThat(first.headers().firstValue("x-carrot-model")).contains(TestRouter.CODE);
        // a chit-chat turn would go to the small model, but the conversation stays on the code model
        var second = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                "\"carrot\":{\"receipt\":true}"), "x-carrot-session", "conv-42");
        assertThat(second.headers().firstValue("x-carrot-model")).contains(TestRouter.CODE);
        assertThat(ServeFixture.json(second.body()).at("/carrot/session_pinned").asBoolean()).isTrue();
        var other = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null),
                "x-carrot-session", "conv-43");
        assertThat(other.headers().firstValue("x-carrot-model")).contains(TestRouter.SMALL);
    }

    @Test
    void aClientWaitingForASlowUpstreamIsNotCutOffByTheIdleTimeout() {
        fx.restartWith("{\"idle_timeout_s\": 0.3}");
        try {
            fx.upstream(TestRouter.SMALL).enqueue(Reply.ok().withDelay(Duration.ofMillis(1500)));
            var r = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-carrot-model")).contains(TestRouter.SMALL);
        } finally {
            fx.restartWith("{\"max_request_bytes\": 4096, \"max_concurrency\": 4,"
                    + " \"upstreams\": {\"big-model\": {\"timeout_s\": 0.5}}}");
        }
    }

    @Test
    void nothingInARequestCanChooseTheHost() {
        try (var elsewhere = dev.carrot.testkit.FakeUpstream.start("elsewhere")) {
            var byModel = fx.post("/v1/chat/completions", ServeFixture.chat(elsewhere.baseUrl(), "x", null));
            assertThat(byModel.statusCode()).isEqualTo(404);
            var byFields = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                    "\"base_url\":\"" + elsewhere.baseUrl() + "\",\"api_base\":\"" + elsewhere.baseUrl() + "\""),
                    "X-Forwarded-Host", "127.0.0.1:" + elsewhere.port());
            assertThat(byFields.statusCode()).isEqualTo(200);
            assertThat(elsewhere.requestCount()).isZero();
            // the unknown fields were forwarded untouched, to the configured upstream
            assertThat(fx.upstream(TestRouter.SMALL).lastRequest().json().path("base_url").asText())
                    .isEqualTo(elsewhere.baseUrl());
        }
    }

    @Test
    void unknownEndpointsAndMethodsAnswerInOpenAiForm() {
        assertThat(fx.get("/v1/embeddings").statusCode()).isEqualTo(404);
        assertThat(error(fx.get("/v1/embeddings")).path("code").asText()).isEqualTo("unknown_url");
        assertThat(fx.get("/v1/chat/completions").statusCode()).isEqualTo(405);
    }
}

package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Concurrent clients get the in-process router's decisions; secrets appear nowhere a client or an operator sees. */
class ConcurrencyAndSecretsTest {
    @TempDir
    static Path tmp;
    static TestRouter router;
    static ServeFixture fx;

    @BeforeAll
    static void start() {
        router = TestRouter.create(tmp);
        fx = new ServeFixture(tmp, router);
        fx.start(null);
    }

    @AfterAll
    static void stop() {
        fx.closeAll();
        router.close();
    }

    private static List<String> prompts() {
        String[] subjects = {"my grandmother", "a Java CSV parser", "the square root of two", "a SQL join",
                "the weather in Paris", "a proof by induction", "a Rust borrow error", "a birthday card"};
        String[] asks = {"Please help with", "Write something about", "Explain", "Prove or implement"};
        List<String> out = new ArrayList<>();
        for (String a : asks) {
            for (String s : subjects) {
                out.add(a + " " + s);
            }
        }
        out.add(TestRouter.CHAT_PROMPT);
        out.add(TestRouter.CODE_PROMPT);
        out.add(TestRouter.MATH_PROMPT);
        return out;
    }

    @Test
    void eightConcurrentClientsGetExactlyTheInProcessDecisions() throws Exception {
        List<String> prompts = prompts();
        double[] mus = {0, 0.1, 0.3, 0.7, 1};
        int clients = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                futures.add(pool.submit(() -> {
                    OpenAIClient sdk = fx.sdk();
                    List<String> mismatches = new ArrayList<>();
                    go.await();
                    for (int i = 0; i < prompts.size(); i++) {
                        String p = prompts.get((i + id * 5) % prompts.size());
                        double mu = mus[(i + id) % mus.length];
                        ChatCompletion cc = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                                .model("carrot:mu=" + mu).addUserMessage(p)
                                .putAdditionalBodyProperty("carrot", JsonValue.from(Map.of("receipt", true)))
                                .build());
                        JsonNode decision = cc._additionalProperties().get("carrot").convert(JsonNode.class)
                                .path("decision");
                        JsonNode expected = router.expected(p, mu, TestRouter.MODELS);
                        if (!decision.equals(expected)) {
                            mismatches.add(p + " @ mu " + mu + ": got " + decision + ", expected " + expected);
                        }
                    }
                    return mismatches;
                }));
            }
            go.countDown();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                all.addAll(f.get());
            }
            assertThat(all).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        // and the decisions were not all the same: the test could tell a wrong router from a right one
        assertThat(fx.upstreams.values().stream().filter(u -> u.requestCount() > 0).count()).isEqualTo(3);
    }

    @Test
    void secretsAppearInNoLogMetricReceiptModelListOrError() throws Exception {
        // exercise the paths that log: success, fallbacks, upstream key rejected, mid-stream failure, 401s
        fx.resetUpstreams();
        fx.upstream(TestRouter.SMALL).enqueue(Reply.error(401, "Incorrect API key provided: "
                + ServeFixture.UPSTREAM_KEYS.get(TestRouter.SMALL)));
        var fallback = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                "\"carrot\":{\"receipt\":true}"));
        assertThat(fallback.statusCode()).isEqualTo(200);
        fx.upstream(TestRouter.CODE).enqueue(Reply.ok().withChunks(3, Duration.ZERO).withDisconnectAfter(1));
        var broken = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.CODE_PROMPT,
                "\"stream\":true"));
        fx.upstream(TestRouter.BIG).reply(Reply.error(500, "boom"));
        fx.upstream(TestRouter.SMALL).reply(Reply.error(500, "boom"));
        fx.upstream(TestRouter.CODE).reply(Reply.error(401, "key " + ServeFixture.UPSTREAM_KEYS.get(TestRouter.CODE)));
        var failed = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", TestRouter.MATH_PROMPT,
                "\"carrot\":{\"receipt\":true}"));
        assertThat(failed.statusCode()).isEqualTo(502);
        var wrongKey = fx.post("/v1/chat/completions", ServeFixture.chat("carrot", "x", null), "Authorization",
                "Bearer " + ServeFixture.UPSTREAM_KEYS.get(TestRouter.BIG));
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        var route = fx.post("/v1/route", ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT, null));
        var models = fx.get("/v1/models", "Authorization", "Bearer " + ServeFixture.GATEWAY_KEY);
        var metrics = fx.get("/metrics");
        var ready = fx.get("/readyz");
        fx.resetUpstreams();

        // a config error about a key names the variable, never a value
        ServeConfig cfg = ServeConfig.parse(fx.config(null).toString(), tmp);
        Map<String, String> noBigKey = new java.util.HashMap<>(fx.env);
        noBigKey.remove("BIG_KEY");
        assertThatThrownBy(() -> CarrotServer.start(cfg, noBigKey)).hasMessageContaining("BIG_KEY")
                .hasMessageNotContaining(ServeFixture.GATEWAY_KEY);

        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        String logs = Files.readString(log);
        assertThat(logs).contains("falling back").contains("failed after the stream began").contains("listening");
        List<String> seen = List.of(logs, fallback.body(), fallback.headers().map().toString(), broken.body(),
                failed.body(), wrongKey.body(), route.body(), models.body(), metrics.body(), ready.body());
        for (String secret : List.of(ServeFixture.GATEWAY_KEY, ServeFixture.UPSTREAM_KEYS.get(TestRouter.BIG),
                ServeFixture.UPSTREAM_KEYS.get(TestRouter.SMALL), ServeFixture.UPSTREAM_KEYS.get(TestRouter.CODE),
                "another-key")) {
            for (String s : seen) {
                assertThat(s).doesNotContain(secret);
            }
        }
    }
}

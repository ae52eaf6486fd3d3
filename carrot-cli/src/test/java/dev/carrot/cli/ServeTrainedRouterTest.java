package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.Router;
import dev.carrot.testkit.FakeUpstream;
import dev.carrot.testkit.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code carrot serve} in a JVM of its own, on the router {@code carrot train} wrote (through the output folder's
 * {@code router} link): a chat completion is routed to the model the router picks, {@code /metrics} counts it, and
 * SIGTERM stops the gateway cleanly.
 */
class ServeTrainedRouterTest {
    private static final Pattern LISTENING = Pattern.compile("carrot-serve listening on (http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path tmp;

    @Test
    void carrotServeRoutesThroughTheRouterCarrotTrainWrote() throws Exception {
        Path data = SyntheticPrompts.writeCsv(tmp.resolve("data.csv"), SyntheticPrompts.prompts(60, 6));
        Path cache = tmp.resolve("cache");
        CliTest.Run train = CliTest.carrot("train", "--data", data.toString(), "--out", tmp.resolve("out").toString(),
                "--predictors", "knn", "--bootstrap", "20", "--cache-dir", cache.toString());
        assertThat(train.code()).as(train.err()).isZero();
        Path router = tmp.resolve("out/router");

        try (FakeUpstream big = FakeUpstream.start("big-upstream"); FakeUpstream small = FakeUpstream.start(
                "small-upstream")) {
            Path config = tmp.resolve("carrot-serve.json");
            Files.writeString(config, """
                    {"router": "out/router", "listen": "127.0.0.1:0", "default_mu": 0.5,
                     "upstreams": {"big": {"base_url": "%s", "model": "big-upstream", "timeout_s": 10},
                                   "small": {"base_url": "%s", "model": "small-upstream", "timeout_s": 10}}}
                    """.formatted(big.baseUrl(), small.baseUrl()));
            Path work = tmp.resolve("serve");
            Process p = ChildJvm.start(work, cache, List.of("-Xmx512m"), "serve", "--config", config.toString(),
                    "--no-auth");
            try {
                assertThat(ChildJvm.awaitText(p, work.resolve("err.txt"), "carrot-serve listening on", 120))
                        .as(() -> read(work.resolve("err.txt"))).isTrue();
                Matcher m = LISTENING.matcher(read(work.resolve("err.txt")));
                assertThat(m.find()).isTrue();
                String base = m.group(1);
                String prompt = "Prompt 7: explain the derivative of a matrix price";
                String expected;
                try (Router r = Router.load(router)) {
                    expected = r.route(prompt, 0.5).model();
                }

                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                        .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"carrot\", \"messages\": [{\"role\":"
                                + " \"user\", \"content\": \"" + prompt + "\"}]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.headers().firstValue("x-carrot-model")).hasValue(expected);
                FakeUpstream chosen = expected.equals("big") ? big : small;
                FakeUpstream other = expected.equals("big") ? small : big;
                assertThat(chosen.requestCount()).isEqualTo(1);
                assertThat(other.requestCount()).isZero();
                RecordedRequest sent = chosen.lastRequest();
                assertThat(sent.json().get("model").asText()).isEqualTo(chosen.modelId());
                assertThat(sent.json().get("messages").get(0).get("content").asText()).isEqualTo(prompt);
                JsonNode body = new ObjectMapper().readTree(answer.body());
                assertThat(body.get("choices").get(0).get("message").get("content").asText()).isNotEmpty();

                String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern("carrot_requests_total\\{[^}]*model=\"" + expected
                        + "\"[^}]*\\} 1\\.0");
            } finally {
                ChildJvm.signal(p, "TERM");
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(p.exitValue()).as(() -> read(work.resolve("err.txt"))).isIn(0, 143);
            assertThat(read(work.resolve("err.txt"))).contains("stopped in").doesNotContain("Exception");
        }
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

package dev.carrot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeUpstreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeUpstream up;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        up = FakeUpstream.start("fake-model");
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        up.close();
    }

    @BeforeEach
    void reset() {
        up.reset();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(up.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer sk-test").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAJsonCompletionWithUsageAndRecordsTheRequest() throws Exception {
        up.reply(Reply.ok().withContent("four").withUsage(30, 2));
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}],\"seed\":7}";
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.at("/choices/0/message/content").asText()).isEqualTo("four");
        assertThat(j.at("/model").asText()).isEqualTo("fake-model");
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(30);
        assertThat(j.at("/usage/total_tokens").asInt()).isEqualTo(32);
        RecordedRequest rec = up.lastRequest();
        assertThat(rec.bodyText()).isEqualTo(body);
        assertThat(rec.header("authorization")).contains("Bearer sk-test");
        assertThat(rec.path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void streamsChunksThenUsageWhenAskedThenDone() throws Exception {
        up.reply(Reply.ok().withContent("abcdef").withChunks(3, Duration.ofMillis(5)).withUsage(5, 3));
        HttpResponse<String> r = post("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
        List<String> data = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        assertThat(data).hasSize(1 + 3 + 1 + 1 + 1);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, 5)) {
            text.append(JSON.readTree(d).at("/choices/0/delta/content").asText(""));
        }
        assertThat(text).hasToString("abcdef");
        JsonNode usage = JSON.readTree(data.get(5));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void noUsageChunkUnlessAsked() throws Exception {
        HttpResponse<String> r = post("{\"model\":\"m\",\"stream\":true,\"messages\":[]}");
        assertThat(r.body()).doesNotContain("usage").endsWith("data: [DONE]\n\n");
    }

    @Test
    void errorStatusesCarryAnOpenAiErrorBody() throws Exception {
        up.enqueue(Reply.error(503, "overloaded"), Reply.error(429, "slow down"));
        HttpResponse<String> first = post("{}");
        HttpResponse<String> second = post("{}");
        HttpResponse<String> third = post("{\"messages\":[]}");
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(first.body()).at("/error/message").asText()).isEqualTo("overloaded");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(up.requests()).hasSize(3);
    }

    @Test
    void dropsTheConnectionMidStreamAndBeforeAnswering() {
        up.enqueue(Reply.ok().withChunks(4, Duration.ZERO).withDisconnectAfter(2), Reply.drop());
        String stream = "{\"model\":\"m\",\"stream\":true,\"messages\":[]}";
        assertThatThrownBy(() -> post(stream)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> post("{}")).isInstanceOf(IOException.class);
        assertThat(up.requestCount()).isEqualTo(2);
    }

    @Test
    void delaysTheHeaders() throws Exception {
        up.reply(Reply.ok().withDelay(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        post("{}");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void splitKeepsEveryCharacter() {
        assertThat(String.join("", FakeUpstream.split("hello world", 4))).isEqualTo("hello world");
        assertThat(FakeUpstream.split("ab", 5)).hasSize(5);
    }
}

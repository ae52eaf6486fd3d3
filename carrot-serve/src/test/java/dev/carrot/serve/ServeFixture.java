package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.carrot.testkit.FakeUpstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A running gateway in front of one fake upstream per model of {@link TestRouter}, with known secrets: the gateway
 * key and one upstream key per model, handed over through an environment map.
 */
final class ServeFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String GATEWAY_KEY = "gw-key-7Qm2xV9pLs";
    static final Map<String, String> UPSTREAM_KEYS = Map.of(TestRouter.BIG, "sk-upstream-BIG-4f8a2c",
            TestRouter.SMALL, "sk-upstream-SMALL-9d1e7b", TestRouter.CODE, "sk-upstream-CODE-3c6f0a");
    static final Map<String, String> UPSTREAM_IDS = Map.of(TestRouter.BIG, "upstream-big-v1",
            TestRouter.SMALL, "upstream-small-v1", TestRouter.CODE, "upstream-code-v1");

    final Path dir;
    final TestRouter router;
    final Map<String, FakeUpstream> upstreams = new LinkedHashMap<>();
    final Map<String, String> env = new LinkedHashMap<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    CarrotServer server;

    ServeFixture(Path dir, TestRouter router) {
        this.dir = dir;
        this.router = router;
        for (String m : TestRouter.MODELS) {
            upstreams.put(m, FakeUpstream.start(UPSTREAM_IDS.get(m)));
        }
        env.put("CARROT_GATEWAY_KEYS", "another-key, " + GATEWAY_KEY);
        env.put("BIG_KEY", UPSTREAM_KEYS.get(TestRouter.BIG));
        env.put("SMALL_KEY", UPSTREAM_KEYS.get(TestRouter.SMALL));
        env.put("CODE_KEY", UPSTREAM_KEYS.get(TestRouter.CODE));
    }

    /** The config, with {@code extra} keys merged over the defaults (one level deep for "upstreams"). */
    ObjectNode config(String extra) {
        ObjectNode c = JSON.createObjectNode();
        c.put("router", router.dir().toString());
        c.put("listen", "127.0.0.1:0");
        c.put("default_mu", 0.3);
        c.put("api_keys_env", "CARROT_GATEWAY_KEYS");
        c.put("max_fallbacks", 2);
        ObjectNode ups = c.putObject("upstreams");
        for (String m : TestRouter.MODELS) {
            ObjectNode u = ups.putObject(m);
            u.put("base_url", upstreams.get(m).baseUrl());
            u.put("model", UPSTREAM_IDS.get(m));
            u.put("api_key_env", m.equals(TestRouter.BIG) ? "BIG_KEY" : m.equals(TestRouter.SMALL) ? "SMALL_KEY"
                    : "CODE_KEY");
            u.put("timeout_s", 5);
        }
        if (extra != null && !extra.isBlank()) {
            try {
                JsonNode x = JSON.readTree(extra);
                for (Map.Entry<String, JsonNode> e : x.properties()) {
                    if (e.getKey().equals("upstreams")) {
                        for (Map.Entry<String, JsonNode> ue : e.getValue().properties()) {
                            if (ue.getValue().isNull()) {
                                ups.remove(ue.getKey());
                            } else if (ups.has(ue.getKey())) {
                                ((ObjectNode) ups.get(ue.getKey())).setAll((ObjectNode) ue.getValue());
                            } else {
                                ups.set(ue.getKey(), ue.getValue());
                            }
                        }
                    } else {
                        c.set(e.getKey(), e.getValue());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return c;
    }

    /** Writes the config to a file and starts the gateway from it. */
    CarrotServer start(String extra) {
        close();
        try {
            Path file = dir.resolve("carrot-serve.json");
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config(extra)));
            server = CarrotServer.start(ServeConfig.load(file), env);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restarts the gateway with other settings. */
    void restartWith(String extra) {
        start(extra);
    }

    /** The value of one series in /metrics, 0 when it is absent. */
    double metric(String series) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    void resetUpstreams() {
        upstreams.values().forEach(FakeUpstream::reset);
    }

    FakeUpstream upstream(String model) {
        return upstreams.get(model);
    }

    int totalUpstreamRequests() {
        return upstreams.values().stream().mapToInt(FakeUpstream::requestCount).sum();
    }

    OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey(GATEWAY_KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        boolean auth = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            auth |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (!auth) {
            b.header("Authorization", "Bearer " + GATEWAY_KEY);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + s, e);
        }
    }

    /** A chat body with one user message. */
    static String chat(String model, String prompt, String extra) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model);
        b.putArray("messages").addObject().put("role", "user").put("content", prompt);
        String s = b.toString();
        return extra == null ? s : s.substring(0, s.length() - 1) + "," + extra + "}";
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    void closeAll() {
        close();
        upstreams.values().forEach(FakeUpstream::close);
    }
}

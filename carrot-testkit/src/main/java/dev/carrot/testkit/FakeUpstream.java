package dev.carrot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake OpenAI-compatible chat-completions server on loopback, one per upstream model: answers
 * {@code POST .../chat/completions} with a JSON completion or, when the request says {@code "stream": true}, with
 * server-sent events in OpenAI's chunk format (a final usage chunk when the request asks for it with
 * {@code stream_options.include_usage}), then {@code data: [DONE]}. What it answers is a {@link Reply}: a default,
 * and a queue of one-off replies taken first. Every request it received is recorded with its headers and body.
 *
 * <p>Thread-safe; each request is handled on its own thread, so slow streams do not hold up other requests.
 */
public final class FakeUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes a response's headers and body in two packets; without TCP_NODELAY, Nagle's algorithm
        // holds the second until the client's delayed ACK (40 ms on Linux) for clients that do not answer at once.
        // The property is read once per JVM, when the first server is created: set it unless the user did.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    /** A fixed {@code created} timestamp, so answers are reproducible. */
    private static final long CREATED = 1_700_000_000L;

    private final String modelId;
    private final boolean record;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Deque<Reply> queue = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private Reply reply = Reply.ok(); // guarded by this

    private FakeUpstream(String modelId, boolean record) throws IOException {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.record = record;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-upstream-" + modelId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a fake upstream on 127.0.0.1 at a free port that records every request.
     *
     * @param modelId the model id its answers name
     */
    public static FakeUpstream start(String modelId) {
        return start(modelId, true);
    }

    /**
     * Starts a fake upstream; {@code record = false} keeps no requests (for load tests).
     */
    public static FakeUpstream start(String modelId, boolean record) {
        try {
            return new FakeUpstream(modelId, record);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start a fake upstream on loopback: " + e.getMessage(), e);
        }
    }

    /** The OpenAI-style base URL, {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String modelId() {
        return modelId;
    }

    /** Answers every request that finds the queue empty with {@code r}. */
    public synchronized FakeUpstream reply(Reply r) {
        this.reply = Objects.requireNonNull(r, "reply");
        return this;
    }

    /** The next requests get these replies, in order, before the default one. */
    public synchronized FakeUpstream enqueue(Reply... replies) {
        for (Reply r : replies) {
            queue.addLast(Objects.requireNonNull(r, "reply"));
        }
        return this;
    }

    /** Every request received so far, in arrival order. */
    public synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Requests answered or being answered so far (also when not recording). */
    public int requestCount() {
        return served.get();
    }

    /** The most requests that were being answered at the same time. */
    public int maxConcurrentRequests() {
        return maxActive.get();
    }

    /** The last request received. */
    public synchronized RecordedRequest lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("fake upstream '" + modelId + "' has received no request");
        }
        return requests.get(requests.size() - 1);
    }

    /** Forgets recorded requests and queued replies; the default reply becomes {@link Reply#ok()}. */
    public synchronized void reset() {
        requests.clear();
        queue.clear();
        reply = Reply.ok();
        served.set(0);
        maxActive.set(0);
    }

    private synchronized Reply next(RecordedRequest req) {
        if (record) {
            requests.add(req);
        }
        Reply q = queue.pollFirst();
        return q != null ? q : reply;
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        served.incrementAndGet();
        try {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String path = ex.getRequestURI().toString();
            RecordedRequest req = new RecordedRequest(ex.getRequestMethod(), path, headers, body);
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().endsWith("/chat/completions")) {
                if (record) {
                    synchronized (this) {
                        requests.add(req);
                    }
                }
                send(ex, 404, error("no route " + ex.getRequestMethod() + " " + path, "not_found"));
                return;
            }
            Reply r = next(req);
            sleep(r.delayBeforeHeaders());
            if (r.dropConnection()) {
                throw new IOException("fake upstream drops the connection (as asked)");
            }
            if (r.status() != 200) {
                send(ex, r.status(), error(r.errorMessage(), "fake_" + r.status()));
                return;
            }
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                send(ex, 400, error("body is not JSON: " + e.getMessage(), "invalid_json"));
                return;
            }
            if (json == null || !json.isObject()) {
                send(ex, 400, error("body is not a JSON object", "invalid_json"));
                return;
            }
            String id = "chatcmpl-fake-" + ids.incrementAndGet();
            if (json.path("stream").asBoolean(false)) {
                stream(ex, r, id, json.path("stream_options").path("include_usage").asBoolean(false));
            } else {
                send(ex, 200, completion(r, id));
            }
        } finally {
            active.decrementAndGet();
        }
    }

    private void stream(HttpExchange ex, Reply r, String id, boolean includeUsage) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        List<String> parts = split(r.content(), r.chunks());
        if (r.disconnectAfter().isPresent() && r.disconnectAfter().getAsInt() == 0) {
            out.flush(); // the status line and headers reach the client, no event does
            throw new IOException("fake upstream drops the stream after its headers (as asked)");
        }
        event(out, chunk(id, JSON.createObjectNode().put("role", "assistant").put("content", ""), null));
        for (int i = 0; i < parts.size(); i++) {
            if (r.disconnectAfter().isPresent() && i == r.disconnectAfter().getAsInt()) {
                throw new IOException("fake upstream drops the stream after " + i + " chunks (as asked)");
            }
            sleep(r.chunkInterval());
            event(out, chunk(id, JSON.createObjectNode().put("content", parts.get(i)), null));
        }
        if (r.disconnectAfter().isPresent() && r.disconnectAfter().getAsInt() >= parts.size()) {
            throw new IOException("fake upstream drops the stream after the last chunk (as asked)");
        }
        event(out, chunk(id, JSON.createObjectNode(), "stop"));
        if (includeUsage && r.hasUsage()) {
            ObjectNode u = base(id, "chat.completion.chunk");
            u.putArray("choices");
            u.set("usage", usage(r));
            event(out, JSON.writeValueAsString(u));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.close();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String chunk(String id, ObjectNode delta, String finish) throws IOException {
        ObjectNode c = base(id, "chat.completion.chunk");
        ArrayNode choices = c.putArray("choices");
        ObjectNode ch = choices.addObject();
        ch.put("index", 0);
        ch.set("delta", delta);
        ch.putNull("logprobs");
        if (finish == null) {
            ch.putNull("finish_reason");
        } else {
            ch.put("finish_reason", finish);
        }
        return JSON.writeValueAsString(c);
    }

    private byte[] completion(Reply r, String id) throws IOException {
        ObjectNode c = base(id, "chat.completion");
        ObjectNode ch = c.putArray("choices").addObject();
        ch.put("index", 0);
        ObjectNode msg = ch.putObject("message");
        msg.put("role", "assistant");
        msg.put("content", r.content());
        msg.putNull("refusal");
        ch.putNull("logprobs");
        ch.put("finish_reason", "stop");
        if (r.hasUsage()) {
            c.set("usage", usage(r));
        }
        return JSON.writeValueAsBytes(c);
    }

    private ObjectNode base(String id, String object) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", object);
        c.put("created", CREATED);
        c.put("model", modelId);
        return c;
    }

    private static ObjectNode usage(Reply r) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.completionTokens());
        u.put("total_tokens", r.promptTokens() + r.completionTokens());
        return u;
    }

    private static byte[] error(String message, String code) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error");
        inner.put("message", message);
        inner.put("type", "fake_upstream_error");
        inner.putNull("param");
        inner.put("code", code);
        return JSON.writeValueAsBytes(e);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Splits text into n pieces of about equal length (some may be empty when the text is short). */
    static List<String> split(String text, int n) {
        List<String> out = new ArrayList<>(n);
        int len = text.length();
        for (int i = 0; i < n; i++) {
            out.add(text.substring(i * len / n, (i + 1) * len / n));
        }
        return out;
    }

    private static void sleep(Duration d) throws IOException {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Stops the server at once (open streams are cut). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "FakeUpstream[" + modelId + " at " + baseUrl() + "]";
    }
}

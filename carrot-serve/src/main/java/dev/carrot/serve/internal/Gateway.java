package dev.carrot.serve.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's request handling: endpoints, keys, limits, and the hand-over of chat and route requests to
 * {@link ChatCall}. One per server; thread-safe.
 */
public final class Gateway extends Handler.Abstract {
    static final Logger LOG = LoggerFactory.getLogger("dev.carrot.serve");
    /** Per-decision lines (model, predicted and actual cost) for operators and the learning loop. */
    static final Logger DECISIONS = LoggerFactory.getLogger("dev.carrot.serve.decisions");

    public static final String H_MODEL = "x-carrot-model";
    public static final String H_DECISION = "x-carrot-decision-id";
    public static final String H_MU = "x-carrot-mu";
    public static final String H_COST = "x-carrot-predicted-cost-usd";
    public static final String H_SESSION = "x-carrot-session";
    static final String NONE = "none";

    /** Everything a call needs, fixed at start-up. */
    public record Settings(int maxFallbacks, long maxRequestBytes, int maxResponseBytes, int maxConcurrency,
                           long maxStreamMillis, double defaultMu, OptionalDouble defaultBudgetUsd) {
    }

    final Settings settings;
    final RouterAdapter router;
    final Map<String, UpstreamTarget> upstreams;
    final ChatRequest.Context context;
    final GatewayAuth auth;
    final GatewayMetrics metrics;
    final SessionPins pins;
    final HttpClient client;
    final ExecutorService routing;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean ready;
    private volatile boolean draining;

    public Gateway(Settings settings, RouterAdapter router, Map<String, UpstreamTarget> upstreams, GatewayAuth auth,
                   GatewayMetrics metrics, SessionPins pins, HttpClient client, ExecutorService routing) {
        super(InvocationType.NON_BLOCKING);
        this.settings = settings;
        this.router = router;
        this.upstreams = Map.copyOf(upstreams);
        List<String> routable = router.models().stream().filter(upstreams::containsKey).toList();
        this.context = new ChatRequest.Context(routable, settings.defaultMu(), settings.defaultBudgetUsd(),
                router.hasBudgetCalibration());
        this.auth = auth;
        this.metrics = metrics;
        this.pins = pins;
        this.client = client;
        this.routing = routing;
    }

    public void ready(boolean r) {
        this.ready = r;
    }

    /** From now on /readyz says the gateway is draining. */
    public void drain() {
        this.draining = true;
    }

    public List<String> routable() {
        return context.routable();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            switch (path) {
                case "/v1/chat/completions", "/chat/completions" -> {
                    if (!method.equals("POST")) {
                        return methodNotAllowed(response, callback, "POST");
                    }
                    accept(request, response, callback, false);
                }
                case "/v1/route" -> {
                    if (!method.equals("POST")) {
                        return methodNotAllowed(response, callback, "POST");
                    }
                    accept(request, response, callback, true);
                }
                case "/v1/models", "/models" -> {
                    if (!method.equals("GET")) {
                        return methodNotAllowed(response, callback, "GET");
                    }
                    if (!auth.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                        error(response, callback, unauthorized());
                    } else {
                        json(response, callback, 200, models());
                    }
                }
                case "/healthz" -> json(response, callback, 200, status("ok"));
                case "/readyz" -> {
                    boolean ok = ready && !draining;
                    ObjectNode s = status(ok ? "ready" : draining ? "draining" : "starting");
                    s.put("encoder", router.encoderId());
                    ArrayNode r = s.putArray("routable_models");
                    routable().forEach(r::add);
                    json(response, callback, ok ? 200 : 503, s);
                }
                case "/metrics" -> {
                    if (!method.equals("GET")) {
                        return methodNotAllowed(response, callback, "GET");
                    }
                    metrics.inFlight(inFlight.get());
                    byte[] body = metrics.scrape();
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
                    response.write(true, ByteBuffer.wrap(body), callback);
                }
                default -> error(response, callback, new ApiError(404, "invalid_request_error", "unknown_url", null,
                        "no endpoint " + method + " " + path + "; the endpoints are POST /v1/chat/completions, POST"
                                + " /v1/route, GET /v1/models, /healthz, /readyz, /metrics"));
            }
        } catch (RuntimeException e) {
            LOG.error("internal error on {} {}", method, path, e);
            error(response, callback, new ApiError(500, "server_error", "internal_error", null,
                    "internal error in the gateway (" + e.getClass().getSimpleName() + "); see its log"));
        }
        return true;
    }

    private void accept(Request request, Response response, Callback callback, boolean routeOnly) {
        String decisionId = "carrot-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                .substring(0, 16);
        String endpoint = routeOnly ? "route" : "chat";
        response.getHeaders().put(H_DECISION, decisionId);
        if (!auth.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            reject(response, callback, endpoint, unauthorized());
            return;
        }
        long length = request.getLength();
        if (length > settings.maxRequestBytes()) {
            reject(response, callback, endpoint, tooLarge());
            return;
        }
        if (inFlight.incrementAndGet() > settings.maxConcurrency()) {
            inFlight.decrementAndGet();
            reject(response, callback, endpoint, new ApiError(429, "rate_limit_error", "too_many_requests", null,
                    "the gateway is handling " + settings.maxConcurrency() + " requests (max_concurrency); retry"
                            + " shortly"));
            return;
        }
        Callback done = Callback.from(callback, () -> inFlight.decrementAndGet());
        ChatCall call = new ChatCall(this, request, response, done, decisionId, endpoint, routeOnly,
                System.nanoTime());
        readBody(request, settings.maxRequestBytes(), new ByteArrayOutputStream(length > 0 ? (int) length : 1024),
                call);
    }

    /** Reads the whole body without blocking a thread, refusing more than {@code max} bytes. */
    private void readBody(Request request, long max, ByteArrayOutputStream into, ChatCall call) {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(() -> readBody(request, max, into, call));
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                call.fail(new ApiError(400, "invalid_request_error", "body_read_failed", null,
                        "the request body could not be read: " + chunk.getFailure().getMessage()));
                return;
            }
            ByteBuffer b = chunk.getByteBuffer();
            if (into.size() + b.remaining() > max) {
                chunk.release();
                call.fail(tooLarge());
                return;
            }
            byte[] tmp = new byte[b.remaining()];
            b.get(tmp);
            into.write(tmp, 0, tmp.length);
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                byte[] body = into.toByteArray();
                try {
                    routing.execute(() -> call.start(body));
                } catch (RejectedExecutionException e) {
                    call.fail(new ApiError(503, "server_error", "shutting_down", null, "the gateway is shutting"
                            + " down"));
                }
                return;
            }
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request_error", "request_too_large", null, "the request body is larger"
                + " than " + settings.maxRequestBytes() + " bytes (max_request_bytes)");
    }

    private static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null, "missing or wrong gateway key:"
                + " send Authorization: Bearer <a key the gateway accepts>");
    }

    private void reject(Response response, Callback callback, String endpoint, ApiError e) {
        response.getHeaders().put(H_MODEL, NONE);
        response.getHeaders().put(H_MU, NONE);
        response.getHeaders().put(H_COST, NONE);
        metrics.request(endpoint, GatewayMetrics.NO_MODEL, e.status());
        error(response, callback, e);
    }

    private boolean methodNotAllowed(Response response, Callback callback, String allowed) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        error(response, callback, new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                "use " + allowed + " on this endpoint"));
        return true;
    }

    private ObjectNode models() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String v : List.of("carrot", "carrot:mu=0", "carrot:mu=1")) {
            ObjectNode m = data.addObject();
            m.put("id", v);
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "carrot");
        }
        for (String name : routable()) {
            ObjectNode m = data.addObject();
            m.put("id", name);
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "carrot-upstream");
        }
        return root;
    }

    private static ObjectNode status(String s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", s);
        return o;
    }

    static void json(Response response, Callback callback, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = ChatRequest.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
        bytes(response, callback, status, "application/json", bytes);
    }

    static void bytes(Response response, Callback callback, int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static void error(Response response, Callback callback, ApiError e) {
        json(response, callback, e.status(), e.toJson());
    }

    /** A number for a header: plain decimal notation, as short as Java's shortest repr. */
    static String plain(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : NONE;
    }
}

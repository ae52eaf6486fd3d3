package dev.carrot.serve.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One chat-completions or route request, from its body to the last byte of the answer: validate, route, try the
 * candidates in order of utility (falling back on 429, 5xx, a rejected key, a broken connection or a timeout while
 * nothing has reached the client yet), and pass the answer through, streamed event by event or whole.
 */
final class ChatCall {
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final Gateway g;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String decisionId;
    private final String endpoint;
    private final boolean routeOnly;
    private final long t0;

    private ChatRequest req;
    private Routed routed;
    private List<Routed.Candidate> chain;
    private Optional<String> session = Optional.empty();
    private boolean pinned;
    private final ArrayNode attempts = JsonNodeFactory.instance.arrayNode();

    ChatCall(Gateway g, Request request, Response response, Callback callback, String decisionId, String endpoint,
             boolean routeOnly, long t0) {
        this.g = g;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.decisionId = decisionId;
        this.endpoint = endpoint;
        this.routeOnly = routeOnly;
        this.t0 = t0;
    }

    /** Answers with an error before anything was routed. */
    void fail(ApiError e) {
        setHeaders(null);
        g.metrics.request(endpoint, GatewayMetrics.NO_MODEL, e.status());
        Gateway.error(response, callback, e);
    }

    /** Runs on a routing thread: validates and routes, then starts the first upstream attempt. */
    void start(byte[] body) {
        try {
            req = ChatRequest.parse(body, g.context, routeOnly);
            String s = request.getHeaders().get(Gateway.H_SESSION);
            if (s != null) {
                if (s.isEmpty() || s.length() > 256 || !s.chars().allMatch(ch -> ch > 32 && ch < 127)) {
                    throw ApiError.badRequest(Gateway.H_SESSION, "invalid_value", "the " + Gateway.H_SESSION
                            + " header must be 1 to 256 visible ASCII characters");
                }
                session = Optional.of(s);
            }
            long r0 = System.nanoTime();
            try {
                routed = g.router.route(req.routedText(), req.mu(), req.budgetUsd(), req.models(), req.maxCostUsd());
            } catch (NoModelFits e) {
                throw ApiError.badRequest("carrot.max_cost_usd", "no_model_fits", "carrot.max_cost_usd: "
                        + e.getMessage());
            }
            g.metrics.routingSeconds((System.nanoTime() - r0) / 1e9);
        } catch (ApiError e) {
            fail(e);
            return;
        } catch (RuntimeException e) {
            Gateway.LOG.error("decision {}: routing failed", decisionId, e);
            fail(new ApiError(500, "server_error", "routing_failed", null, "the router failed on this request ("
                    + e.getClass().getSimpleName() + "); see the gateway's log, decision " + decisionId));
            return;
        }
        chain = new ArrayList<>(routed.ranked());
        if (req.virtual() && session.isPresent()) {
            Optional<String> pin = g.pins.get(session.get());
            if (pin.isPresent()) {
                for (int i = 0; i < chain.size(); i++) {
                    if (chain.get(i).model().equals(pin.get())) {
                        chain.add(0, chain.remove(i));
                        pinned = true;
                        break;
                    }
                }
            }
        }
        if (chain.size() > 1 + g.settings.maxFallbacks()) {
            chain = new ArrayList<>(chain.subList(0, 1 + g.settings.maxFallbacks()));
        }
        if (routeOnly) {
            Routed.Candidate c = chain.get(0);
            setHeaders(c);
            ObjectNode out = receipt(c);
            out.put("object", "carrot.decision");
            ArrayNode order = out.putArray("fallback_order");
            for (Routed.Candidate k : chain) {
                order.add(k.model());
            }
            g.metrics.request(endpoint, c.model(), 200);
            Gateway.json(response, callback, 200, out);
            return;
        }
        attempt(0);
    }

    // ------------------------------------------------------------------------------------------------ attempts

    private void attempt(int i) {
        Routed.Candidate c = chain.get(i);
        UpstreamTarget u = g.upstreams.get(c.model());
        byte[] body = req.forwardBody(u.model());
        org.eclipse.jetty.client.Request up = g.client.newRequest(u.url()).method(HttpMethod.POST)
                .headers(h -> {
                    h.put(HttpHeader.CONTENT_TYPE, "application/json");
                    h.put(HttpHeader.ACCEPT, req.stream() ? "text/event-stream" : "application/json");
                    u.keyHeader().ifPresent(name -> h.put(name, u.keyHeaderValue()));
                })
                .body(new BytesRequestContent("application/json", body));
        long a0 = System.nanoTime();
        if (req.stream()) {
            up.idleTimeout(u.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .timeout(g.settings.maxStreamMillis(), TimeUnit.MILLISECONDS);
            new Stream(i, c, u, up, a0).send();
        } else {
            up.timeout(u.timeoutMillis(), TimeUnit.MILLISECONDS);
            new CompletableResponseListener(up, g.settings.maxResponseBytes()).send()
                    .whenComplete((r, ex) -> answered(i, c, u, a0, r, ex));
        }
    }

    /** A non-streamed answer (or failure) from attempt {@code i}. */
    private void answered(int i, Routed.Candidate c, UpstreamTarget u, long a0, ContentResponse r, Throwable ex) {
        try {
            double secs = (System.nanoTime() - a0) / 1e9;
            if (ex != null) {
                Failure f = Failure.of(ex, u);
                g.metrics.upstreamSeconds(c.model(), f.reason, secs);
                attemptFailed(i, c, u, f, secs);
                return;
            }
            int status = r.getStatus();
            if (status != 200) {
                Failure f = Failure.ofStatus(status, u);
                g.metrics.upstreamSeconds(c.model(), f.reason, secs);
                if (f.retryable) {
                    attemptFailed(i, c, u, f, secs);
                } else {
                    passThroughError(i, c, u, status, r.getContent(), r.getMediaType(), secs);
                }
                return;
            }
            byte[] content = r.getContent();
            JsonNode answer;
            try {
                answer = ChatRequest.JSON.readTree(content);
            } catch (java.io.IOException e) {
                answer = null;
            }
            if (answer == null || !answer.isObject()) {
                Failure f = new Failure("invalid_answer", true, u + " answered 200 with a body that is not a JSON"
                        + " object");
                g.metrics.upstreamSeconds(c.model(), f.reason, secs);
                attemptFailed(i, c, u, f, secs);
                return;
            }
            g.metrics.upstreamSeconds(c.model(), "ok", secs);
            record(i, c, u, "ok", secs);
            ObjectNode actual = usage(c, answer.get("usage"));
            setHeaders(c);
            byte[] out = content;
            if (req.receipt()) {
                ObjectNode withReceipt = ((ObjectNode) answer).deepCopy();
                ObjectNode rec = receipt(c);
                rec.set("actual", actual);
                withReceipt.set("carrot", rec);
                out = ChatRequest.JSON.writeValueAsBytes(withReceipt);
            }
            done(c, 200, actual);
            Gateway.bytes(response, callback, 200, "application/json", out);
        } catch (RuntimeException | java.io.IOException e) {
            internal(e);
        }
    }

    /** Attempt {@code i} failed before any byte reached the client: the next candidate, or the final error. */
    private void attemptFailed(int i, Routed.Candidate c, UpstreamTarget u, Failure f, double secs) {
        record(i, c, u, f.reason, secs).put("detail", f.message);
        if (i + 1 < chain.size()) {
            g.metrics.fallback(c.model(), f.reason);
            Gateway.LOG.info("decision {}: {} failed ({}), falling back to {}", decisionId, c.model(), f.message,
                    chain.get(i + 1).model());
            attempt(i + 1);
            return;
        }
        boolean timeout = f.reason.equals("timeout");
        int status = timeout ? 504 : 502;
        StringBuilder m = new StringBuilder();
        m.append(chain.size() == 1 ? "the upstream failed: " : "all " + chain.size() + " candidates failed: ");
        for (int k = 0; k < attempts.size(); k++) {
            JsonNode a = attempts.get(k);
            m.append(k == 0 ? "" : "; ").append(a.path("model").asText()).append(" (")
                    .append(a.path("detail").asText()).append(')');
        }
        setHeaders(c);
        done(c, status, null);
        ApiError e = new ApiError(status, "upstream_error", timeout ? "upstream_timeout" : "upstream_failed", null,
                m.toString());
        ObjectNode body = e.toJson();
        if (req.receipt()) {
            body.set("carrot", receipt(c));
        }
        Gateway.json(response, callback, status, body);
    }

    /** A 4xx the client caused (other than 429 and a rejected key): its status and body as the upstream sent them. */
    private void passThroughError(int i, Routed.Candidate c, UpstreamTarget u, int status, byte[] body,
                                  String mediaType, double secs) {
        record(i, c, u, "status_" + status, secs);
        setHeaders(c);
        done(c, status, null);
        Gateway.bytes(response, callback, status, mediaType == null ? "application/json" : mediaType, body);
    }

    private ObjectNode record(int i, Routed.Candidate c, UpstreamTarget u, String outcome, double secs) {
        ObjectNode a = attempts.addObject();
        a.put("attempt", i);
        a.put("model", c.model());
        a.put("upstream_model", u.model());
        a.put("outcome", outcome);
        a.put("seconds", Math.round(secs * 1e4) / 1e4);
        return a;
    }

    /** Reads a usage block: tokens and actual cost into the metrics; the receipt's {@code actual} part. */
    private ObjectNode usage(Routed.Candidate c, JsonNode usage) {
        ObjectNode actual = JsonNodeFactory.instance.objectNode();
        if (usage == null || !usage.isObject() || !usage.path("prompt_tokens").isNumber()) {
            g.metrics.withoutUsage(c.model());
            actual.putNull("cost_usd");
            return actual;
        }
        long in = usage.path("prompt_tokens").asLong();
        long out = usage.path("completion_tokens").asLong();
        actual.put("prompt_tokens", in);
        actual.put("completion_tokens", out);
        var cost = g.router.actualCostUsd(c.model(), in, out);
        if (cost.isPresent()) {
            actual.put("cost_usd", cost.getAsDouble());
        } else {
            actual.putNull("cost_usd");
        }
        g.metrics.usage(c.model(), in, out, c.predictedCostUsd(), cost.isPresent() ? cost.getAsDouble() : Double.NaN);
        return actual;
    }

    /** The full receipt: the decision with its receipts, and the gateway's part of the story. */
    private ObjectNode receipt(Routed.Candidate answering) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("decision_id", decisionId);
        o.put("model", answering.model());
        o.put("upstream_model", g.upstreams.get(answering.model()).model());
        o.put("routed", req.virtual());
        o.put("predicted_cost_usd", answering.predictedCostUsd());
        ObjectNode text = o.putObject("routed_text");
        text.put("source", req.routedFrom());
        text.put("chars", req.routedText().length());
        if (session.isPresent()) {
            o.put("session_pinned", pinned);
        }
        o.set("decision", routed.decisionJson());
        o.set("attempts", attempts.deepCopy());
        return o;
    }

    private void setHeaders(Routed.Candidate c) {
        response.getHeaders().put(Gateway.H_DECISION, decisionId);
        response.getHeaders().put(Gateway.H_MODEL, c == null ? Gateway.NONE : c.model());
        response.getHeaders().put(Gateway.H_MU, routed == null ? Gateway.NONE : Gateway.plain(routed.mu()));
        response.getHeaders().put(Gateway.H_COST, c == null ? Gateway.NONE : Gateway.plain(c.predictedCostUsd()));
    }

    /** Bookkeeping once the final status is known. */
    private void done(Routed.Candidate c, int status, ObjectNode actual) {
        g.metrics.request(endpoint, c.model(), status);
        if (status == 200 && req.virtual() && session.isPresent()) {
            g.pins.pinIfAbsent(session.get(), c.model());
        }
        if (Gateway.DECISIONS.isInfoEnabled()) {
            Gateway.DECISIONS.info("decision {} {} -> {} status {} in {} ms, mu {}, predicted {} USD, actual {} USD,"
                            + " attempts {}", decisionId, req.virtual() ? "routed" : "pass-through", c.model(), status,
                    (System.nanoTime() - t0) / 1_000_000, Gateway.plain(routed.mu()),
                    Gateway.plain(c.predictedCostUsd()), actual == null || !actual.path("cost_usd").isNumber()
                            ? "unknown" : Gateway.plain(actual.path("cost_usd").asDouble()), attempts.size());
        }
    }

    private void internal(Exception e) {
        Gateway.LOG.error("decision {}: internal error", decisionId, e);
        if (!response.isCommitted()) {
            Gateway.error(response, callback, new ApiError(500, "server_error", "internal_error", null,
                    "internal error in the gateway; decision " + decisionId));
        } else {
            callback.failed(e);
        }
    }

    /** Why an attempt failed, and whether the next candidate is tried. */
    record Failure(String reason, boolean retryable, String message) {
        static Failure of(Throwable ex, UpstreamTarget u) {
            Throwable t = ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null
                    ? ex.getCause() : ex;
            if (t instanceof TimeoutException) {
                return new Failure("timeout", true, "no answer within " + u.timeoutMillis() / 1000.0 + " s");
            }
            if (t instanceof IllegalArgumentException && String.valueOf(t.getMessage()).contains("exceeded")) {
                return new Failure("too_large", true, "the answer exceeded max_response_bytes");
            }
            String what = t instanceof java.net.ConnectException ? "connection refused"
                    : t instanceof java.io.EOFException || t instanceof org.eclipse.jetty.io.EofException
                    ? "connection closed" : t.getClass().getSimpleName();
            return new Failure("connection", true, what);
        }

        static Failure ofStatus(int status, UpstreamTarget u) {
            if (status == 429) {
                return new Failure("status_429", true, "429 rate limited");
            }
            if (status >= 500) {
                return new Failure("status_" + status, true, status + " server error");
            }
            if (status == 401 || status == 403) {
                return new Failure("upstream_auth", true, status + ": the upstream rejected the gateway's key for it"
                        + " (check its api_key_env)");
            }
            return new Failure("status_" + status, false, String.valueOf(status));
        }
    }

    // ------------------------------------------------------------------------------------------------ streams

    /**
     * One streamed attempt. Upstream bytes are cut into events and each complete event is written to the client
     * before more is read from the upstream (so a slow client slows the upstream read, and nothing piles up). Until
     * the first event is written nothing has reached the client, and a failure moves on to the next candidate; after
     * it, a failure ends the stream with an OpenAI error event.
     */
    private final class Stream extends IteratingCallback {
        private final int index;
        private final Routed.Candidate c;
        private final UpstreamTarget u;
        private final org.eclipse.jetty.client.Request up;
        private final long a0;
        private final SseEvents sse = new SseEvents(g.settings.maxResponseBytes());
        private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
        private volatile boolean contentStarted;
        private Content.Source source;
        private int status;
        private boolean committed;
        private boolean sawDone;
        private JsonNode usage;
        private boolean finished;

        Stream(int index, Routed.Candidate c, UpstreamTarget u, org.eclipse.jetty.client.Request up, long a0) {
            this.index = index;
            this.c = c;
            this.u = u;
            this.up = up;
            this.a0 = a0;
        }

        void send() {
            up.onResponseContentSource((resp, src) -> {
                status = resp.getStatus();
                source = src;
                contentStarted = true;
                iterate();
            });
            up.send(this::exchangeComplete);
        }

        /** The exchange ended; a failure before any content is a failed attempt (nothing reached the client). */
        private void exchangeComplete(Result result) {
            if (result.isFailed() && !contentStarted) {
                Throwable ex = result.getFailure();
                double secs = secs();
                Failure f = Failure.of(ex, u);
                g.metrics.upstreamSeconds(c.model(), f.reason, secs);
                attemptFailed(index, c, u, f, secs);
            }
        }

        private double secs() {
            return (System.nanoTime() - a0) / 1e9;
        }

        @Override
        protected Action process() {
            if (finished) {
                return Action.SUCCEEDED;
            }
            while (true) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this::iterate);
                    return Action.IDLE;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable cause = chunk.getFailure();
                    source.fail(cause);
                    return upstreamBroke(Failure.of(cause, u));
                }
                ByteBuffer bb = chunk.getByteBuffer();
                byte[] bytes = new byte[bb.remaining()];
                bb.get(bytes);
                boolean last = chunk.isLast();
                chunk.release();
                if (status != 200) {
                    if (errorBody.size() < MAX_ERROR_BODY) {
                        errorBody.write(bytes, 0, Math.min(bytes.length, MAX_ERROR_BODY - errorBody.size()));
                    }
                    if (last) {
                        return upstreamStatus();
                    }
                    continue;
                }
                List<SseEvents.Event> events;
                try {
                    events = sse.feed(ByteBuffer.wrap(bytes));
                } catch (IllegalStateException e) {
                    up.abort(e);
                    return upstreamBroke(new Failure("too_large", true, e.getMessage()));
                }
                ByteBuffer out = forwardable(events);
                if (last) {
                    return end(out);
                }
                if (out != null) {
                    write(false, out, this);
                    return Action.SCHEDULED;
                }
            }
        }

        /** The bytes of the events to pass on; the usage chunk only if the client asked for it. */
        private ByteBuffer forwardable(List<SseEvents.Event> events) {
            if (events.isEmpty()) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (SseEvents.Event e : events) {
                boolean forward = true;
                if (e.isDone()) {
                    sawDone = true;
                } else if (e.data().contains("\"usage\"")) {
                    try {
                        JsonNode chunk = ChatRequest.JSON.readTree(e.data());
                        JsonNode us = chunk.get("usage");
                        if (us != null && us.isObject()) {
                            usage = us;
                            JsonNode choices = chunk.get("choices");
                            forward = req.clientUsage() || choices == null || !choices.isArray()
                                    || !choices.isEmpty();
                        }
                    } catch (java.io.IOException ignored) {
                        // not JSON: pass it on as it is
                    }
                }
                if (forward) {
                    out.write(e.raw(), 0, e.raw().length);
                }
            }
            return out.size() == 0 ? null : ByteBuffer.wrap(out.toByteArray());
        }

        private void write(boolean last, ByteBuffer out, Callback cb) {
            if (!committed) {
                committed = true;
                record(index, c, u, "ok", secs());
                setHeaders(c);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            }
            response.write(last, out == null ? ByteBuffer.allocate(0) : out, cb);
        }

        /** The upstream's stream ended normally. */
        private Action end(ByteBuffer out) {
            finished = true;
            byte[] rest = sse.rest();
            if (rest.length > 0) {
                ByteBuffer tail = ByteBuffer.allocate((out == null ? 0 : out.remaining()) + rest.length);
                if (out != null) {
                    tail.put(out);
                }
                tail.put(rest).flip();
                out = tail;
            }
            if (!committed && out == null) {
                // 200 with an empty body: nothing reached the client, so the next candidate may answer
                return upstreamBroke(new Failure("empty_answer", true, "the stream ended before any event"));
            }
            g.metrics.upstreamSeconds(c.model(), "ok", secs());
            ObjectNode actual = usage(c, usage);
            if (!sawDone) {
                Gateway.LOG.info("decision {}: {} ended its stream without [DONE]", decisionId, c.model());
            }
            done(c, 200, actual);
            write(true, out, callback);
            return Action.SUCCEEDED;
        }

        /** A non-200 status on a stream request. */
        private Action upstreamStatus() {
            finished = true;
            double secs = secs();
            Failure f = Failure.ofStatus(status, u);
            g.metrics.upstreamSeconds(c.model(), f.reason, secs);
            if (f.retryable) {
                attemptFailed(index, c, u, f, secs);
            } else {
                passThroughError(index, c, u, status, errorBody.toByteArray(), "application/json", secs);
            }
            return Action.SUCCEEDED;
        }

        /** The upstream failed mid-answer. */
        private Action upstreamBroke(Failure f) {
            finished = true;
            double secs = secs();
            g.metrics.upstreamSeconds(c.model(), f.reason, secs);
            if (!committed) {
                attemptFailed(index, c, u, f, secs);
                return Action.SUCCEEDED;
            }
            g.metrics.streamError(c.model(), f.reason);
            Gateway.LOG.info("decision {}: {} failed after the stream began ({}); ending it with an error event",
                    decisionId, c.model(), f.message);
            ObjectNode err = ApiError.json("the upstream " + c.model() + " failed after the stream began: "
                            + f.message + "; the answer is incomplete (decision " + decisionId + ")", "upstream_error",
                    "upstream_stream_failed", null);
            done(c, 200, null);
            byte[] ev = ("data: " + err + "\n\n").getBytes(StandardCharsets.UTF_8);
            write(true, ByteBuffer.wrap(ev), callback);
            return Action.SUCCEEDED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            // writing to the client failed (it went away): stop reading the upstream
            up.abort(cause);
            Gateway.LOG.debug("decision {}: client went away during the stream: {}", decisionId,
                    cause.toString().toLowerCase(Locale.ROOT));
            g.metrics.streamError(c.model(), "client_gone");
            callback.failed(cause);
        }
    }
}

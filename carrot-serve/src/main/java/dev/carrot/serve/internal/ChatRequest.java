package dev.carrot.serve.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A validated chat-completions (or route) request: what to route, how, and the body to forward. Every rule that can
 * reject a request is here, so that a bad request is answered before anything is routed or sent upstream.
 *
 * @param body          the client's JSON body (unchanged; {@link #forwardBody} derives the upstream's)
 * @param virtual       true for {@code carrot...} models, false for a concrete model passed through
 * @param passThrough   the concrete model, when not virtual
 * @param mu            mu to route with, when no budget applies
 * @param budgetUsd     a budget in USD per query instead of mu
 * @param models        the candidate models (never empty: all routable models unless the request narrowed them)
 * @param maxCostUsd    the request's cost cap
 * @param receipt       whether the non-streamed answer carries the receipt under {@code carrot}
 * @param stream        whether the client asked for a stream
 * @param clientUsage   whether the client itself asked for the usage chunk of a stream
 * @param routedText    the text the router sees
 * @param routedFrom    where that text came from ({@code last_user_message}, {@code last_message}, {@code prompt},
 *                      {@code none})
 */
public record ChatRequest(ObjectNode body, boolean virtual, Optional<String> passThrough, double mu,
                          OptionalDouble budgetUsd, List<String> models, OptionalDouble maxCostUsd, boolean receipt,
                          boolean stream, boolean clientUsage, String routedText, String routedFrom) {

    /** The JSON reader: decimals are kept exactly as the client wrote them, so the forwarded body is the same. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private static final Set<String> CARROT_KEYS = Set.of("mu", "budget", "models", "max_cost_usd", "receipt");

    /** The settings a parse needs from the gateway. */
    public record Context(List<String> routable, double defaultMu, OptionalDouble defaultBudgetUsd,
                          boolean budgetCapable) {
        public Context {
            routable = List.copyOf(routable);
        }
    }

    /**
     * Parses and validates a request body.
     *
     * @param routeOnly true for {@code /v1/route}, which also accepts {@code {"prompt": "..."}} instead of messages
     * @throws ApiError (400 or 404) naming the field and, where there are some, the allowed values
     */
    public static ChatRequest parse(byte[] bytes, Context ctx, boolean routeOnly) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "invalid_json", "the request body is not valid JSON: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw ApiError.badRequest(null, "invalid_json", "the request body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest(null, "invalid_json", "the request body must be a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        ObjectNode body = (ObjectNode) root;

        // what the router reads
        String text;
        String from;
        JsonNode messages = body.get("messages");
        JsonNode prompt = body.get("prompt");
        if (routeOnly && (messages == null || messages.isNull()) && prompt != null && !prompt.isNull()) {
            if (!prompt.isTextual()) {
                throw ApiError.badRequest("prompt", "invalid_type", "prompt: expected a string");
            }
            text = prompt.asText();
            from = "prompt";
        } else {
            if (messages == null || messages.isNull()) {
                throw ApiError.badRequest("messages", "missing_required_parameter", "messages: missing; expected a"
                        + " non-empty list of {\"role\", \"content\"} messages" + (routeOnly ? " (or \"prompt\": a"
                        + " string)" : ""));
            }
            if (!messages.isArray() || messages.isEmpty()) {
                throw ApiError.badRequest("messages", "invalid_value", "messages: expected a non-empty list of"
                        + " {\"role\", \"content\"} messages, got " + describe(messages));
            }
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                if (!m.isObject()) {
                    throw ApiError.badRequest("messages[" + i + "]", "invalid_type", "messages[" + i
                            + "]: expected an object {\"role\", \"content\"}, got " + describe(m));
                }
                if (!m.path("role").isTextual()) {
                    throw ApiError.badRequest("messages[" + i + "].role", "missing_required_parameter",
                            "messages[" + i + "].role: expected a string (system, user, assistant, tool ...)");
                }
            }
            String[] t = routedText(messages);
            text = t[0];
            from = t[1];
        }

        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw ApiError.badRequest("stream", "invalid_type", "stream: expected true or false, got "
                    + describe(streamNode));
        }
        boolean stream = streamNode != null && streamNode.asBoolean(false);
        boolean clientUsage = body.path("stream_options").path("include_usage").asBoolean(false);

        // model: carrot, carrot:mu=X, carrot:budget=X, or a concrete model
        JsonNode modelNode = body.get("model");
        if (modelNode == null || modelNode.isNull()) {
            throw ApiError.badRequest("model", "missing_required_parameter", "model: missing; use \"carrot\","
                    + " \"carrot:mu=0.3\", \"carrot:budget=0.0005\" or one of " + ctx.routable());
        }
        if (!modelNode.isTextual()) {
            throw ApiError.badRequest("model", "invalid_type", "model: expected a string, got " + describe(modelNode));
        }
        String model = modelNode.asText();
        boolean virtual;
        Optional<String> passThrough = Optional.empty();
        double mu = ctx.defaultMu();
        OptionalDouble budget = ctx.defaultBudgetUsd();
        if (model.equals("carrot")) {
            virtual = true;
        } else if (model.startsWith("carrot:")) {
            virtual = true;
            String spec = model.substring("carrot:".length());
            if (spec.startsWith("mu=")) {
                mu = muValue(parseNumber(spec.substring(3), "model", model), "model");
                budget = OptionalDouble.empty();
            } else if (spec.startsWith("budget=")) {
                budget = OptionalDouble.of(budgetValue(parseNumber(spec.substring(7), "model", model), "model",
                        ctx));
            } else {
                throw ApiError.badRequest("model", "invalid_value", "model: \"" + model + "\" is not a carrot model;"
                        + " use \"carrot\", \"carrot:mu=X\" (X in [0, 1]) or \"carrot:budget=USD\"");
            }
        } else {
            if (!ctx.routable().contains(model)) {
                throw new ApiError(404, "invalid_request_error", "model_not_found", "model", "model: \"" + model
                        + "\" is not served here; use \"carrot\", \"carrot:mu=X\", \"carrot:budget=USD\" or one of "
                        + ctx.routable());
            }
            virtual = false;
            passThrough = Optional.of(model);
        }

        // the carrot extension field
        List<String> models = ctx.routable();
        OptionalDouble maxCost = OptionalDouble.empty();
        boolean receipt = false;
        JsonNode c = body.get("carrot");
        if (c != null && !c.isNull()) {
            if (!c.isObject()) {
                throw ApiError.badRequest("carrot", "invalid_type", "carrot: expected an object with any of "
                        + new java.util.TreeSet<>(CARROT_KEYS) + ", got " + describe(c));
            }
            for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!CARROT_KEYS.contains(k)) {
                    throw ApiError.badRequest("carrot." + k, "unknown_parameter", "carrot." + k + ": unknown field;"
                            + " the fields are " + new java.util.TreeSet<>(CARROT_KEYS));
                }
            }
            JsonNode m = c.get("mu");
            JsonNode b = c.get("budget");
            boolean hasMu = m != null && !m.isNull();
            boolean hasBudget = b != null && !b.isNull();
            if (hasMu && hasBudget) {
                throw ApiError.badRequest("carrot.budget", "invalid_value", "carrot.mu, carrot.budget: give one, not"
                        + " both (a budget is turned into mu by the router's calibration)");
            }
            if (hasMu) {
                mu = muValue(number(m, "carrot.mu"), "carrot.mu");
                budget = OptionalDouble.empty();
            }
            if (hasBudget) {
                budget = OptionalDouble.of(budgetValue(number(b, "carrot.budget"), "carrot.budget", ctx));
            }
            JsonNode ms = c.get("models");
            if (ms != null && !ms.isNull()) {
                if (!ms.isArray() || ms.isEmpty()) {
                    throw ApiError.badRequest("carrot.models", "invalid_value", "carrot.models: expected a non-empty"
                            + " list of model names from " + ctx.routable() + ", got " + describe(ms));
                }
                Set<String> chosen = new LinkedHashSet<>();
                for (int i = 0; i < ms.size(); i++) {
                    JsonNode e = ms.get(i);
                    if (!e.isTextual() || !ctx.routable().contains(e.asText())) {
                        throw ApiError.badRequest("carrot.models[" + i + "]", "model_not_found", "carrot.models[" + i
                                + "]: unknown model " + describe(e) + "; allowed: " + ctx.routable());
                    }
                    chosen.add(e.asText());
                }
                models = List.copyOf(chosen);
            }
            JsonNode cap = c.get("max_cost_usd");
            if (cap != null && !cap.isNull()) {
                double v = number(cap, "carrot.max_cost_usd");
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw ApiError.badRequest("carrot.max_cost_usd", "invalid_value", "carrot.max_cost_usd: expected a"
                            + " number >= 0 (USD per query), got " + v);
                }
                maxCost = OptionalDouble.of(v);
            }
            JsonNode r = c.get("receipt");
            if (r != null && !r.isNull()) {
                if (!r.isBoolean()) {
                    throw ApiError.badRequest("carrot.receipt", "invalid_type", "carrot.receipt: expected true or"
                            + " false, got " + describe(r));
                }
                receipt = r.asBoolean();
            }
        }
        if (passThrough.isPresent()) {
            models = List.of(passThrough.get());
            budget = OptionalDouble.empty();
            maxCost = OptionalDouble.empty();
        }
        return new ChatRequest(body, virtual, passThrough, mu, budget, models, maxCost, receipt, stream, clientUsage,
                text, from);
    }

    /**
     * The text the router reads: the last user message (its text parts joined by a newline); if there is none, the
     * last message with text; otherwise the empty string.
     */
    static String[] routedText(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if (m.path("role").asText().equals("user")) {
                String t = text(m.get("content"));
                if (t != null) {
                    return new String[]{t, "last_user_message"};
                }
            }
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            String t = text(messages.get(i).get("content"));
            if (t != null) {
                return new String[]{t, "last_message"};
            }
        }
        return new String[]{"", "none"};
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode p : content) {
                if (p.path("type").asText().equals("text") && p.path("text").isTextual()) {
                    parts.add(p.path("text").asText());
                }
            }
            return parts.isEmpty() ? null : String.join("\n", parts);
        }
        return null;
    }

    /**
     * The body sent upstream: the client's with {@code model} replaced and {@code carrot} removed; for a stream,
     * {@code stream_options.include_usage} is set so that the answer's cost can be measured.
     */
    public byte[] forwardBody(String upstreamModel) {
        ObjectNode out = body.deepCopy();
        out.remove("carrot");
        out.put("model", upstreamModel);
        if (stream && !clientUsage) {
            JsonNode so = out.get("stream_options");
            ObjectNode opts = so instanceof ObjectNode o ? o : out.putObject("stream_options");
            opts.put("include_usage", true);
        }
        try {
            return JSON.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static double muValue(double v, String param) {
        if (!(v >= 0 && v <= 1)) {
            throw ApiError.badRequest(param, "invalid_value", param + ": mu must be in [0, 1] (0: best quality, 1:"
                    + " cheapest), got " + v);
        }
        return v;
    }

    private static double budgetValue(double v, String param, Context ctx) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw ApiError.badRequest(param, "invalid_value", param + ": a budget must be a number > 0 (USD per"
                    + " query), got " + v);
        }
        if (!ctx.budgetCapable()) {
            throw ApiError.badRequest(param, "budget_unavailable", param + ": this router has no budget calibration"
                    + " (it was trained without a validation split or without costs); route with mu instead");
        }
        return v;
    }

    private static double parseNumber(String s, String param, String whole) {
        try {
            double v = Double.parseDouble(s);
            if (Double.isNaN(v) || s.isBlank()) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(param, "invalid_value", param + ": \"" + whole + "\" does not end in a number;"
                    + " use \"carrot:mu=0.3\" or \"carrot:budget=0.0005\"");
        }
    }

    private static double number(JsonNode n, String param) {
        if (!n.isNumber()) {
            throw ApiError.badRequest(param, "invalid_type", param + ": expected a number, got " + describe(n));
        }
        return n.asDouble();
    }

    private static String describe(JsonNode n) {
        if (n.isTextual()) {
            String s = n.asText();
            return "\"" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "\"";
        }
        if (n.isArray()) {
            return n.isEmpty() ? "an empty list" : "a list";
        }
        return n.isObject() ? "an object" : n.toString();
    }
}

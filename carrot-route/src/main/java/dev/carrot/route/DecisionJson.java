package dev.carrot.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.model.BudgetCalibration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The one JSON form of a {@link Decision} and its receipts, used by the command line, the gateway and clients:
 *
 * <pre>{@code
 * {"model": "gpt-4o-mini", "mu": 0.3,
 *  "budget": {"mu", "alternative_mu", "alternative_probability", "validation_cost_usd", "validation_quality",
 *             "reachable"},                      (only when routed with a budget)
 *  "margin": 0.012, "within_cost_cap": true, "cost_model": "tokens",
 *  "fixed_model": null,                          (or the model's name when the policy chose it for every prompt)
 *  "receipts": [{"model", "status": "chosen|candidate|excluded_by_options|over_cost_cap", "quality",
 *                "input_tokens", "output_tokens", "cost_usd", "cost_bound_usd", "scaled_cost", "utility",
 *                "margin_to_chosen"}],
 *  "cap_confidence": 0.9}                        (only when the cost cap applied to upper cost bounds)
 * }</pre>
 * Numbers that are not finite (token counts of a router that does not price tokens, the margin of a lone candidate,
 * the margin to the chosen model of an excluded one, the cost bound of a call without a confidence, or one that the
 * validation prompts cannot certify) are {@code null}. {@link #read} reads it back, and reads decisions written
 * before {@code cost_bound_usd}, {@code cap_confidence} and {@code fixed_model} existed (one without a fixed model).
 */
public final class DecisionJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private DecisionJson() {
    }

    /** The JSON form of a decision. */
    public static ObjectNode write(Decision d) {
        Objects.requireNonNull(d, "decision");
        ObjectNode o = F.objectNode();
        o.put("model", d.model());
        o.put("mu", d.mu());
        d.budget().ifPresent(b -> {
            ObjectNode bo = o.putObject("budget");
            bo.put("mu", b.mu());
            bo.put("alternative_mu", b.alternativeMu());
            bo.put("alternative_probability", b.alternativeProbability());
            bo.put("validation_cost_usd", b.validationCost());
            bo.put("validation_quality", b.validationQuality());
            bo.put("reachable", b.reachable());
        });
        num(o, "margin", d.margin());
        o.put("within_cost_cap", d.withinCostCap());
        o.put("cost_model", d.costModel());
        if (d.fixedModel().isPresent()) {
            o.put("fixed_model", d.fixedModel().get());
        } else {
            o.putNull("fixed_model");
        }
        ArrayNode rs = o.putArray("receipts");
        for (Receipt r : d.receipts()) {
            rs.add(write(r));
        }
        d.capConfidence().ifPresent(c -> o.put("cap_confidence", c));
        return o;
    }

    /**
     * The JSON form of a routed call, with the field names of the gateway's receipt: {@code decision_id},
     * {@code model}, {@code predicted_cost_usd}, {@code routed_text: {source, chars}}, {@code decision} (the form of
     * {@link #write(Decision)}) and {@code attempts: [{attempt, model, outcome: ok|failed|failed_after_output,
     * seconds, detail}]} ({@code detail}, the error, only for a failed attempt).
     */
    public static ObjectNode write(RoutedCall c) {
        Objects.requireNonNull(c, "call");
        ObjectNode o = F.objectNode();
        o.put("decision_id", c.decisionId());
        o.put("model", c.model());
        o.put("predicted_cost_usd", c.predictedCostUsd());
        ObjectNode text = o.putObject("routed_text");
        text.put("source", c.routedFrom());
        text.put("chars", c.routedChars());
        o.set("decision", write(c.decision()));
        ArrayNode as = o.putArray("attempts");
        for (int i = 0; i < c.attempts().size(); i++) {
            RoutedCall.Attempt a = c.attempts().get(i);
            ObjectNode j = as.addObject();
            j.put("attempt", i);
            j.put("model", a.model());
            j.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
            j.put("seconds", Math.round(a.duration().toNanos() / 1e5) / 1e4);
            a.error().ifPresent(e -> j.put("detail", e));
        }
        return o;
    }

    /** The JSON form of one receipt. */
    public static ObjectNode write(Receipt r) {
        ObjectNode e = F.objectNode();
        e.put("model", r.model());
        e.put("status", r.status().name().toLowerCase(Locale.ROOT));
        e.put("quality", r.quality());
        num(e, "input_tokens", r.inputTokens());
        num(e, "output_tokens", r.outputTokens());
        e.put("cost_usd", r.costUsd());
        num(e, "cost_bound_usd", r.costBoundUsd());
        e.put("scaled_cost", r.scaledCost());
        e.put("utility", r.utility());
        num(e, "margin_to_chosen", r.marginToChosen());
        return e;
    }

    /**
     * Reads a decision written by {@link #write(Decision)}.
     *
     * @throws IllegalArgumentException naming the field that is missing or of the wrong type
     */
    public static Decision read(JsonNode o) {
        Objects.requireNonNull(o, "json");
        if (!o.isObject()) {
            throw new IllegalArgumentException("a decision must be a JSON object, got " + o.getNodeType());
        }
        Optional<BudgetCalibration.Choice> budget = Optional.empty();
        JsonNode b = o.get("budget");
        if (b != null && !b.isNull()) {
            budget = Optional.of(new BudgetCalibration.Choice(number(b, "budget.mu"), number(b, "budget.alternative_mu"),
                    number(b, "budget.alternative_probability"), number(b, "budget.validation_cost_usd"),
                    number(b, "budget.validation_quality"), bool(b, "budget.reachable")));
        }
        java.util.OptionalDouble confidence = java.util.OptionalDouble.empty();
        JsonNode c = o.get("cap_confidence");
        if (c != null && !c.isNull()) {
            confidence = java.util.OptionalDouble.of(number(o, "cap_confidence"));
        }
        List<Receipt> receipts = new ArrayList<>();
        JsonNode rs = o.get("receipts");
        if (rs == null || !rs.isArray()) {
            throw new IllegalArgumentException("decision field 'receipts' must be an array");
        }
        for (int i = 0; i < rs.size(); i++) {
            receipts.add(readReceipt(rs.get(i), "receipts[" + i + "]", confidence.isPresent()));
        }
        JsonNode fixed = o.get("fixed_model");
        if (fixed != null && !fixed.isNull() && !fixed.isTextual()) {
            throw new IllegalArgumentException("decision field 'fixed_model' must be a string or null, got " + fixed);
        }
        return new Decision(text(o, "model"), number(o, "mu"), budget, number(o, "margin"),
                bool(o, "within_cost_cap"), text(o, "cost_model"), confidence, receipts,
                fixed == null || fixed.isNull() ? Optional.empty() : Optional.of(fixed.asText()));
    }

    /** @param bounded whether the decision compared upper cost bounds with its cap (a null bound is then infinite) */
    private static Receipt readReceipt(JsonNode e, String where, boolean bounded) {
        if (!e.isObject()) {
            throw new IllegalArgumentException("decision field '" + where + "' must be an object");
        }
        String status = text(e, where + ".status");
        Receipt.Status s;
        try {
            s = Receipt.Status.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("decision field '" + where + ".status' is '" + status + "', expected"
                    + " chosen, candidate, excluded_by_options or over_cost_cap", ex);
        }
        return new Receipt(text(e, where + ".model"), number(e, where + ".quality"),
                number(e, where + ".input_tokens"), number(e, where + ".output_tokens"), number(e, where + ".cost_usd"),
                costBound(e, where, bounded),
                number(e, where + ".scaled_cost"), number(e, where + ".utility"),
                number(e, where + ".margin_to_chosen"), s);
    }

    /** A receipt's cost bound: NaN when absent (older writers) or unused, infinite when null in a bounded decision. */
    private static double costBound(JsonNode e, String where, boolean bounded) {
        if (!e.has("cost_bound_usd")) {
            return Double.NaN;
        }
        double v = number(e, where + ".cost_bound_usd");
        return Double.isNaN(v) && bounded ? Double.POSITIVE_INFINITY : v;
    }

    private static JsonNode field(JsonNode o, String path) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        JsonNode v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("decision field '" + path + "' is missing");
        }
        return v;
    }

    private static String text(JsonNode o, String path) {
        JsonNode v = field(o, path);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("decision field '" + path + "' must be a string, got " + v);
        }
        return v.asText();
    }

    /** A number; null stands for a value that is not finite (NaN, or an infinite margin). */
    private static double number(JsonNode o, String path) {
        JsonNode v = field(o, path);
        if (v.isNull()) {
            return path.endsWith("margin") ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("decision field '" + path + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode o, String path) {
        JsonNode v = field(o, path);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("decision field '" + path + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static void num(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }
}

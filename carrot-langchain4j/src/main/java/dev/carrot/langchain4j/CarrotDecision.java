package dev.carrot.langchain4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What carrot did with one chat call: the router's decision (with a receipt per model), the model that answered and
 * every attempt on the way there.
 *
 * @param decisionId       an id for logs, {@code carrot-} and 16 hex digits (the gateway's form)
 * @param model            the model that answered; when every attempt failed, the last one tried
 * @param predictedCostUsd what the router predicted {@code model} would cost for this call
 * @param routedFrom       which part of the request was routed: {@code last_user_message}, {@code last_message} or
 *                         {@code none}
 * @param routedChars      the length of the routed text
 * @param decision         the router's decision, exactly what {@code Router.route} gives for the routed text
 * @param attempts         the calls made, in order: the chosen model first, then each fallback
 */
public record CarrotDecision(String decisionId, String model, double predictedCostUsd, String routedFrom,
                             int routedChars, Decision decision, List<Attempt> attempts) {

    /** How an attempt ended. */
    public enum Outcome {
        /** The model answered. */
        OK,
        /** The model failed before any output; the next candidate, if any, was tried. */
        FAILED,
        /** The model failed after its output had begun (a stream cut short): nothing more was tried. */
        FAILED_AFTER_OUTPUT
    }

    /**
     * One call to a model.
     *
     * @param model    the model
     * @param outcome  how it ended
     * @param error    the failure, {@code ExceptionClass: message}; empty when it answered
     * @param duration from the call until the answer or the failure
     */
    public record Attempt(String model, Outcome outcome, Optional<String> error, Duration duration) {
        public Attempt {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(duration, "duration");
        }
    }

    public CarrotDecision {
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(routedFrom, "routedFrom");
        Objects.requireNonNull(decision, "decision");
        attempts = List.copyOf(attempts);
    }

    /** The trade-off used: given, or calibrated from a budget. */
    public double mu() {
        return decision.mu();
    }

    /** Whether a model other than the router's choice answered, because the ones before it failed. */
    public boolean fellBack() {
        return !model.equals(decision.model());
    }

    /** Whether the last attempt answered. */
    public boolean answered() {
        return !attempts.isEmpty() && attempts.get(attempts.size() - 1).outcome() == Outcome.OK;
    }

    /**
     * The JSON form, with the same field names as the gateway's receipt: {@code decision_id}, {@code model},
     * {@code predicted_cost_usd}, {@code routed_text: {source, chars}}, {@code decision} (carrot-route's
     * {@link DecisionJson} form) and {@code attempts: [{attempt, model, outcome, seconds, detail}]}.
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("decision_id", decisionId);
        o.put("model", model);
        o.put("predicted_cost_usd", predictedCostUsd);
        ObjectNode text = o.putObject("routed_text");
        text.put("source", routedFrom);
        text.put("chars", routedChars);
        o.set("decision", DecisionJson.write(decision));
        ArrayNode as = o.putArray("attempts");
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            ObjectNode j = as.addObject();
            j.put("attempt", i);
            j.put("model", a.model());
            j.put("outcome", a.outcome().name().toLowerCase(java.util.Locale.ROOT));
            j.put("seconds", Math.round(a.duration().toNanos() / 1e5) / 1e4);
            a.error().ifPresent(e -> j.put("detail", e));
        }
        return o;
    }
}

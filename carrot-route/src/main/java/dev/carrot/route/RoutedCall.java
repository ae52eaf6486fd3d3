package dev.carrot.route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One call routed by an adapter around a router (a LangChain4j or Spring AI chat model, the gateway): the router's
 * decision, the model that answered and every attempt on the way there. {@link DecisionJson#write(RoutedCall)} is
 * its JSON form.
 *
 * @param decisionId       an id for logs, {@code carrot-} and 16 hex digits ({@link #newDecisionId()})
 * @param model            the model that answered; when every attempt failed, the last one tried
 * @param predictedCostUsd what the router predicted {@code model} would cost for this call
 * @param routedFrom       which part of the request was routed, e.g. {@code last_user_message}, {@code last_message}
 *                         or {@code none}
 * @param routedChars      the length of the routed text
 * @param decision         the router's decision for the routed text
 * @param attempts         the calls made, in order: the chosen model first, then each fallback
 */
public record RoutedCall(String decisionId, String model, double predictedCostUsd, String routedFrom,
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

    public RoutedCall {
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(routedFrom, "routedFrom");
        Objects.requireNonNull(decision, "decision");
        attempts = List.copyOf(attempts);
    }

    /** A new decision id: {@code carrot-} and 16 hex digits, the gateway's form. */
    public static String newDecisionId() {
        return "carrot-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE).substring(0, 16);
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
}

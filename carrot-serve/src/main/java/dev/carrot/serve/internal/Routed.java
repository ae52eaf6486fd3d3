package dev.carrot.serve.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * A routing decision in the gateway's own terms (no carrot-route type leaks past {@link RouterAdapter}).
 *
 * @param model    the chosen model
 * @param mu       the trade-off used (given, or from the budget)
 * @param ranked   the candidates by utility, best first (the chosen model first): the fallback order; models over
 *                 the call's cost cap or outside its candidate set are not in it
 * @param decision the decision's JSON form with its receipts (a fresh copy per call of {@link #decisionJson()})
 */
public record Routed(String model, double mu, List<Candidate> ranked, ObjectNode decision) {

    /** A model the request may go to, with what the router predicts for it. */
    public record Candidate(String model, double predictedCostUsd, double utility) {
    }

    public Routed {
        Objects.requireNonNull(model, "model");
        ranked = List.copyOf(ranked);
        if (ranked.isEmpty() || !ranked.get(0).model().equals(model)) {
            throw new IllegalStateException("the chosen model " + model + " must head the ranking " + ranked);
        }
    }

    public ObjectNode decisionJson() {
        return decision.deepCopy();
    }

    /** The candidate entry of a model. */
    public Candidate candidate(String name) {
        for (Candidate c : ranked) {
            if (c.model().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no candidate " + name + " in " + ranked);
    }
}

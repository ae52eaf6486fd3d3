package dev.carrot.route;

import java.util.Objects;

/**
 * Why a model was or was not chosen: what the router predicted for it and the utility that followed.
 *
 * @param model          the model
 * @param quality        predicted quality in [0, 1]
 * @param inputTokens    predicted input tokens (NaN when the router does not price by tokens)
 * @param outputTokens   predicted output tokens (NaN when the router does not price by tokens)
 * @param costUsd        predicted cost of this query in USD (0 when the router has no cost information)
 * @param costBoundUsd   the upper bound of this query's cost at the call's confidence, which its cost cap was
 *                       compared with ({@link RouteOptions#atConfidence}); NaN when the call set no confidence
 * @param scaledCost     {@code costUsd / costScaleUsd}, the cost term of the utility
 * @param utility        {@code (1 - mu) * quality - mu * scaledCost}
 * @param marginToChosen this utility minus the chosen model's (0 for the chosen one, negative for the others
 *                       that were candidates; NaN for excluded models)
 * @param status         chosen, candidate, or why it was excluded
 */
public record Receipt(String model, double quality, double inputTokens, double outputTokens, double costUsd,
                      double costBoundUsd, double scaledCost, double utility, double marginToChosen, Status status) {

    public enum Status {
        /** The model the prompt is sent to. */
        CHOSEN,
        /** Considered, not chosen. */
        CANDIDATE,
        /** Not in the call's candidate set. */
        EXCLUDED_BY_OPTIONS,
        /** Predicted to cost more than the call's cap (or, with a confidence, bounded above it). */
        OVER_COST_CAP
    }

    public Receipt {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(status, "status");
    }

    /** A receipt of a call that set no confidence: its cost was compared with the cap, if any, as predicted. */
    public Receipt(String model, double quality, double inputTokens, double outputTokens, double costUsd,
                   double scaledCost, double utility, double marginToChosen, Status status) {
        this(model, quality, inputTokens, outputTokens, costUsd, Double.NaN, scaledCost, utility, marginToChosen,
                status);
    }
}

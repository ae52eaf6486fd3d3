package dev.carrot.route;

import dev.carrot.route.model.BudgetCalibration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A routing decision with its receipts.
 *
 * @param model         the chosen model
 * @param mu            the trade-off used (given, or calibrated from a budget)
 * @param budget        the calibrated choice when the call gave a budget instead of mu
 * @param margin        the chosen model's utility minus the runner-up's among candidates (infinite when it was the
 *                      only candidate); small margins mean a close call
 * @param withinCostCap false when a cost cap left no candidate and the cheapest was taken
 * @param costModel     how costs were predicted: {@code tokens}, {@code direct} or {@code none}
 * @param capConfidence the confidence at which the cost cap was applied to upper cost bounds (each receipt's
 *                      {@link Receipt#costBoundUsd()}), when the call set one ({@link RouteOptions#atConfidence})
 * @param receipts      one per model of the router, in the router's model order
 */
public record Decision(String model, double mu, Optional<BudgetCalibration.Choice> budget, double margin,
                       boolean withinCostCap, String costModel, OptionalDouble capConfidence, List<Receipt> receipts) {

    public Decision {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(costModel, "costModel");
        Objects.requireNonNull(capConfidence, "capConfidence");
        receipts = List.copyOf(receipts);
    }

    /** The chosen model's receipt. */
    public Receipt chosen() {
        for (Receipt r : receipts) {
            if (r.status() == Receipt.Status.CHOSEN) {
                return r;
            }
        }
        throw new IllegalStateException("decision without a chosen receipt");
    }

    /** The receipt of a model. */
    public Receipt receipt(String name) {
        for (Receipt r : receipts) {
            if (r.model().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no model '" + name + "' in this decision");
    }
}

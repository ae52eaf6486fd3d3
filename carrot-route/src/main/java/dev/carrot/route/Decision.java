package dev.carrot.route;

import dev.carrot.route.model.BudgetCalibration;

import java.util.ArrayList;
import java.util.Comparator;
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
 * @param fixedModel    present when the router's policy sent the prompt to this model because, at this mu, always
 *                      calling it has a higher expected utility on held-out prompts than routing does (see
 *                      {@link dev.carrot.route.model.FixedModelPolicy}); the receipts are still what the predictors
 *                      said, so the margin can then be negative: the per-prompt rule would have chosen another model
 */
public record Decision(String model, double mu, Optional<BudgetCalibration.Choice> budget, double margin,
                       boolean withinCostCap, String costModel, OptionalDouble capConfidence, List<Receipt> receipts,
                       Optional<String> fixedModel) {

    public Decision {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(costModel, "costModel");
        Objects.requireNonNull(capConfidence, "capConfidence");
        Objects.requireNonNull(fixedModel, "fixedModel");
        receipts = List.copyOf(receipts);
        if (fixedModel.isPresent() && !fixedModel.get().equals(model)) {
            throw new IllegalArgumentException("the policy's fixed model '" + fixedModel.get() + "' is not the chosen"
                    + " model '" + model + "'");
        }
    }

    /** A decision made by the per-prompt rule (no fixed model). */
    public Decision(String model, double mu, Optional<BudgetCalibration.Choice> budget, double margin,
                    boolean withinCostCap, String costModel, OptionalDouble capConfidence, List<Receipt> receipts) {
        this(model, mu, budget, margin, withinCostCap, costModel, capConfidence, receipts, Optional.empty());
    }

    /** Whether the policy chose a fixed model for every prompt at this mu, rather than the per-prompt rule. */
    public boolean byFixedModel() {
        return fixedModel.isPresent();
    }

    /** A decision of a call that set no cap confidence, made by the per-prompt rule (no fixed model). */
    public Decision(String model, double mu, Optional<BudgetCalibration.Choice> budget, double margin,
                    boolean withinCostCap, String costModel, List<Receipt> receipts) {
        this(model, mu, budget, margin, withinCostCap, costModel, OptionalDouble.empty(), receipts, Optional.empty());
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

    /**
     * The receipts of the models this decision may send the prompt to, best first: the chosen model, then the other
     * candidates by utility, highest first (ties keep the router's model order). Models outside the call's candidate
     * set or over its cost cap are not in the list, so a caller that falls back along it never leaves the candidates
     * and never goes over the cap.
     */
    public List<Receipt> candidatesByUtility() {
        List<Receipt> out = new ArrayList<>(receipts.size());
        for (Receipt r : receipts) {
            if (r.status() == Receipt.Status.CHOSEN || r.status() == Receipt.Status.CANDIDATE) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing((Receipt r) -> r.status() != Receipt.Status.CHOSEN)
                .thenComparing(Comparator.comparingDouble(Receipt::utility).reversed()));
        return List.copyOf(out);
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

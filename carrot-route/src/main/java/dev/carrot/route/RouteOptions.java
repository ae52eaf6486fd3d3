package dev.carrot.route;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Per-call routing options.
 *
 * <pre>{@code
 * RouteOptions.defaults().withMaxCostUsd(0.002)                     // predicted (mean) cost at most 0.002 USD
 * RouteOptions.defaults().withMaxCostUsd(0.002).atConfidence(0.9)   // 90% upper cost bound at most 0.002 USD
 * }</pre>
 *
 * @param models        candidate models; empty means every model of the router
 * @param maxCostUsd    a hard cap on the cost of one query: models predicted to cost more are not chosen
 * @param capConfidence when present, the cap applies to each model's upper cost bound at this confidence (the
 *                      router's split-conformal bounds, {@code RouterModel.costBounds()}) instead of its predicted
 *                      cost: a model is a candidate only if the realised cost is, at this confidence, within the cap
 * @param onNoFit       what to do when no candidate fits under the cap
 */
public record RouteOptions(Set<String> models, OptionalDouble maxCostUsd, OptionalDouble capConfidence,
                           NoFit onNoFit) {

    /** What happens when a cost cap leaves no candidate. */
    public enum NoFit {
        /** Route to the candidate with the lowest predicted cost, and mark the decision as over the cap. */
        CHEAPEST,
        /** Throw {@link NoModelFitsException}, which carries the receipts. */
        FAIL
    }

    private static final RouteOptions DEFAULTS = new RouteOptions(Set.of(), OptionalDouble.empty(),
            OptionalDouble.empty(), NoFit.CHEAPEST);

    public RouteOptions {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(maxCostUsd, "maxCostUsd");
        Objects.requireNonNull(capConfidence, "capConfidence");
        Objects.requireNonNull(onNoFit, "onNoFit");
        models = Set.copyOf(new LinkedHashSet<>(models));
        if (maxCostUsd.isPresent()) {
            double cap = maxCostUsd.getAsDouble();
            if (!(cap >= 0) || Double.isInfinite(cap)) {
                throw new IllegalArgumentException("maxCostUsd must be a finite number >= 0, got " + cap);
            }
        }
        if (capConfidence.isPresent()) {
            double c = capConfidence.getAsDouble();
            if (!(c > 0 && c < 1)) {
                throw new IllegalArgumentException("the cost cap's confidence must be in (0, 1), e.g. 0.9, got " + c);
            }
            if (maxCostUsd.isEmpty()) {
                throw new IllegalStateException("a confidence qualifies a cost cap, and there is none: call"
                        + " withMaxCostUsd(cap) before atConfidence(" + c + ")");
            }
        }
    }

    /** All models, no cap. */
    public static RouteOptions defaults() {
        return DEFAULTS;
    }

    /** Only these models are candidates. */
    public RouteOptions onlyModels(Collection<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("the candidate set must not be empty; use defaults() for all models");
        }
        return new RouteOptions(new LinkedHashSet<>(names), maxCostUsd, capConfidence, onNoFit);
    }

    /**
     * A hard cap on the cost of the query, in USD: on each model's predicted cost, or, after
     * {@link #atConfidence}, on its upper cost bound.
     */
    public RouteOptions withMaxCostUsd(double usd) {
        return new RouteOptions(models, OptionalDouble.of(usd), capConfidence, onNoFit);
    }

    /**
     * Applies the cost cap to each model's upper cost bound at {@code confidence} rather than to its predicted
     * (mean) cost: {@code withMaxCostUsd(0.002).atConfidence(0.9)} excludes a model whose 90% upper bound exceeds
     * 0.002 USD. The bounds are the router's split-conformal ones, fitted on its validation prompts: over prompts like
     * those, the realised cost of a model is within its bound at least this often. Routing with it needs a router
     * that has bounds ({@code RouterModel.costBounds()}); others refuse with an {@link IllegalStateException}.
     *
     * @param confidence in (0, 1), e.g. 0.9
     * @throws IllegalStateException    if no cap was set ({@link #withMaxCostUsd} first)
     * @throws IllegalArgumentException if the confidence is not in (0, 1)
     */
    public RouteOptions atConfidence(double confidence) {
        return new RouteOptions(models, maxCostUsd, OptionalDouble.of(confidence), onNoFit);
    }

    public RouteOptions onNoFit(NoFit policy) {
        return new RouteOptions(models, maxCostUsd, capConfidence, policy);
    }
}

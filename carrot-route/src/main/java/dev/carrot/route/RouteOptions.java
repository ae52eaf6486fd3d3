package dev.carrot.route;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Per-call routing options.
 *
 * @param models     candidate models; empty means every model of the router
 * @param maxCostUsd a hard cap on the predicted cost of one query: models predicted to cost more are not chosen
 * @param onNoFit    what to do when no candidate fits under the cap
 */
public record RouteOptions(Set<String> models, OptionalDouble maxCostUsd, NoFit onNoFit) {

    /** What happens when a cost cap leaves no candidate. */
    public enum NoFit {
        /** Route to the candidate with the lowest predicted cost, and mark the decision as over the cap. */
        CHEAPEST,
        /** Throw {@link NoModelFitsException}, which carries the receipts. */
        FAIL
    }

    private static final RouteOptions DEFAULTS = new RouteOptions(Set.of(), OptionalDouble.empty(), NoFit.CHEAPEST);

    public RouteOptions {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(maxCostUsd, "maxCostUsd");
        Objects.requireNonNull(onNoFit, "onNoFit");
        models = Set.copyOf(new LinkedHashSet<>(models));
        if (maxCostUsd.isPresent()) {
            double cap = maxCostUsd.getAsDouble();
            if (!(cap >= 0) || Double.isInfinite(cap)) {
                throw new IllegalArgumentException("maxCostUsd must be a finite number >= 0, got " + cap);
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
        return new RouteOptions(new LinkedHashSet<>(names), maxCostUsd, onNoFit);
    }

    /** A hard cap on the predicted cost of the query, in USD. */
    public RouteOptions withMaxCostUsd(double usd) {
        return new RouteOptions(models, OptionalDouble.of(usd), onNoFit);
    }

    public RouteOptions onNoFit(NoFit policy) {
        return new RouteOptions(models, maxCostUsd, policy);
    }
}

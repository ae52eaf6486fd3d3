package dev.carrot.route;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a caller of an adapter around a router (a LangChain4j or Spring AI chat model) may set per call: the trade-off
 * mu or a budget in USD per query instead, the candidate models and a hard cap on the predicted cost. Each may be
 * unset; {@link #over} fills the unset ones from defaults, and {@link #route} turns them into a decision. The adapters'
 * own option types ({@code CarrotChatRequestParameters}, {@code CarrotChatOptions}) carry one of these.
 *
 * <p>Unlike {@link RouteOptions} (what {@link Router#route} takes), these speak the caller's terms: a cost cap here is
 * always a hard limit ({@link RouteOptions.NoFit#FAIL}), and mu defaults to {@value #DEFAULT_MU}. Immutable.
 */
public final class CallOptions {
    /** mu when neither the call nor the defaults give mu or a budget (the gateway's default). */
    public static final double DEFAULT_MU = 0.3;

    private static final CallOptions NONE = new CallOptions(new Builder());

    private final Double mu;
    private final Double budgetUsd;
    private final List<String> models;
    private final Double maxCostUsd;

    private CallOptions(Builder b) {
        if (b.mu != null && b.budgetUsd != null) {
            throw new IllegalStateException("give mu or budgetUsd, not both (got mu " + b.mu + " and budgetUsd "
                    + b.budgetUsd + "): a budget is turned into mu by the router's calibration");
        }
        this.mu = b.mu;
        this.budgetUsd = b.budgetUsd;
        this.models = b.models;
        this.maxCostUsd = b.maxCostUsd;
    }

    /** Nothing set. */
    public static CallOptions none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The trade-off in [0, 1] (0: best quality, 1: cheapest), if set. */
    public OptionalDouble mu() {
        return mu == null ? OptionalDouble.empty() : OptionalDouble.of(mu);
    }

    /** A budget in USD per query, instead of mu, if set. */
    public OptionalDouble budgetUsd() {
        return budgetUsd == null ? OptionalDouble.empty() : OptionalDouble.of(budgetUsd);
    }

    /** The candidate models, if set (names as the router knows them). */
    public Optional<List<String>> models() {
        return Optional.ofNullable(models);
    }

    /** A cap on the predicted cost of the call in USD, if set. */
    public OptionalDouble maxCostUsd() {
        return maxCostUsd == null ? OptionalDouble.empty() : OptionalDouble.of(maxCostUsd);
    }

    /** These options over {@code defaults}: each one set here wins; mu and a budget count as one setting. */
    public CallOptions over(CallOptions defaults) {
        return builder().overrideWith(defaults).overrideWith(this).build();
    }

    /**
     * Routes {@code text} with these options among {@code candidates}: within the budget if one is set, else at mu
     * ({@value #DEFAULT_MU} unless set), never answered by a model predicted over the cost cap. The candidates the
     * options name are the caller's to check against what it can call; {@code candidates} is what is routed among.
     *
     * @throws NoModelFitsException  when the cost cap leaves no candidate
     * @throws IllegalStateException for a budget and a router without a budget calibration
     */
    public Decision route(Router router, String text, List<String> candidates) {
        RouteOptions ro = RouteOptions.defaults().onlyModels(candidates);
        if (maxCostUsd != null) {
            // like the gateway: a cap is a hard limit, never answered by a model predicted to cost more
            ro = ro.withMaxCostUsd(maxCostUsd).onNoFit(RouteOptions.NoFit.FAIL);
        }
        return budgetUsd != null ? router.routeWithBudget(text, budgetUsd, ro)
                : router.route(text, mu == null ? DEFAULT_MU : mu, ro);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallOptions c && Objects.equals(mu, c.mu) && Objects.equals(budgetUsd, c.budgetUsd)
                && Objects.equals(models, c.models) && Objects.equals(maxCostUsd, c.maxCostUsd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mu, budgetUsd, models, maxCostUsd);
    }

    @Override
    public String toString() {
        return "mu=" + mu + ", budgetUsd=" + budgetUsd + ", models=" + models + ", maxCostUsd=" + maxCostUsd;
    }

    /** Builds {@link CallOptions}; a bad value is refused at once, mu with a budget at {@link #build()}. */
    public static final class Builder {
        private Double mu;
        private Double budgetUsd;
        private List<String> models;
        private Double maxCostUsd;

        private Builder() {
        }

        /** Takes every option {@code o} sets; mu and a budget as one setting (either replaces both). */
        public Builder overrideWith(CallOptions o) {
            Objects.requireNonNull(o, "options");
            if (o.mu != null || o.budgetUsd != null) {
                mu = o.mu;
                budgetUsd = o.budgetUsd;
            }
            if (o.models != null) {
                models = o.models;
            }
            if (o.maxCostUsd != null) {
                maxCostUsd = o.maxCostUsd;
            }
            return this;
        }

        /** The trade-off in [0, 1]: 0 routes for quality alone, 1 for cost alone. */
        public Builder mu(double v) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("mu must be in [0, 1], got " + v);
            }
            mu = v;
            return this;
        }

        /** A budget in USD per query instead of mu (the router needs a budget calibration). */
        public Builder budgetUsd(double usd) {
            if (!(usd > 0) || Double.isInfinite(usd)) {
                throw new IllegalArgumentException("budgetUsd must be a number > 0 (USD per query), got " + usd);
            }
            budgetUsd = usd;
            return this;
        }

        /** Only these models are candidates (a non-empty list of names; repeats are dropped). */
        public Builder models(Collection<String> names) {
            Objects.requireNonNull(names, "models");
            if (names.isEmpty()) {
                throw new IllegalArgumentException("models must not be empty; leave it unset for every model");
            }
            LinkedHashSet<String> set = new LinkedHashSet<>();
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("models must be model names, got " + names);
                }
                set.add(n);
            }
            models = List.copyOf(set);
            return this;
        }

        public Builder models(String... names) {
            return models(List.of(names));
        }

        /** A hard cap on the predicted cost of the call in USD: no model predicted to cost more is tried. */
        public Builder maxCostUsd(double usd) {
            if (!(usd >= 0) || Double.isInfinite(usd)) {
                throw new IllegalArgumentException("maxCostUsd must be a finite number >= 0, got " + usd);
            }
            maxCostUsd = usd;
            return this;
        }

        /**
         * @throws IllegalStateException with both mu and a budget
         */
        public CallOptions build() {
            return new CallOptions(this);
        }
    }
}

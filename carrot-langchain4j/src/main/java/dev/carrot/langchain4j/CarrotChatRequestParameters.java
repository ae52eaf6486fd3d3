package dev.carrot.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Chat request parameters with carrot's per-call options: the trade-off {@code mu} (or a budget in USD per query
 * instead), the candidate models and a cost cap. Each option left unset falls back to the chat model's builder
 * default. The common parameters (temperature, max output tokens, tools, response format ...) are passed on to the
 * chosen model; the carrot options are not.
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *         .messages(UserMessage.from("Prove that there are infinitely many primes"))
 *         .parameters(CarrotChatRequestParameters.builder().mu(0.1).maxCostUsd(0.002).build())
 *         .build();
 * }</pre>
 *
 * <p>In an AI service, declare a {@code ChatRequestParameters} argument on the method and pass an instance of this
 * class. Merging ({@link #overrideWith}, {@link #defaultedBy}) treats {@code mu} and {@code budgetUsd} as one
 * setting: parameters that give either replace both.
 */
public class CarrotChatRequestParameters extends DefaultChatRequestParameters {

    private final Double mu;
    private final Double budgetUsd;
    private final List<String> models;
    private final Double maxCostUsd;

    protected CarrotChatRequestParameters(Builder builder) {
        super(builder);
        this.mu = builder.mu;
        this.budgetUsd = builder.budgetUsd;
        this.models = builder.models == null ? null : List.copyOf(builder.models);
        this.maxCostUsd = builder.maxCostUsd;
        if (mu != null && budgetUsd != null) {
            throw new IllegalStateException("give mu or budgetUsd, not both (got mu " + mu + " and budgetUsd "
                    + budgetUsd + "): a budget is turned into mu by the router's calibration");
        }
    }

    /** The trade-off in [0, 1] for this call (0: best quality, 1: cheapest), if set. */
    public OptionalDouble mu() {
        return mu == null ? OptionalDouble.empty() : OptionalDouble.of(mu);
    }

    /** A budget in USD per query for this call, instead of mu, if set. */
    public OptionalDouble budgetUsd() {
        return budgetUsd == null ? OptionalDouble.empty() : OptionalDouble.of(budgetUsd);
    }

    /** The candidate models of this call, if set (names as the chat model knows them). */
    public Optional<List<String>> models() {
        return Optional.ofNullable(models);
    }

    /** A cap on the predicted cost of this call in USD, if set. */
    public OptionalDouble maxCostUsd() {
        return maxCostUsd == null ? OptionalDouble.empty() : OptionalDouble.of(maxCostUsd);
    }

    @Override
    public CarrotChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public CarrotChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    /** The common parameters alone, as plain {@link DefaultChatRequestParameters}: what the chosen model gets. */
    public ChatRequestParameters withoutCarrotOptions() {
        return DefaultChatRequestParameters.builder().overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CarrotChatRequestParameters that) || !super.equals(o)) {
            return false;
        }
        return Objects.equals(mu, that.mu) && Objects.equals(budgetUsd, that.budgetUsd)
                && Objects.equals(models, that.models) && Objects.equals(maxCostUsd, that.maxCostUsd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), mu, budgetUsd, models, maxCostUsd);
    }

    @Override
    public String toString() {
        return "CarrotChatRequestParameters{mu=" + mu + ", budgetUsd=" + budgetUsd + ", models=" + models
                + ", maxCostUsd=" + maxCostUsd + ", " + super.toString() + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Double mu;
        private Double budgetUsd;
        private List<String> models;
        private Double maxCostUsd;

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof CarrotChatRequestParameters c) {
                if (c.mu != null || c.budgetUsd != null) {
                    mu = c.mu;
                    budgetUsd = c.budgetUsd;
                }
                if (c.models != null) {
                    models = c.models;
                }
                if (c.maxCostUsd != null) {
                    maxCostUsd = c.maxCostUsd;
                }
            }
            return this;
        }

        /** The trade-off in [0, 1]: 0 routes for quality alone, 1 for cost alone. */
        public Builder mu(double mu) {
            if (!(mu >= 0 && mu <= 1)) {
                throw new IllegalArgumentException("mu must be in [0, 1], got " + mu);
            }
            this.mu = mu;
            return this;
        }

        /** A budget in USD per query instead of mu (the router needs a budget calibration). */
        public Builder budgetUsd(double usd) {
            if (!(usd > 0) || Double.isInfinite(usd)) {
                throw new IllegalArgumentException("budgetUsd must be a number > 0 (USD per query), got " + usd);
            }
            this.budgetUsd = usd;
            return this;
        }

        /** Only these models are candidates (a non-empty subset of the chat model's models). */
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
            this.models = List.copyOf(set);
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
            this.maxCostUsd = usd;
            return this;
        }

        @Override
        public CarrotChatRequestParameters build() {
            return new CarrotChatRequestParameters(this);
        }
    }
}

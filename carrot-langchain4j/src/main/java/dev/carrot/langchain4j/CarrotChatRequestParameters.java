package dev.carrot.langchain4j;

import dev.carrot.route.CallOptions;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

import java.util.Collection;
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

    private final CallOptions carrot;

    protected CarrotChatRequestParameters(Builder builder) {
        super(builder);
        this.carrot = builder.carrot.build(); // mu with a budget: IllegalStateException
    }

    /** carrot's options alone. */
    public CallOptions callOptions() {
        return carrot;
    }

    /** The trade-off in [0, 1] for this call (0: best quality, 1: cheapest), if set. */
    public OptionalDouble mu() {
        return carrot.mu();
    }

    /** A budget in USD per query for this call, instead of mu, if set. */
    public OptionalDouble budgetUsd() {
        return carrot.budgetUsd();
    }

    /** The candidate models of this call, if set (names as the chat model knows them). */
    public Optional<List<String>> models() {
        return carrot.models();
    }

    /** A cap on the predicted cost of this call in USD, if set. */
    public OptionalDouble maxCostUsd() {
        return carrot.maxCostUsd();
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
        return carrot.equals(that.carrot);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), carrot);
    }

    @Override
    public String toString() {
        return "CarrotChatRequestParameters{" + carrot + ", " + super.toString() + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private final CallOptions.Builder carrot = CallOptions.builder();

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof CarrotChatRequestParameters c) {
                carrot.overrideWith(c.carrot);
            }
            return this;
        }

        /** The trade-off in [0, 1]: 0 routes for quality alone, 1 for cost alone. */
        public Builder mu(double mu) {
            carrot.mu(mu);
            return this;
        }

        /** A budget in USD per query instead of mu (the router needs a budget calibration). */
        public Builder budgetUsd(double usd) {
            carrot.budgetUsd(usd);
            return this;
        }

        /** Only these models are candidates (a non-empty subset of the chat model's models). */
        public Builder models(Collection<String> names) {
            carrot.models(names);
            return this;
        }

        public Builder models(String... names) {
            return models(List.of(names));
        }

        /** A hard cap on the predicted cost of the call in USD: no model predicted to cost more is tried. */
        public Builder maxCostUsd(double usd) {
            carrot.maxCostUsd(usd);
            return this;
        }

        @Override
        public CarrotChatRequestParameters build() {
            return new CarrotChatRequestParameters(this);
        }
    }
}

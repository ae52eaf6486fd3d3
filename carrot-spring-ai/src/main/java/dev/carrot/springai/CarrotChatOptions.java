package dev.carrot.springai;

import dev.carrot.route.CallOptions;
import org.springframework.ai.chat.prompt.ChatOptions;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Chat options with carrot's per-call settings: the trade-off {@code mu} (or a budget in USD per query instead), the
 * candidate models and a cost cap; each one left unset falls back to the {@link CarrotChatModel}'s default. The
 * common options (temperature, max tokens, top-p, ...) are passed on to the chosen model; the carrot settings are
 * not. The model option must stay unset: carrot chooses the model.
 *
 * <pre>{@code
 * ChatResponse r = chatClient.prompt().user(question)
 *         .options(CarrotChatOptions.builder().mu(0.1).maxCostUsd(0.002).build())
 *         .call().chatResponse();
 * }</pre>
 */
public final class CarrotChatOptions implements ChatOptions {
    private final CallOptions carrot;
    private final Double frequencyPenalty;
    private final Integer maxTokens;
    private final Double presencePenalty;
    private final List<String> stopSequences;
    private final Double temperature;
    private final Integer topK;
    private final Double topP;

    private CarrotChatOptions(Builder b) {
        this.carrot = b.carrot.build(); // mu with a budget: IllegalStateException
        this.frequencyPenalty = b.frequencyPenalty;
        this.maxTokens = b.maxTokens;
        this.presencePenalty = b.presencePenalty;
        this.stopSequences = b.stopSequences == null ? null : List.copyOf(b.stopSequences);
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** carrot's settings alone. */
    public CallOptions callOptions() {
        return carrot;
    }

    /** The trade-off in [0, 1] for this call, if set. */
    public OptionalDouble mu() {
        return carrot.mu();
    }

    /** A budget in USD per query for this call, instead of mu, if set. */
    public OptionalDouble budgetUsd() {
        return carrot.budgetUsd();
    }

    /** The candidate models of this call, if set. */
    public Optional<List<String>> models() {
        return carrot.models();
    }

    /** A cap on the predicted cost of this call in USD, if set. */
    public OptionalDouble maxCostUsd() {
        return carrot.maxCostUsd();
    }

    /** These settings over {@code defaults}: each one set here wins; mu and a budget count as one setting. */
    CarrotChatOptions over(CarrotChatOptions defaults) {
        Builder b = defaults.toBuilder();
        b.carrot.overrideWith(carrot);
        b.frequencyPenalty = frequencyPenalty != null ? frequencyPenalty : b.frequencyPenalty;
        b.maxTokens = maxTokens != null ? maxTokens : b.maxTokens;
        b.presencePenalty = presencePenalty != null ? presencePenalty : b.presencePenalty;
        b.stopSequences = stopSequences != null ? stopSequences : b.stopSequences;
        b.temperature = temperature != null ? temperature : b.temperature;
        b.topK = topK != null ? topK : b.topK;
        b.topP = topP != null ? topP : b.topP;
        return b.build();
    }

    /** The common options alone: what the chosen model gets. */
    ChatOptions withoutCarrotSettings() {
        return ChatOptions.builder().frequencyPenalty(frequencyPenalty).maxTokens(maxTokens)
                .presencePenalty(presencePenalty).stopSequences(stopSequences).temperature(temperature).topK(topK)
                .topP(topP).build();
    }

    /** Always null: carrot chooses the model. */
    @Override
    public String getModel() {
        return null;
    }

    @Override
    public Double getFrequencyPenalty() {
        return frequencyPenalty;
    }

    @Override
    public Integer getMaxTokens() {
        return maxTokens;
    }

    @Override
    public Double getPresencePenalty() {
        return presencePenalty;
    }

    @Override
    public List<String> getStopSequences() {
        return stopSequences;
    }

    @Override
    public Double getTemperature() {
        return temperature;
    }

    @Override
    public Integer getTopK() {
        return topK;
    }

    @Override
    public Double getTopP() {
        return topP;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends ChatOptions> T copy() {
        return (T) toBuilder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.carrot.overrideWith(carrot);
        b.frequencyPenalty = frequencyPenalty;
        b.maxTokens = maxTokens;
        b.presencePenalty = presencePenalty;
        b.stopSequences = stopSequences;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CarrotChatOptions c && carrot.equals(c.carrot)
                && Objects.equals(frequencyPenalty, c.frequencyPenalty) && Objects.equals(maxTokens, c.maxTokens)
                && Objects.equals(presencePenalty, c.presencePenalty) && Objects.equals(stopSequences, c.stopSequences)
                && Objects.equals(temperature, c.temperature) && Objects.equals(topK, c.topK)
                && Objects.equals(topP, c.topP);
    }

    @Override
    public int hashCode() {
        return Objects.hash(carrot, frequencyPenalty, maxTokens, presencePenalty,
                stopSequences, temperature, topK, topP);
    }

    @Override
    public String toString() {
        return "CarrotChatOptions{" + carrot + ", temperature=" + temperature + ", maxTokens=" + maxTokens + ", topP=" + topP + "}";
    }

    /** Builds {@link CarrotChatOptions}; bad values are refused at once. */
    public static final class Builder {
        private final CallOptions.Builder carrot = CallOptions.builder();
        private Double frequencyPenalty;
        private Integer maxTokens;
        private Double presencePenalty;
        private List<String> stopSequences;
        private Double temperature;
        private Integer topK;
        private Double topP;

        private Builder() {
        }

        /** The trade-off in [0, 1]: 0 routes for quality alone, 1 for cost alone. */
        public Builder mu(double v) {
            carrot.mu(v);
            return this;
        }

        /** A budget in USD per query instead of mu (the router needs a budget calibration). */
        public Builder budgetUsd(double usd) {
            carrot.budgetUsd(usd);
            return this;
        }

        /** Only these models are candidates (names as the router knows them). */
        public Builder models(Collection<String> names) {
            carrot.models(names);
            return this;
        }

        public Builder models(String... names) {
            return models(List.of(names));
        }

        /** A hard cap on the predicted cost of the call in USD. */
        public Builder maxCostUsd(double usd) {
            carrot.maxCostUsd(usd);
            return this;
        }

        public Builder frequencyPenalty(Double v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder maxTokens(Integer v) {
            maxTokens = v;
            return this;
        }

        public Builder presencePenalty(Double v) {
            presencePenalty = v;
            return this;
        }

        public Builder stopSequences(List<String> v) {
            stopSequences = v;
            return this;
        }

        public Builder temperature(Double v) {
            temperature = v;
            return this;
        }

        public Builder topK(Integer v) {
            topK = v;
            return this;
        }

        public Builder topP(Double v) {
            topP = v;
            return this;
        }

        public CarrotChatOptions build() {
            return new CarrotChatOptions(this);
        }
    }
}

package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;

import java.util.Objects;
import java.util.Optional;

/**
 * The metadata of an answer from a carrot chat model: the answering model's own metadata (id, model name, token
 * usage, finish reason, copied to the top level; the provider's full object, e.g. {@code OpenAiChatResponseMetadata},
 * as {@link #delegate()}) and what carrot did, a {@link RoutedCall} (JSON: {@code DecisionJson.write(call)}). It survives {@link #toBuilder()}, which AI services
 * use to add up token usage.
 *
 * <pre>{@code
 * ChatResponse r = carrot.chat(request);
 * RoutedCall d = CarrotChatResponseMetadata.routedCall(r).orElseThrow();
 * log.info("{} answered (mu {}, predicted {} USD)", d.model(), d.mu(), d.predictedCostUsd());
 * }</pre>
 */
public class CarrotChatResponseMetadata extends ChatResponseMetadata {

    private final RoutedCall carrot;
    private final ChatResponseMetadata delegate;

    protected CarrotChatResponseMetadata(Builder builder) {
        super(builder);
        this.carrot = Objects.requireNonNull(builder.carrot, "routedCall");
        this.delegate = builder.delegate;
    }

    /** What carrot did: the decision, the answering model, the attempts. */
    public RoutedCall routedCall() {
        return carrot;
    }

    /** The answering model's own metadata object, if it sent one. */
    public Optional<ChatResponseMetadata> delegate() {
        return Optional.ofNullable(delegate);
    }

    /** What carrot did for a response (its decision, the answering model, the attempts), if a carrot chat model made it. */
    public static Optional<RoutedCall> routedCall(ChatResponse response) {
        Objects.requireNonNull(response, "response");
        return response.metadata() instanceof CarrotChatResponseMetadata m ? Optional.of(m.carrot) : Optional.empty();
    }

    /** The response with its metadata wrapped: the same message, the delegate's fields, and the decision. */
    static ChatResponse attach(ChatResponse response, RoutedCall decision) {
        ChatResponseMetadata m = response.metadata();
        Builder b = builder().routedCall(decision);
        if (m != null) {
            b.delegate(m).id(m.id()).modelName(m.modelName()).tokenUsage(m.tokenUsage()).finishReason(m.finishReason());
        }
        return ChatResponse.builder().aiMessage(response.aiMessage()).metadata(b.build()).build();
    }

    @Override
    public Builder toBuilder() {
        return ((Builder) toBuilder(builder())).routedCall(carrot).delegate(delegate);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CarrotChatResponseMetadata that) || !super.equals(o)) {
            return false;
        }
        return carrot.equals(that.carrot) && Objects.equals(delegate, that.delegate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), carrot, delegate);
    }

    @Override
    public String toString() {
        return "CarrotChatResponseMetadata{model=" + carrot.model() + ", decisionId=" + carrot.decisionId() + ", mu="
                + carrot.mu() + ", fellBack=" + carrot.fellBack() + ", " + super.toString() + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends ChatResponseMetadata.Builder<Builder> {
        private RoutedCall carrot;
        private ChatResponseMetadata delegate;

        public Builder routedCall(RoutedCall decision) {
            this.carrot = decision;
            return this;
        }

        public Builder delegate(ChatResponseMetadata metadata) {
            this.delegate = metadata;
            return this;
        }

        @Override
        public CarrotChatResponseMetadata build() {
            return new CarrotChatResponseMetadata(this);
        }
    }
}

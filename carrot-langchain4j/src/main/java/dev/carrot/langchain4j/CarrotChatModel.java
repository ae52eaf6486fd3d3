package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.carrot.langchain4j.internal.RoutingCore;
import dev.carrot.route.Router;
import dev.carrot.route.RoutingModelBuilder;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} that routes: each request goes to the model a carrot router chooses for it, among
 * named chat models of any provider (OpenAI, Anthropic, Ollama, ...), and comes back with carrot's decision in its
 * metadata ({@link CarrotChatResponseMetadata}).
 *
 * <pre>{@code
 * ChatModel carrot = CarrotChatModel.builder()
 *         .router(Router.load(Path.of("router")))
 *         .model("gpt-4o", OpenAiChatModel.builder().apiKey(key).modelName("gpt-4o").build())
 *         .model("gpt-4o-mini", OpenAiChatModel.builder().apiKey(key).modelName("gpt-4o-mini").build())
 *         .mu(0.3)
 *         .build();
 * String answer = carrot.chat("Prove that there are infinitely many primes");
 * }</pre>
 *
 * <p><b>What is routed</b>: the last user message (its text parts joined by newlines; images and other parts are
 * skipped); if no user message has text, the last message that has text. System prompts, earlier turns and tool
 * results are sent to the chosen model but not routed, as in carrot's gateway: routers are trained on single prompts.
 * The decision is exactly {@code router.route(text, mu, options)} for that text. Within one AI-service call, every
 * request (the first and those after tool results) routes the same user message, so they go to the same model.
 *
 * <p><b>Per call</b>: {@link CarrotChatRequestParameters} in the request give mu or a budget, the candidate models
 * and a cost cap, over the builder's defaults. The request must not name a model ({@code modelName}): carrot chooses
 * it. Other parameters are passed on to the chosen model as they are.
 *
 * <p><b>Fallback</b>: when the chosen model throws, the next candidate by utility is tried, at most
 * {@link Builder#maxFallbacks} more (2 unless set), never one outside the candidates or predicted over the cost cap;
 * {@link RoutedCall#attempts()} says so. A request the provider rejects as invalid is not retried elsewhere. When
 * every attempt fails, the last model's exception is thrown with the earlier ones as suppressed exceptions.
 *
 * <p>Immutable and thread-safe when the models are. The router is the caller's: this class never closes it.
 */
public final class CarrotChatModel implements ChatModel {
    private final RoutingCore core;
    private final Map<String, ChatModel> models;
    private final List<ChatModelListener> listeners;
    private final Set<Capability> capabilities;

    private CarrotChatModel(RoutingCore core, Map<String, ChatModel> models, List<ChatModelListener> listeners) {
        this.core = core;
        this.models = models;
        this.listeners = listeners;
        this.capabilities = core.common(m -> models.get(m).supportedCapabilities());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        RoutingCore.Plan p = core.plan(request);
        return p.call().run(model -> models.get(model).chat(p.forward()), CarrotChatResponseMetadata::attach);
    }

    /** The models this chat model may send to, in the router's order. */
    public List<String> models() {
        return core.routable();
    }

    /** The router (the caller's; not closed by this class). */
    public Router router() {
        return core.router();
    }

    /** What every model supports: any of them may answer. */
    @Override
    public Set<Capability> supportedCapabilities() {
        return capabilities;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** Builds a {@link CarrotChatModel}; every setting but the router and the models has a default. */
    public static final class Builder extends RoutingModelBuilder<ChatModel, Builder> {
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder() {
            super(CarrotChatModel.class, RoutingCore.DEFAULT_FALLBACK);
        }

        /** LangChain4j listeners of this chat model (each chosen model calls its own listeners too). */
        public Builder listeners(List<ChatModelListener> l) {
            listeners.addAll(l);
            return this;
        }

        /**
         * @throws IllegalStateException    without a router, with both a default mu and a default budget, or with a
         *                                  default budget and a router without a budget calibration
         * @throws IllegalArgumentException for a model name the router does not know
         */
        public CarrotChatModel build() {
            RoutingCore core = new RoutingCore(callRouter("dev.carrot.langchain4j"));
            return new CarrotChatModel(core, Map.copyOf(models()), List.copyOf(listeners));
        }
    }
}

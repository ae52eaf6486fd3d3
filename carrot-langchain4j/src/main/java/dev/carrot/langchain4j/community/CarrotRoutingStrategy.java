package dev.carrot.langchain4j.community;

import dev.carrot.langchain4j.CarrotChatRequestParameters;
import dev.carrot.langchain4j.internal.RoutedText;
import dev.carrot.route.Decision;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Router;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.router.ChatModelWrapper;
import dev.langchain4j.model.router.ModelRoutingStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link ModelRoutingStrategy} for LangChain4j's community {@code ModelRouter} that sends each request to the
 * route a carrot router predicts is best for it, by the same routed text and per-call options
 * ({@link CarrotChatRequestParameters}) as {@code CarrotChatModel}.
 *
 * <pre>{@code
 * ModelRouter router = ModelRouter.builder()
 *         .addRoutes(gpt4o, gpt4oMini)
 *         .routingStrategy(new FailoverStrategy(
 *                 CarrotRoutingStrategy.builder(carrotRouter).route("gpt-4o", gpt4o).route("gpt-4o-mini", gpt4oMini)
 *                         .mu(0.3).build(),
 *                 Duration.ofMinutes(1)))
 *         .build();
 * }</pre>
 *
 * <p>A route is known by the chat model it wraps (given to {@link Builder#route}) or by the metadata
 * {@value #MODEL_KEY} on its wrapper; routes with neither are never chosen. Each call routes among the routes it is
 * handed, so behind a {@code FailoverStrategy} (as above) a failed model is left out and the request goes to the next
 * best by utility: that is the fallback, and {@code ModelRouter} does the retrying. Returns {@code null} when no
 * handed route is a carrot model (then {@code ModelRouter} takes its default route). Decisions are not in the
 * response (the strategy does not see it): {@link Builder#decisionListener} receives each one.
 */
public final class CarrotRoutingStrategy implements ModelRoutingStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(CarrotRoutingStrategy.class);

    /** The routing-metadata key of a route's carrot model name. */
    public static final String MODEL_KEY = "carrot.model";

    private final Router router;
    private final Map<ChatModel, String> names;
    private final CarrotChatRequestParameters defaults;
    private final Consumer<? super Decision> listener;

    private CarrotRoutingStrategy(Router router, Map<ChatModel, String> names, CarrotChatRequestParameters defaults,
                                  Consumer<? super Decision> listener) {
        this.router = router;
        this.names = names;
        this.defaults = defaults;
        this.listener = listener;
    }

    public static Builder builder(Router router) {
        return new Builder(router);
    }

    /**
     * The route for a request, among those handed in.
     *
     * @throws NoModelFitsException     when a cost cap leaves none of them
     * @throws IllegalArgumentException for a candidate name the router does not know
     */
    @Override
    public ChatModelWrapper route(List<ChatModelWrapper> availableModels, ChatRequest chatRequest) {
        Map<String, ChatModelWrapper> byName = new LinkedHashMap<>();
        for (ChatModelWrapper w : availableModels) {
            String name = nameOf(w);
            if (name != null && router.models().contains(name)) {
                byName.putIfAbsent(name, w);
            }
        }
        CarrotChatRequestParameters options = chatRequest.parameters() instanceof CarrotChatRequestParameters c
                ? defaults.overrideWith(c) : defaults;
        List<String> candidates = new ArrayList<>(byName.keySet());
        if (options.models().isPresent()) {
            for (String n : options.models().get()) {
                if (!router.models().contains(n)) {
                    throw new IllegalArgumentException("models: unknown model '" + n + "'; the router knows "
                            + router.models());
                }
            }
            candidates.retainAll(options.models().get());
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Decision d = options.callOptions().route(router, RoutedText.of(chatRequest.messages()).text(), candidates);
        if (listener != null) {
            try {
                listener.accept(d);
            } catch (RuntimeException e) {
                LOG.warn("the decision listener failed", e);
            }
        }
        return byName.get(d.model());
    }

    private String nameOf(ChatModelWrapper w) {
        Serializable tag = w.getMetadata(MODEL_KEY);
        if (tag instanceof String s) {
            return s;
        }
        return w.model() == null ? null : names.get(w.model());
    }

    /** Builds a {@link CarrotRoutingStrategy}. */
    public static final class Builder {
        private final Router router;
        private final Map<ChatModel, String> names = new IdentityHashMap<>();
        private final CarrotChatRequestParameters.Builder defaults = CarrotChatRequestParameters.builder();
        private Consumer<? super Decision> listener;

        private Builder(Router router) {
            this.router = Objects.requireNonNull(router, "router");
        }

        /** The carrot model name of a chat model given to {@code ModelRouter.addRoutes}. */
        public Builder route(String name, ChatModel model) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            if (!router.models().contains(name)) {
                throw new IllegalArgumentException("model '" + name + "' is not one of the router's models "
                        + router.models());
            }
            if (names.putIfAbsent(model, name) != null) {
                throw new IllegalArgumentException("this chat model is named twice: '" + names.get(model) + "' and '"
                        + name + "'");
            }
            return this;
        }

        /** Default mu in [0, 1]; 0.3 unless set. */
        public Builder mu(double mu) {
            defaults.mu(mu);
            return this;
        }

        /** Default budget in USD per query instead of mu. */
        public Builder budgetUsd(double usd) {
            router.budgetChoice(usd); // no calibration: IllegalStateException now, not on the first call
            defaults.budgetUsd(usd);
            return this;
        }

        /** Default cap on the predicted cost of a call in USD. */
        public Builder maxCostUsd(double usd) {
            defaults.maxCostUsd(usd);
            return this;
        }

        /** Receives each decision. */
        public Builder decisionListener(Consumer<? super Decision> l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        public CarrotRoutingStrategy build() {
            return new CarrotRoutingStrategy(router, new IdentityHashMap<>(names), defaults.build(), listener);
        }
    }
}

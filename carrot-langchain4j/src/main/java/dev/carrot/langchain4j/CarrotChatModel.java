package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.carrot.langchain4j.internal.RoutingCore;
import dev.carrot.route.Receipt;
import dev.carrot.route.Router;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

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
        Set<Capability> common = null;
        for (String m : core.routable()) {
            Set<Capability> c = models.get(m).supportedCapabilities();
            if (common == null) {
                common = c.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(c);
            } else {
                common.retainAll(c);
            }
        }
        this.capabilities = common == null ? Set.of() : Set.copyOf(common);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        RoutingCore.Plan p = core.plan(request);
        List<RoutedCall.Attempt> attempts = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = 0; ; i++) {
            Receipt r = p.chain().get(i);
            long t0 = System.nanoTime();
            ChatResponse answer;
            try {
                answer = models.get(r.model()).chat(p.forward());
            } catch (RuntimeException e) {
                attempts.add(RoutingCore.Plan.failed(r.model(), e, t0, false));
                if (i + 1 < p.chain().size() && core.fallsBackOn(e)) {
                    core.logFallback(p, r.model(), e, p.chain().get(i + 1).model());
                    failures.add(e);
                    continue;
                }
                for (RuntimeException earlier : failures) {
                    e.addSuppressed(earlier);
                }
                core.notify(p.decided(r.model(), attempts));
                throw e;
            }
            attempts.add(RoutingCore.Plan.ok(r.model(), t0));
            RoutedCall d = p.decided(r.model(), attempts);
            core.notify(d);
            return CarrotChatResponseMetadata.attach(answer, d);
        }
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
    public static final class Builder {
        private Router router;
        private final Map<String, ChatModel> models = new LinkedHashMap<>();
        private final CarrotChatRequestParameters.Builder defaults = CarrotChatRequestParameters.builder();
        private int maxFallbacks = RoutingCore.DEFAULT_MAX_FALLBACKS;
        private Predicate<? super Throwable> fallbackWhen = RoutingCore.DEFAULT_FALLBACK;
        private Consumer<? super RoutedCall> decisionListener;
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The router that chooses (its model names name the chat models). */
        public Builder router(Router router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /** A model the router may choose, under its name in the router. */
        public Builder model(String name, ChatModel model) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            if (model instanceof CarrotChatModel) {
                throw new IllegalArgumentException("model '" + name + "' is itself a CarrotChatModel");
            }
            if (models.putIfAbsent(name, model) != null) {
                throw new IllegalArgumentException("model '" + name + "' is given twice");
            }
            return this;
        }

        /** The models the router may choose, by their names in the router. */
        public Builder models(Map<String, ? extends ChatModel> byName) {
            byName.forEach(this::model);
            return this;
        }

        /** Default mu in [0, 1] when a call gives neither mu nor a budget; 0.3 unless set. */
        public Builder mu(double mu) {
            defaults.mu(mu);
            return this;
        }

        /** Default budget in USD per query instead of mu (the router needs a budget calibration). */
        public Builder budgetUsd(double usd) {
            defaults.budgetUsd(usd);
            return this;
        }

        /** Default candidate models, a subset of the models; all unless set. */
        public Builder candidates(Collection<String> names) {
            defaults.models(names);
            return this;
        }

        /** Default cap on the predicted cost of a call in USD; none unless set. */
        public Builder maxCostUsd(double usd) {
            defaults.maxCostUsd(usd);
            return this;
        }

        /** Further candidates tried after the chosen model fails (0 to 10); 2 unless set. */
        public Builder maxFallbacks(int n) {
            this.maxFallbacks = n;
            return this;
        }

        /**
         * Which failures fall back to the next candidate; by default all but {@code InvalidRequestException} (the
         * provider rejected the request itself: 400, 422, a content filter).
         */
        public Builder fallbackWhen(Predicate<? super Throwable> predicate) {
            this.fallbackWhen = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /** Called once per call with its decision, also when every attempt failed (then no response carries it). */
        public Builder decisionListener(Consumer<? super RoutedCall> listener) {
            this.decisionListener = Objects.requireNonNull(listener, "listener");
            return this;
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
            if (router == null) {
                throw new IllegalStateException("no router: call router(Router.load(dir)) first");
            }
            RoutingCore core = RoutingCore.create(router, models.keySet(), defaults.build(), maxFallbacks,
                    fallbackWhen, decisionListener);
            return new CarrotChatModel(core, Map.copyOf(models), List.copyOf(listeners));
        }
    }
}

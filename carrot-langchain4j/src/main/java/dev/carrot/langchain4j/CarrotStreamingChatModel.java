package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.carrot.langchain4j.internal.RoutingCore;
import dev.carrot.route.Receipt;
import dev.carrot.route.Router;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The streaming twin of {@link CarrotChatModel}: a LangChain4j {@link StreamingChatModel} that streams each request
 * from the model a carrot router chooses, among named streaming chat models, and completes with carrot's decision in
 * the response metadata ({@link CarrotChatResponseMetadata}). The same routed text, per-call options and defaults.
 *
 * <p><b>Fallback before output</b>: when the chosen model fails (throws, or reports an error) before any output has
 * reached the handler (a partial text, thinking or tool call), the next candidate by utility streams instead, and
 * the handler sees only that one's events. Raw provider events that come before the first output are held back until
 * it comes, and dropped with a failed attempt. Once output has begun, a failure ends the stream with
 * {@code onError} (nothing is retried: the handler has seen part of an answer), and the decision records it as
 * {@link RoutedCall.Outcome#FAILED_AFTER_OUTPUT}.
 *
 * <p>Request errors (a bad option, no model under the cost cap) are thrown by {@code chat} itself, before any model is
 * called. Immutable and thread-safe when the models are; the router is the caller's.
 */
public final class CarrotStreamingChatModel implements StreamingChatModel {
    private final RoutingCore core;
    private final Map<String, StreamingChatModel> models;
    private final List<ChatModelListener> listeners;
    private final Set<Capability> capabilities;

    private CarrotStreamingChatModel(RoutingCore core, Map<String, StreamingChatModel> models,
                                     List<ChatModelListener> listeners) {
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
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        new Call(core.plan(request), handler).attempt(0);
    }

    /** The models this chat model may send to, in the router's order. */
    public List<String> models() {
        return core.routable();
    }

    /** The router (the caller's; not closed by this class). */
    public Router router() {
        return core.router();
    }

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

    /** One streamed call: its plan, its attempts, the caller's handler. */
    private final class Call {
        private final RoutingCore.Plan plan;
        private final StreamingChatResponseHandler user;
        private final List<RoutedCall.Attempt> attempts = new ArrayList<>(); // guarded by this
        private final List<Throwable> failures = new ArrayList<>(); // guarded by this

        Call(RoutingCore.Plan plan, StreamingChatResponseHandler user) {
            this.plan = plan;
            this.user = user;
        }

        void attempt(int i) {
            Receipt r = plan.chain().get(i);
            Attempt a = new Attempt(i, r.model(), System.nanoTime());
            try {
                models.get(r.model()).chat(plan.forward(), a);
            } catch (RuntimeException e) {
                a.onError(e);
            }
        }

        /** The handler of one attempt: passes events on, holds raw ones until the first output, falls back. */
        private final class Attempt implements StreamingChatResponseHandler {
            private final int index;
            private final String model;
            private final long t0;
            private final AtomicBoolean finished = new AtomicBoolean();
            private volatile boolean output;
            private List<Object> heldRaw; // guarded by this

            Attempt(int index, String model, long t0) {
                this.index = index;
                this.model = model;
                this.t0 = t0;
            }

            /** The first output: raw events held so far go first. */
            private void output() {
                if (output) {
                    return;
                }
                List<Object> held;
                synchronized (this) {
                    output = true;
                    held = heldRaw;
                    heldRaw = null;
                }
                if (held != null) {
                    for (Object e : held) {
                        user.onUnmappedRawEvent(e);
                    }
                }
            }

            @Override
            public void onPartialResponse(String partialResponse) {
                output();
                user.onPartialResponse(partialResponse);
            }

            @Override
            public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
                output();
                user.onPartialResponse(partialResponse, context);
            }

            @Override
            public void onPartialThinking(PartialThinking partialThinking) {
                output();
                user.onPartialThinking(partialThinking);
            }

            @Override
            public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
                output();
                user.onPartialThinking(partialThinking, context);
            }

            @Override
            public void onPartialToolCall(PartialToolCall partialToolCall) {
                output();
                user.onPartialToolCall(partialToolCall);
            }

            @Override
            public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
                output();
                user.onPartialToolCall(partialToolCall, context);
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall completeToolCall) {
                output();
                user.onCompleteToolCall(completeToolCall);
            }

            @Override
            public void onUnmappedRawEvent(Object rawEvent) {
                if (!output) {
                    synchronized (this) {
                        if (!output) {
                            if (heldRaw == null) {
                                heldRaw = new ArrayList<>();
                            }
                            heldRaw.add(rawEvent);
                            return;
                        }
                    }
                }
                user.onUnmappedRawEvent(rawEvent);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                output();
                RoutedCall d;
                synchronized (Call.this) {
                    attempts.add(RoutingCore.Plan.ok(model, t0));
                    d = plan.decided(model, attempts);
                }
                core.notify(d);
                user.onCompleteResponse(CarrotChatResponseMetadata.attach(completeResponse, d));
            }

            @Override
            public void onError(Throwable error) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                boolean fallBack = !output && index + 1 < plan.chain().size() && core.fallsBackOn(error);
                RoutedCall d;
                synchronized (Call.this) {
                    attempts.add(RoutingCore.Plan.failed(model, error, t0, output));
                    if (fallBack) {
                        failures.add(error);
                        d = null;
                    } else {
                        for (Throwable earlier : failures) {
                            error.addSuppressed(earlier);
                        }
                        d = plan.decided(model, attempts);
                    }
                }
                if (fallBack) {
                    core.logFallback(plan, model, error, plan.chain().get(index + 1).model());
                    attempt(index + 1);
                    return;
                }
                core.notify(d);
                user.onError(error);
            }
        }
    }

    /** Builds a {@link CarrotStreamingChatModel}; every setting but the router and the models has a default. */
    public static final class Builder {
        private Router router;
        private final Map<String, StreamingChatModel> models = new LinkedHashMap<>();
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
        public Builder model(String name, StreamingChatModel model) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            if (model instanceof CarrotStreamingChatModel) {
                throw new IllegalArgumentException("model '" + name + "' is itself a CarrotStreamingChatModel");
            }
            if (models.putIfAbsent(name, model) != null) {
                throw new IllegalArgumentException("model '" + name + "' is given twice");
            }
            return this;
        }

        /** The models the router may choose, by their names in the router. */
        public Builder models(Map<String, ? extends StreamingChatModel> byName) {
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

        /** Further candidates tried after the chosen model fails before any output (0 to 10); 2 unless set. */
        public Builder maxFallbacks(int n) {
            this.maxFallbacks = n;
            return this;
        }

        /** Which failures before output fall back; by default all but {@code InvalidRequestException}. */
        public Builder fallbackWhen(Predicate<? super Throwable> predicate) {
            this.fallbackWhen = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /** Called once per call with its decision, also when the call failed. */
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
        public CarrotStreamingChatModel build() {
            if (router == null) {
                throw new IllegalStateException("no router: call router(Router.load(dir)) first");
            }
            RoutingCore core = RoutingCore.create(router, models.keySet(), defaults.build(), maxFallbacks,
                    fallbackWhen, decisionListener);
            return new CarrotStreamingChatModel(core, Map.copyOf(models), List.copyOf(listeners));
        }
    }
}

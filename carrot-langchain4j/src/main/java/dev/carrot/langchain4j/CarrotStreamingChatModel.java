package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.carrot.langchain4j.internal.RoutingCore;
import dev.carrot.route.Router;
import dev.carrot.route.RoutingModelBuilder;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
        this.capabilities = core.common(m -> models.get(m).supportedCapabilities());
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

        Call(RoutingCore.Plan plan, StreamingChatResponseHandler user) {
            this.plan = plan;
            this.user = user;
        }

        void attempt(int i) {
            String model = plan.call().chain().get(i);
            Attempt a = new Attempt(i, model, System.nanoTime());
            try {
                models.get(model).chat(plan.forward(), a);
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
                RoutedCall d = plan.call().answered(model, t0);
                user.onCompleteResponse(CarrotChatResponseMetadata.attach(completeResponse, d));
            }

            @Override
            public void onError(Throwable error) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                if (plan.call().failed(index, error, t0, output)) {
                    attempt(index + 1);
                    return;
                }
                user.onError(error);
            }
        }
    }

    /** Builds a {@link CarrotStreamingChatModel}; every setting but the router and the models has a default. */
    public static final class Builder extends RoutingModelBuilder<StreamingChatModel, Builder> {
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder() {
            super(CarrotStreamingChatModel.class, RoutingCore.DEFAULT_FALLBACK);
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
            RoutingCore core = new RoutingCore(callRouter("dev.carrot.langchain4j"));
            return new CarrotStreamingChatModel(core, Map.copyOf(models()), List.copyOf(listeners));
        }
    }
}

package dev.carrot.springai;

import dev.carrot.route.CallOptions;
import dev.carrot.route.CallRouter;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.RoutingModelBuilder;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.retry.NonTransientAiException;
import reactor.core.publisher.Flux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spring AI {@link ChatModel} that routes: each prompt goes to the model a carrot router chooses for it, among
 * named Spring AI chat models (OpenAI, Anthropic, Ollama, ... beans), and comes back with what carrot did, a
 * {@link RoutedCall}, under the metadata key {@value #METADATA_KEY} ({@link #routedCall(ChatResponse)}).
 *
 * <p><b>What is routed</b>: the last user message's text; if no user message has text, the last message that has
 * (system, assistant, tool responses joined by newlines). System prompts and earlier turns are sent to the chosen
 * model but not routed, as in carrot's gateway and LangChain4j chat model. The decision is exactly
 * {@code router.route(text, mu, options)}.
 *
 * <p><b>Per call</b>: {@link CarrotChatOptions} in the prompt give mu or a budget, candidates and a cost cap over the
 * defaults of the builder. Other options are passed on as they are; a prompt whose options name a model is refused.
 *
 * <p><b>Fallback</b>: when the chosen model throws (for a stream: fails before its first chunk), the next candidate
 * by utility is tried, at most {@code maxFallbacks} more (2 unless set), never one outside the candidates or over
 * the cap. A request the provider refused as invalid (400, 422) is not retried elsewhere. When every attempt fails,
 * the last exception is thrown with the earlier ones suppressed.
 *
 * <p>Immutable and thread-safe when the models are. The router is the caller's (the auto-configuration closes the
 * one it loads).
 */
public final class CarrotChatModel implements ChatModel {
    /** The response-metadata key of the {@link RoutedCall}. */
    public static final String METADATA_KEY = "carrot";
    /** mu when neither the call nor the builder gives mu or a budget (the gateway's default). */
    public static final double DEFAULT_MU = CallOptions.DEFAULT_MU;
    public static final int DEFAULT_MAX_FALLBACKS = CallRouter.DEFAULT_MAX_FALLBACKS;

    private static final Pattern STATUS = Pattern.compile("^(\\d{3}) - ");

    /**
     * Falls back on anything but a request the provider refused as invalid: Spring AI's clients report 4xx answers as
     * {@link NonTransientAiException} with a message {@code "STATUS - body"}; 400 and 422 do not fall back, other
     * statuses (a rejected key, an unknown model, a rate limit) and every other failure do.
     */
    public static final Predicate<Throwable> DEFAULT_FALLBACK = e -> {
        if (e instanceof NonTransientAiException && e.getMessage() != null) {
            Matcher m = STATUS.matcher(e.getMessage());
            return !(m.find() && (m.group(1).equals("400") || m.group(1).equals("422")));
        }
        return true;
    };

    private final CallRouter calls;
    private final Map<String, ChatModel> models;

    private CarrotChatModel(CallRouter calls, Map<String, ChatModel> models) {
        this.calls = calls;
        this.models = Map.copyOf(models);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What carrot did for a response, if a carrot chat model made it. */
    public static Optional<RoutedCall> routedCall(ChatResponse response) {
        Objects.requireNonNull(response, "response");
        ChatResponseMetadata m = response.getMetadata();
        Object v = m == null ? null : m.get(METADATA_KEY);
        return v instanceof RoutedCall c ? Optional.of(c) : Optional.empty();
    }

    /** The models this chat model may send to, in the router's order. */
    public List<String> models() {
        return calls.routable();
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return ChatOptions.builder().build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        Plan p = plan(prompt);
        return p.call.run(m -> models.get(m).call(p.forward), CarrotChatModel::attach);
    }

    /**
     * Streams from the chosen model; falls back while no chunk has arrived. Every chunk carries the call under
     * {@value #METADATA_KEY}, its attempt recorded as answering (a stream cut short after its first chunk ends with the
     * error, and the decision listener hears {@code FAILED_AFTER_OUTPUT}).
     */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.defer(() -> attempt(plan(prompt), 0));
    }

    private Flux<ChatResponse> attempt(Plan p, int i) {
        String m = p.call.chain().get(i);
        long t0 = System.nanoTime();
        AtomicReference<RoutedCall> answering = new AtomicReference<>();
        return Flux.defer(() -> models.get(m).stream(p.forward))
                .map(chunk -> {
                    RoutedCall c = answering.get();
                    if (c == null) {
                        c = p.call.answering(m, t0);
                        answering.set(c);
                    }
                    return attach(chunk, c);
                })
                .doOnComplete(() -> {
                    RoutedCall c = answering.get();
                    // an empty stream answered nothing, but it did not fail
                    p.call.finished(c != null ? c : p.call.answering(m, t0));
                })
                .onErrorResume(e -> p.call.failed(i, e, t0, answering.get() != null) ? attempt(p, i + 1)
                        : Flux.error(e));
    }

    // ------------------------------------------------------------------------------------------------ the plan

    /** One call: the routed call (its decision, the models to try, the attempts) and the prompt the models get. */
    private record Plan(CallRouter.Call call, Prompt forward) {
    }

    private Plan plan(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        ChatOptions given = prompt.getOptions();
        if (given != null && given.getModel() != null) {
            throw new IllegalArgumentException("the prompt's options name the model '" + given.getModel() + "', but a"
                    + " carrot chat model chooses the model itself; to choose among some models, give them with"
                    + " CarrotChatOptions.builder().models(...) (this one routes among " + calls.routable() + ")");
        }
        CallOptions o = given instanceof CarrotChatOptions c ? c.callOptions() : CallOptions.none();
        String[] text = routedText(prompt.getInstructions());
        CallRouter.Call call = calls.route(text[0], text[1], o);
        ChatOptions forwardOptions = given instanceof CarrotChatOptions c ? c.withoutCarrotSettings() : given;
        return new Plan(call, new Prompt(prompt.getInstructions(), forwardOptions));
    }

    /** The routed text and where it came from (the rule of carrot-serve and carrot-langchain4j). */
    static String[] routedText(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u && u.getText() != null) {
                return new String[]{u.getText(), "last_user_message"};
            }
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            String t = text(messages.get(i));
            if (t != null) {
                return new String[]{t, "last_message"};
            }
        }
        return new String[]{"", "none"};
    }

    private static String text(Message m) {
        if (m instanceof ToolResponseMessage t) {
            List<String> parts = new ArrayList<>();
            for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
                if (r.responseData() != null) {
                    parts.add(r.responseData());
                }
            }
            return parts.isEmpty() ? null : String.join("\n", parts);
        }
        return m.getText();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static ChatResponse attach(ChatResponse r, RoutedCall c) {
        ChatResponseMetadata m = r.getMetadata();
        ChatResponseMetadata.Builder b = ChatResponseMetadata.builder();
        if (m != null) {
            b.id(m.getId()).model(m.getModel()).usage(m.getUsage()).rateLimit(m.getRateLimit())
                    .promptMetadata(m.getPromptMetadata());
            for (Map.Entry<String, Object> e : m.entrySet()) {
                b.keyValue(e.getKey(), e.getValue());
            }
        }
        b.keyValue(METADATA_KEY, c);
        return ChatResponse.builder().from(r).metadata(b.build()).build();
    }

    /** Builds a {@link CarrotChatModel}; every setting but the router and the models has a default. */
    public static final class Builder extends RoutingModelBuilder<ChatModel, Builder> {

        private Builder() {
            super(CarrotChatModel.class, DEFAULT_FALLBACK);
        }

        /**
         * @throws IllegalStateException    without a router, with both a default mu and budget, or with a default
         *                                  budget and a router without a budget calibration
         * @throws IllegalArgumentException for no models or a name the router does not know
         */
        public CarrotChatModel build() {
            return new CarrotChatModel(callRouter(CarrotChatModel.class.getName()), models());
        }
    }
}

package dev.carrot.springai;

import dev.carrot.route.Decision;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
    private static final Logger LOG = LoggerFactory.getLogger(CarrotChatModel.class);

    /** The response-metadata key of the {@link RoutedCall}. */
    public static final String METADATA_KEY = "carrot";
    /** mu when neither the call nor the builder gives mu or a budget (the gateway's default). */
    public static final double DEFAULT_MU = 0.3;
    public static final int DEFAULT_MAX_FALLBACKS = 2;

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

    private final Router router;
    private final Map<String, ChatModel> models;
    private final List<String> routable;
    private final CarrotChatOptions defaults;
    private final int maxFallbacks;
    private final Predicate<? super Throwable> fallbackWhen;
    private final Consumer<? super RoutedCall> listener;

    private CarrotChatModel(Builder b, List<String> routable) {
        this.router = b.router;
        this.models = Map.copyOf(b.models);
        this.routable = List.copyOf(routable);
        this.defaults = b.defaults.build();
        this.maxFallbacks = b.maxFallbacks;
        this.fallbackWhen = b.fallbackWhen;
        this.listener = b.listener;
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
        return routable;
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return ChatOptions.builder().build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        Plan p = plan(prompt);
        List<RoutedCall.Attempt> attempts = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = 0; ; i++) {
            String m = p.chain.get(i);
            long t0 = System.nanoTime();
            ChatResponse answer;
            try {
                answer = models.get(m).call(p.forward);
            } catch (RuntimeException e) {
                attempts.add(failed(m, e, t0, false));
                if (i + 1 < p.chain.size() && fallsBackOn(e)) {
                    LOG.info("decision {}: {} failed ({}), falling back to {}", p.id, m, describe(e), p.chain.get(i + 1));
                    failures.add(e);
                    continue;
                }
                failures.forEach(e::addSuppressed);
                notify(p.decided(m, attempts));
                throw e;
            }
            attempts.add(ok(m, t0));
            RoutedCall c = p.decided(m, attempts);
            notify(c);
            return attach(answer, c);
        }
    }

    /**
     * Streams from the chosen model; falls back while no chunk has arrived. Every chunk carries the call under
     * {@value #METADATA_KEY}, its attempt recorded as answering (a stream cut short after its first chunk ends with the
     * error, and the decision listener hears {@code FAILED_AFTER_OUTPUT}).
     */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.defer(() -> {
            Plan p = plan(prompt);
            return attempt(p, 0, new ArrayList<>(), new ArrayList<>());
        });
    }

    private Flux<ChatResponse> attempt(Plan p, int i, List<RoutedCall.Attempt> attempts, List<Throwable> failures) {
        String m = p.chain.get(i);
        long t0 = System.nanoTime();
        AtomicReference<RoutedCall> answering = new AtomicReference<>();
        return Flux.defer(() -> models.get(m).stream(p.forward))
                .map(chunk -> {
                    RoutedCall c = answering.get();
                    if (c == null) {
                        List<RoutedCall.Attempt> now = new ArrayList<>(attempts);
                        now.add(ok(m, t0));
                        c = p.decided(m, now);
                        answering.set(c);
                    }
                    return attach(chunk, c);
                })
                .doOnComplete(() -> {
                    RoutedCall c = answering.get();
                    if (c == null) { // an empty stream: it answered nothing, but it did not fail
                        List<RoutedCall.Attempt> now = new ArrayList<>(attempts);
                        now.add(ok(m, t0));
                        c = p.decided(m, now);
                    }
                    notify(c);
                })
                .onErrorResume(e -> {
                    boolean output = answering.get() != null;
                    attempts.add(failed(m, e, t0, output));
                    if (!output && i + 1 < p.chain.size() && fallsBackOn(e)) {
                        LOG.info("decision {}: {} failed ({}), falling back to {}", p.id, m, describe(e),
                                p.chain.get(i + 1));
                        failures.add(e);
                        return attempt(p, i + 1, attempts, failures);
                    }
                    failures.forEach(e::addSuppressed);
                    notify(p.decided(m, attempts));
                    return Flux.error(e);
                });
    }

    // ------------------------------------------------------------------------------------------------ the plan

    /** One call: its id, routed text, decision, models to try and the prompt they get. */
    private record Plan(String id, String routedFrom, int routedChars, Decision decision, List<String> chain,
                        Prompt forward) {
        RoutedCall decided(String model, List<RoutedCall.Attempt> attempts) {
            return new RoutedCall(id, model, decision.receipt(model).costUsd(), routedFrom, routedChars, decision,
                    attempts);
        }
    }

    private Plan plan(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        ChatOptions given = prompt.getOptions();
        if (given != null && given.getModel() != null) {
            throw new IllegalArgumentException("the prompt's options name the model '" + given.getModel() + "', but a"
                    + " carrot chat model chooses the model itself; to choose among some models, give them with"
                    + " CarrotChatOptions.builder().models(...) (this one routes among " + routable + ")");
        }
        CarrotChatOptions o = given instanceof CarrotChatOptions c ? c.over(defaults) : defaults;
        List<String> candidates = o.models().isPresent() ? check(o.models().get(), "models") : routable;
        RouteOptions ro = RouteOptions.defaults().onlyModels(candidates);
        if (o.maxCostUsd().isPresent()) {
            ro = ro.withMaxCostUsd(o.maxCostUsd().getAsDouble()).onNoFit(RouteOptions.NoFit.FAIL);
        }
        String[] text = routedText(prompt.getInstructions());
        Decision d = o.budgetUsd().isPresent() ? router.routeWithBudget(text[0], o.budgetUsd().getAsDouble(), ro)
                : router.route(text[0], o.mu().orElse(DEFAULT_MU), ro);
        List<String> chain = new ArrayList<>();
        for (Receipt r : d.candidatesByUtility()) {
            if (chain.size() <= maxFallbacks) {
                chain.add(r.model());
            }
        }
        ChatOptions forwardOptions = given instanceof CarrotChatOptions c ? c.over(defaults).withoutCarrotSettings()
                : given;
        Prompt forward = new Prompt(prompt.getInstructions(), forwardOptions);
        return new Plan(RoutedCall.newDecisionId(), text[1], text[0].length(), d, List.copyOf(chain), forward);
    }

    private List<String> check(List<String> names, String setting) {
        for (String n : names) {
            if (!routable.contains(n)) {
                throw new IllegalArgumentException(setting + ": unknown model '" + n + "'; this carrot chat model"
                        + " routes among " + routable);
            }
        }
        return names;
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

    private boolean fallsBackOn(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        try {
            return fallbackWhen.test(e);
        } catch (RuntimeException ex) {
            LOG.warn("the fallback predicate failed on {}; not falling back", e.toString(), ex);
            return false;
        }
    }

    private void notify(RoutedCall c) {
        if (listener == null) {
            return;
        }
        try {
            listener.accept(c);
        } catch (RuntimeException e) {
            LOG.warn("decision {}: the decision listener failed", c.decisionId(), e);
        }
    }

    private static RoutedCall.Attempt ok(String model, long t0) {
        return new RoutedCall.Attempt(model, RoutedCall.Outcome.OK, Optional.empty(),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    private static RoutedCall.Attempt failed(String model, Throwable e, long t0, boolean afterOutput) {
        return new RoutedCall.Attempt(model, afterOutput ? RoutedCall.Outcome.FAILED_AFTER_OUTPUT
                : RoutedCall.Outcome.FAILED, Optional.of(describe(e)), Duration.ofNanos(System.nanoTime() - t0));
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Builds a {@link CarrotChatModel}; every setting but the router and the models has a default. */
    public static final class Builder {
        private Router router;
        private final Map<String, ChatModel> models = new LinkedHashMap<>();
        private CarrotChatOptions.Builder defaults = CarrotChatOptions.builder();
        private int maxFallbacks = DEFAULT_MAX_FALLBACKS;
        private Predicate<? super Throwable> fallbackWhen = DEFAULT_FALLBACK;
        private Consumer<? super RoutedCall> listener;

        private Builder() {
        }

        public Builder router(Router r) {
            this.router = Objects.requireNonNull(r, "router");
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

        /** Default mu in [0, 1]; 0.3 unless set. */
        public Builder mu(double mu) {
            defaults.mu(mu);
            return this;
        }

        /** Default budget in USD per query instead of mu. */
        public Builder budgetUsd(double usd) {
            defaults.budgetUsd(usd);
            return this;
        }

        /** Default candidates, a subset of the models; all unless set. */
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
            if (n < 0 || n > 10) {
                throw new IllegalArgumentException("maxFallbacks must be in 0..10, got " + n);
            }
            this.maxFallbacks = n;
            return this;
        }

        /** Which failures fall back to the next candidate; {@link #DEFAULT_FALLBACK} unless set. */
        public Builder fallbackWhen(Predicate<? super Throwable> p) {
            this.fallbackWhen = Objects.requireNonNull(p, "predicate");
            return this;
        }

        /** Called once per call with what carrot did, also when every attempt failed. */
        public Builder decisionListener(Consumer<? super RoutedCall> l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * @throws IllegalStateException    without a router, with both a default mu and budget, or with a default
         *                                  budget and a router without a budget calibration
         * @throws IllegalArgumentException for no models or a name the router does not know
         */
        public CarrotChatModel build() {
            if (router == null) {
                throw new IllegalStateException("no router: call router(Router.load(dir)) first");
            }
            if (models.isEmpty()) {
                throw new IllegalArgumentException("no models: give at least one model name with its chat model (the"
                        + " router knows " + router.models() + ")");
            }
            for (String n : models.keySet()) {
                if (!router.models().contains(n)) {
                    throw new IllegalArgumentException("model '" + n + "' is not one of the router's models "
                            + router.models() + "; name each chat model as the router does");
                }
            }
            List<String> routable = new ArrayList<>();
            for (String m : router.models()) {
                if (models.containsKey(m)) {
                    routable.add(m);
                }
            }
            CarrotChatModel c = new CarrotChatModel(this, routable);
            c.defaults.models().ifPresent(ms -> c.check(ms, "models"));
            if (c.defaults.budgetUsd().isPresent()) {
                router.budgetChoice(c.defaults.budgetUsd().getAsDouble());
            }
            return c;
        }
    }
}

package dev.carrot.langchain4j.internal;

import dev.carrot.route.RoutedCall;
import dev.carrot.langchain4j.CarrotChatRequestParameters;
import dev.carrot.route.Decision;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a carrot chat model knows (the router, the models it may send to, the builder defaults) and does before it
 * calls a model: read the per-call options, route the routed text, and order the candidates for fallback, with the
 * gateway's semantics (carrot-serve's {@code RouterAdapter} and {@code ChatCall}). Immutable and thread-safe.
 */
public final class RoutingCore {
    private static final Logger LOG = LoggerFactory.getLogger("dev.carrot.langchain4j");

    /** mu when neither the call nor the builder gives mu or a budget (the gateway's default). */
    public static final double DEFAULT_MU = 0.3;
    /** Further candidates tried after the first fails, unless the builder says otherwise (the gateway's default). */
    public static final int DEFAULT_MAX_FALLBACKS = 2;
    public static final int MAX_FALLBACKS_LIMIT = 10;

    /**
     * Falls back on anything but a request the provider rejected as invalid (400, 422, a content filter): another
     * model would reject it too. Rate limits, server errors, time-outs, rejected keys, unknown model names and broken
     * connections fall back.
     */
    public static final Predicate<Throwable> DEFAULT_FALLBACK = e -> !(e instanceof InvalidRequestException);

    private final Router router;
    private final List<String> routable;
    private final CarrotChatRequestParameters defaults;
    private final int maxFallbacks;
    private final Predicate<? super Throwable> fallbackWhen;
    private final Consumer<? super RoutedCall> listener;

    private RoutingCore(Router router, List<String> routable, CarrotChatRequestParameters defaults, int maxFallbacks,
                        Predicate<? super Throwable> fallbackWhen, Consumer<? super RoutedCall> listener) {
        this.router = router;
        this.routable = routable;
        this.defaults = defaults;
        this.maxFallbacks = maxFallbacks;
        this.fallbackWhen = fallbackWhen;
        this.listener = listener;
    }

    /**
     * Checks a builder's settings once.
     *
     * @param modelNames the names of the models given to the builder: each must be a model of the router
     * @throws IllegalArgumentException naming the setting that does not fit
     * @throws IllegalStateException    when a default budget is given but the router has no budget calibration
     */
    public static RoutingCore create(Router router, Collection<String> modelNames, CarrotChatRequestParameters defaults,
                                     int maxFallbacks, Predicate<? super Throwable> fallbackWhen,
                                     Consumer<? super RoutedCall> listener) {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(modelNames, "models");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(fallbackWhen, "fallbackWhen");
        if (modelNames.isEmpty()) {
            throw new IllegalArgumentException("no models: give at least one model name with its chat model (the"
                    + " router knows " + router.models() + ")");
        }
        for (String n : modelNames) {
            if (!router.models().contains(n)) {
                throw new IllegalArgumentException("model '" + n + "' is not one of the router's models "
                        + router.models() + "; name each chat model as the router does");
            }
        }
        if (maxFallbacks < 0 || maxFallbacks > MAX_FALLBACKS_LIMIT) {
            throw new IllegalArgumentException("maxFallbacks must be in 0.." + MAX_FALLBACKS_LIMIT + ", got "
                    + maxFallbacks);
        }
        List<String> routable = new ArrayList<>();
        for (String m : router.models()) {
            if (modelNames.contains(m)) {
                routable.add(m);
            }
        }
        if (routable.size() < router.models().size()) {
            List<String> missing = new ArrayList<>(router.models());
            missing.removeAll(routable);
            LOG.info("the router's models {} have no chat model: they are never chosen", missing);
        }
        RoutingCore core = new RoutingCore(router, List.copyOf(routable), defaults, maxFallbacks, fallbackWhen,
                listener);
        if (defaults.models().isPresent()) {
            core.candidates(defaults.models().get(), "models");
        }
        if (defaults.budgetUsd().isPresent()) {
            router.budgetChoice(defaults.budgetUsd().getAsDouble()); // no calibration: IllegalStateException now
        }
        return core;
    }

    /** The models this chat model may send to, in the router's order. */
    public List<String> routable() {
        return routable;
    }

    public Router router() {
        return router;
    }

    /**
     * Routes one request: reads its options over the builder defaults, routes its routed text, orders the candidates.
     *
     * @throws IllegalArgumentException for a request that names a model or an unknown candidate
     * @throws NoModelFitsException     when the cost cap leaves no candidate
     */
    public Plan plan(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatRequestParameters params = request.parameters();
        if (params != null && params.modelName() != null) {
            throw new IllegalArgumentException("the request names the model '" + params.modelName() + "', but a"
                    + " carrot chat model chooses the model itself; to choose among some models, give them with"
                    + " CarrotChatRequestParameters.builder().models(...) (this one routes among " + routable + ")");
        }
        CarrotChatRequestParameters options = params instanceof CarrotChatRequestParameters c
                ? defaults.overrideWith(c) : defaults;
        List<String> candidates = options.models().isPresent()
                ? candidates(options.models().get(), "models") : routable;
        RouteOptions ro = RouteOptions.defaults().onlyModels(candidates);
        if (options.maxCostUsd().isPresent()) {
            // like the gateway: a cap is a hard limit, never answered by a model predicted to cost more
            ro = ro.withMaxCostUsd(options.maxCostUsd().getAsDouble()).onNoFit(RouteOptions.NoFit.FAIL);
        }
        RoutedText text = RoutedText.of(request.messages());
        OptionalDouble budget = options.budgetUsd();
        Decision d = budget.isPresent() ? router.routeWithBudget(text.text(), budget.getAsDouble(), ro)
                : router.route(text.text(), options.mu().orElse(DEFAULT_MU), ro);
        List<Receipt> chain = d.candidatesByUtility();
        if (chain.size() > 1 + maxFallbacks) {
            chain = chain.subList(0, 1 + maxFallbacks);
        }
        ChatRequestParameters forward = params instanceof CarrotChatRequestParameters c
                ? c.withoutCarrotOptions() : params;
        ChatRequest out = ChatRequest.builder().messages(request.messages()).parameters(forward).build();
        return new Plan(RoutedCall.newDecisionId(), text, d, List.copyOf(chain), out);
    }

    private List<String> candidates(List<String> names, String setting) {
        for (String n : names) {
            if (!routable.contains(n)) {
                throw new IllegalArgumentException(setting + ": unknown model '" + n + "'; this carrot chat model"
                        + " routes among " + routable);
            }
        }
        return names;
    }

    /** Whether a failed attempt may be followed by the next candidate. */
    public boolean fallsBackOn(Throwable error) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        try {
            return fallbackWhen.test(error);
        } catch (RuntimeException e) {
            LOG.warn("the fallback predicate failed on {}; not falling back", error.toString(), e);
            return false;
        }
    }

    /** Hands a finished call's decision to the builder's listener; a listener that throws is logged, not passed on. */
    public void notify(RoutedCall d) {
        if (listener == null) {
            return;
        }
        try {
            listener.accept(d);
        } catch (RuntimeException e) {
            LOG.warn("decision {}: the decision listener failed", d.decisionId(), e);
        }
    }

    /** Logs a fallback. */
    public void logFallback(Plan p, String failed, Throwable error, String next) {
        LOG.info("decision {}: {} failed ({}), falling back to {}", p.decisionId(), failed, describe(error), next);
    }

    /** {@code ExceptionClass: message}, for attempts and logs. */
    public static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * One call's plan.
     *
     * @param decisionId the call's id
     * @param text       what was routed
     * @param decision   the router's decision
     * @param chain      the models to try, in order: the chosen one, then at most {@code maxFallbacks} others by
     *                   utility (none outside the candidates or over the cap)
     * @param forward    the request each model gets: the caller's messages and parameters without carrot's options
     */
    public record Plan(String decisionId, RoutedText text, Decision decision, List<Receipt> chain,
                       ChatRequest forward) {

        /** The decision after the attempts so far; {@code model} is the last one tried. */
        public RoutedCall decided(String model, List<RoutedCall.Attempt> attempts) {
            return new RoutedCall(decisionId, model, decision.receipt(model).costUsd(), text.source(),
                    text.text().length(), decision, attempts);
        }

        public static RoutedCall.Attempt ok(String model, long startNanos) {
            return new RoutedCall.Attempt(model, RoutedCall.Outcome.OK, Optional.empty(),
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }

        public static RoutedCall.Attempt failed(String model, Throwable e, long startNanos, boolean afterOutput) {
            return new RoutedCall.Attempt(model, afterOutput ? RoutedCall.Outcome.FAILED_AFTER_OUTPUT
                    : RoutedCall.Outcome.FAILED, Optional.of(describe(e)),
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }
}

package dev.carrot.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The framework-independent half of an adapter that routes calls (carrot's LangChain4j and Spring AI chat models):
 * which models it can call, its default {@link CallOptions}, and for each call the decision and the bounded fallback
 * over {@link Decision#candidatesByUtility()}, recorded as a {@link RoutedCall}. The adapter keeps what is its
 * framework's: which text is routed, how a model is called, how the decision is attached to the answer.
 *
 * <pre>{@code
 * CallRouter routing = CallRouter.builder(router).models(chatModels.keySet()).build();
 * CallRouter.Call call = routing.route(text, "last_user_message", perCallOptions);
 * Answer a = call.run(model -> chatModels.get(model).chat(request), Answer::withDecision);
 * }</pre>
 *
 * <p><b>Fallback</b>: the chosen model first, then at most {@code maxFallbacks} more candidates by utility (none
 * outside the candidates or predicted over the cost cap), each only after the one before it failed without output and
 * the fallback predicate accepts the failure. When every attempt fails, the last failure is the one reported, with
 * the earlier ones as suppressed exceptions. The decision listener hears each call once, when it ends.
 *
 * <p>Immutable and thread-safe; the router is the caller's (never closed here). Fallbacks and a failing listener or
 * predicate are logged through {@link System.Logger} under the name the adapter gives.
 */
public final class CallRouter {
    /** Further candidates tried after the first fails, unless set (the gateway's default). */
    public static final int DEFAULT_MAX_FALLBACKS = 2;
    /** The most further candidates that may be set. */
    public static final int MAX_FALLBACKS_LIMIT = 10;

    private final Router router;
    private final List<String> routable;
    private final CallOptions defaults;
    private final int maxFallbacks;
    private final Predicate<? super Throwable> fallbackWhen;
    private final Consumer<? super RoutedCall> listener;
    private final System.Logger log;

    private CallRouter(Builder b, List<String> routable) {
        this.router = b.router;
        this.routable = List.copyOf(routable);
        this.defaults = b.defaults;
        this.maxFallbacks = b.maxFallbacks;
        this.fallbackWhen = b.fallbackWhen;
        this.listener = b.listener;
        this.log = b.log;
    }

    /** Starts a builder over a router (the caller's; never closed here). */
    public static Builder builder(Router router) {
        return new Builder(router);
    }

    /** The models calls may go to, in the router's order. */
    public List<String> routable() {
        return routable;
    }

    public Router router() {
        return router;
    }

    /** The options of a call that sets none. */
    public CallOptions defaults() {
        return defaults;
    }

    /**
     * Routes one call: its options over the defaults, its text among the candidates, the models to try in order.
     *
     * @param text       what is routed
     * @param routedFrom which part of the request {@code text} is, e.g. {@code last_user_message} (for the record)
     * @param options    the call's own options; {@link CallOptions#none()} for the defaults alone
     * @throws IllegalArgumentException for a candidate that is not {@linkplain #routable() routable}
     * @throws NoModelFitsException     when the cost cap leaves no candidate
     */
    public Call route(String text, String routedFrom, CallOptions options) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(routedFrom, "routedFrom");
        CallOptions o = options.over(defaults);
        List<String> candidates = o.models().isPresent() ? checkCandidates(o.models().get(), "models") : routable;
        Decision d = o.route(router, text, candidates);
        List<String> chain = new ArrayList<>();
        for (Receipt r : d.candidatesByUtility()) {
            if (chain.size() <= maxFallbacks) {
                chain.add(r.model());
            }
        }
        return new Call(RoutedCall.newDecisionId(), routedFrom, text.length(), d, List.copyOf(chain));
    }

    private List<String> checkCandidates(List<String> names, String setting) {
        for (String n : names) {
            if (!routable.contains(n)) {
                throw new IllegalArgumentException(setting + ": unknown model '" + n + "'; this carrot chat model"
                        + " routes among " + routable);
            }
        }
        return names;
    }

    private boolean fallsBackOn(Throwable error) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        try {
            return fallbackWhen.test(error);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, () -> "the fallback predicate failed on " + error
                    + "; not falling back", e);
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
            log.log(System.Logger.Level.WARNING, () -> "decision " + c.decisionId()
                    + ": the decision listener failed", e);
        }
    }

    private static RoutedCall.Attempt attempt(String model, Throwable error, long startNanos, boolean afterOutput) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        if (error == null) {
            return new RoutedCall.Attempt(model, RoutedCall.Outcome.OK, Optional.empty(), took);
        }
        return new RoutedCall.Attempt(model, afterOutput ? RoutedCall.Outcome.FAILED_AFTER_OUTPUT
                : RoutedCall.Outcome.FAILED, Optional.of(describe(error)), took);
    }

    /** {@code ExceptionClass: message}, as attempts record a failure. */
    public static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * One routed call and its attempts so far. {@link #run} makes the attempts for a blocking call; a streaming adapter
     * makes them itself and reports each one's end: {@link #answered}, or {@link #failed}, which says whether to try
     * the next model. Thread-safe: an attempt may end on another thread than it began.
     */
    public final class Call {
        private final String decisionId;
        private final String routedFrom;
        private final int routedChars;
        private final Decision decision;
        private final List<String> chain;
        private final List<RoutedCall.Attempt> attempts = new ArrayList<>(); // guarded by this
        private final List<Throwable> failures = new ArrayList<>(); // guarded by this

        private Call(String decisionId, String routedFrom, int routedChars, Decision decision, List<String> chain) {
            this.decisionId = decisionId;
            this.routedFrom = routedFrom;
            this.routedChars = routedChars;
            this.decision = decision;
            this.chain = chain;
        }

        public String decisionId() {
            return decisionId;
        }

        /** The router's decision for the routed text. */
        public Decision decision() {
            return decision;
        }

        /** The models to try, in order: the chosen one, then at most {@code maxFallbacks} others by utility. */
        public List<String> chain() {
            return chain;
        }

        /**
         * Makes the attempts of a blocking call: calls each model of the {@link #chain()} in turn until one answers or
         * a failure does not fall back, then reports the call to the listener.
         *
         * @param call   calls one model by name; a {@code RuntimeException} is a failed attempt
         * @param attach puts the finished call on the answer
         * @return the first answer, with the call attached
         * @throws RuntimeException the last attempt's failure, with the earlier ones suppressed
         */
        public <T> T run(Function<String, ? extends T> call,
                         BiFunction<? super T, RoutedCall, ? extends T> attach) {
            for (int i = 0; ; i++) {
                String model = chain.get(i);
                long t0 = System.nanoTime();
                T answer;
                try {
                    answer = call.apply(model);
                } catch (RuntimeException e) {
                    if (failed(i, e, t0, false)) {
                        continue;
                    }
                    throw e;
                }
                return attach.apply(answer, answered(model, t0));
            }
        }

        /**
         * The call as it stands if {@code model}, begun at {@code startNanos}, answered now; nothing is recorded and
         * nobody is told (for output that goes out before the call ends).
         */
        public RoutedCall answering(String model, long startNanos) {
            List<RoutedCall.Attempt> now;
            synchronized (this) {
                now = new ArrayList<>(attempts);
            }
            now.add(attempt(model, null, startNanos, false));
            return decided(model, now);
        }

        /** Records that {@code model}, begun at {@code startNanos}, answered; the call is over: tells the listener. */
        public RoutedCall answered(String model, long startNanos) {
            RoutedCall c;
            synchronized (this) {
                attempts.add(attempt(model, null, startNanos, false));
                c = decided(model, attempts);
            }
            finished(c);
            return c;
        }

        /** Tells the listener that the call ended as {@code c} says (for a call whose answer came as it streamed). */
        public void finished(RoutedCall c) {
            CallRouter.this.notify(c);
        }

        /**
         * Records that attempt {@code index} failed. If the next model of the chain is to be tried (the failure came
         * before any output, the chain has one, the fallback predicate accepts it), says so and returns {@code true}.
         * Otherwise the call is over: the earlier failures are added to {@code error} as suppressed exceptions, the
         * listener is told, and the caller passes {@code error} on.
         *
         * @param afterOutput whether part of the answer had reached the caller (then nothing more is tried)
         */
        public boolean failed(int index, Throwable error, long startNanos, boolean afterOutput) {
            String model = chain.get(index);
            boolean fallBack = !afterOutput && index + 1 < chain.size() && fallsBackOn(error);
            RoutedCall c = null;
            synchronized (this) {
                attempts.add(attempt(model, error, startNanos, afterOutput));
                if (fallBack) {
                    failures.add(error);
                } else {
                    for (Throwable earlier : failures) {
                        error.addSuppressed(earlier);
                    }
                    c = decided(model, attempts);
                }
            }
            if (fallBack) {
                log.log(System.Logger.Level.INFO, "decision {0}: {1} failed ({2}), falling back to {3}", decisionId,
                        model, describe(error), chain.get(index + 1));
                return true;
            }
            finished(c);
            return false;
        }

        private RoutedCall decided(String model, List<RoutedCall.Attempt> so) {
            return new RoutedCall(decisionId, model, decision.receipt(model).costUsd(), routedFrom, routedChars,
                    decision, so);
        }
    }

    /** Builds a {@link CallRouter}; everything but the router and the models has a default. */
    public static final class Builder {
        private final Router router;
        private Collection<String> models;
        private CallOptions defaults = CallOptions.none();
        private int maxFallbacks = DEFAULT_MAX_FALLBACKS;
        private Predicate<? super Throwable> fallbackWhen = e -> true;
        private Consumer<? super RoutedCall> listener;
        private System.Logger log = System.getLogger(CallRouter.class.getName());

        private Builder(Router router) {
            this.router = Objects.requireNonNull(router, "router");
        }

        /** The names of the models the adapter can call: each must be one of the router's. */
        public Builder models(Collection<String> names) {
            this.models = List.copyOf(names);
            return this;
        }

        /** The options of a call that sets none; {@link CallOptions#none()} unless set. */
        public Builder defaults(CallOptions options) {
            this.defaults = Objects.requireNonNull(options, "defaults");
            return this;
        }

        /** Further candidates tried after the chosen model fails (0 to {@value #MAX_FALLBACKS_LIMIT}); 2 unless set. */
        public Builder maxFallbacks(int n) {
            this.maxFallbacks = n;
            return this;
        }

        /** Which failures fall back to the next candidate; all unless set. */
        public Builder fallbackWhen(Predicate<? super Throwable> predicate) {
            this.fallbackWhen = Objects.requireNonNull(predicate, "fallbackWhen");
            return this;
        }

        /** Told once per call, when it ends (also when every attempt failed); none unless set. */
        public Builder listener(Consumer<? super RoutedCall> l) {
            this.listener = l;
            return this;
        }

        /** The logger name of fallbacks and failing listeners, e.g. the adapter's package; this class's unless set. */
        public Builder logger(String name) {
            this.log = System.getLogger(Objects.requireNonNull(name, "logger"));
            return this;
        }

        /**
         * @throws IllegalArgumentException for no models, a model the router does not know, a default candidate that
         *                                  is not one of the models, or maxFallbacks out of range
         * @throws IllegalStateException    for a default budget and a router without a budget calibration
         */
        public CallRouter build() {
            if (models == null || models.isEmpty()) {
                throw new IllegalArgumentException("no models: give at least one model name with its chat model (the"
                        + " router knows " + router.models() + ")");
            }
            for (String n : models) {
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
                if (models.contains(m)) {
                    routable.add(m);
                }
            }
            if (routable.size() < router.models().size()) {
                List<String> missing = new ArrayList<>(router.models());
                missing.removeAll(routable);
                log.log(System.Logger.Level.INFO, "the router''s models {0} have no chat model: they are never chosen",
                        missing);
            }
            CallRouter c = new CallRouter(this, routable);
            defaults.models().ifPresent(ms -> c.checkCandidates(ms, "models"));
            if (defaults.budgetUsd().isPresent()) {
                router.budgetChoice(defaults.budgetUsd().getAsDouble()); // no calibration: IllegalStateException now
            }
            return c;
        }
    }
}

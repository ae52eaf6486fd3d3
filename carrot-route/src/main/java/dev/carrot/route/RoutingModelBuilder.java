package dev.carrot.route;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The settings every routing chat model of carrot's adapters is built with (LangChain4j's {@code CarrotChatModel} and
 * {@code CarrotStreamingChatModel}, Spring AI's {@code CarrotChatModel}): the router, the named models it routes
 * among, the default {@link CallOptions}, and the fallback. An adapter's builder extends this one, adds what is its
 * framework's and builds its model over {@link #callRouter(String)}.
 *
 * @param <M> the framework's model type
 * @param <B> the adapter's builder, returned by every setter
 */
public abstract class RoutingModelBuilder<M, B extends RoutingModelBuilder<M, B>> {
    private final Class<?> builds;
    private Router router;
    private final Map<String, M> models = new LinkedHashMap<>();
    private final CallOptions.Builder defaults = CallOptions.builder();
    private int maxFallbacks = CallRouter.DEFAULT_MAX_FALLBACKS;
    private Predicate<? super Throwable> fallbackWhen;
    private Consumer<? super RoutedCall> listener;

    /**
     * @param builds       the type the adapter builds: a model of that type is refused as a model to route to
     * @param fallbackWhen which failures fall back unless {@link #fallbackWhen(Predicate)} is called
     */
    protected RoutingModelBuilder(Class<?> builds, Predicate<? super Throwable> fallbackWhen) {
        this.builds = Objects.requireNonNull(builds, "builds");
        this.fallbackWhen = Objects.requireNonNull(fallbackWhen, "fallbackWhen");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The router that chooses (its model names name the chat models). */
    public B router(Router r) {
        this.router = Objects.requireNonNull(r, "router");
        return self();
    }

    /** A model the router may choose, under its name in the router. */
    public B model(String name, M model) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        if (builds.isInstance(model)) {
            throw new IllegalArgumentException("model '" + name + "' is itself a " + builds.getSimpleName());
        }
        if (models.putIfAbsent(name, model) != null) {
            throw new IllegalArgumentException("model '" + name + "' is given twice");
        }
        return self();
    }

    /** The models the router may choose, by their names in the router. */
    public B models(Map<String, ? extends M> byName) {
        byName.forEach(this::model);
        return self();
    }

    /** Default mu in [0, 1] when a call gives neither mu nor a budget; {@value CallOptions#DEFAULT_MU} unless set. */
    public B mu(double mu) {
        defaults.mu(mu);
        return self();
    }

    /** Default budget in USD per query instead of mu (the router needs a budget calibration). */
    public B budgetUsd(double usd) {
        defaults.budgetUsd(usd);
        return self();
    }

    /** Default candidate models, a subset of the models; all unless set. */
    public B candidates(Collection<String> names) {
        defaults.models(names);
        return self();
    }

    /** Default cap on the predicted cost of a call in USD; none unless set. */
    public B maxCostUsd(double usd) {
        defaults.maxCostUsd(usd);
        return self();
    }

    /**
     * Further candidates tried after the chosen model fails (for a stream: before any output), 0 to
     * {@value CallRouter#MAX_FALLBACKS_LIMIT}; {@value CallRouter#DEFAULT_MAX_FALLBACKS} unless set.
     */
    public B maxFallbacks(int n) {
        if (n < 0 || n > CallRouter.MAX_FALLBACKS_LIMIT) {
            throw new IllegalArgumentException("maxFallbacks must be in 0.." + CallRouter.MAX_FALLBACKS_LIMIT
                    + ", got " + n);
        }
        this.maxFallbacks = n;
        return self();
    }

    /** Which failures fall back to the next candidate; the adapter's default unless set. */
    public B fallbackWhen(Predicate<? super Throwable> predicate) {
        this.fallbackWhen = Objects.requireNonNull(predicate, "predicate");
        return self();
    }

    /** Called once per call with what carrot did, also when every attempt failed (then no response carries it). */
    public B decisionListener(Consumer<? super RoutedCall> l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return self();
    }

    /** The models given so far, by name, in the order given. */
    protected Map<String, M> models() {
        return Collections.unmodifiableMap(models);
    }

    /**
     * Checks the settings and makes the call router of the model being built.
     *
     * @param logger the logger name of its fallbacks
     * @throws IllegalStateException    without a router, with both a default mu and a default budget, or with a
     *                                  default budget and a router without a budget calibration
     * @throws IllegalArgumentException for no models, a model name the router does not know, or a default candidate
     *                                  that is not one of the models
     */
    protected CallRouter callRouter(String logger) {
        if (router == null) {
            throw new IllegalStateException("no router: call router(Router.load(dir)) first");
        }
        return CallRouter.builder(router).models(models.keySet()).defaults(defaults.build())
                .maxFallbacks(maxFallbacks).fallbackWhen(fallbackWhen).listener(listener).logger(logger).build();
    }
}

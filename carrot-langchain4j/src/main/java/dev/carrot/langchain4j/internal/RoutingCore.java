package dev.carrot.langchain4j.internal;

import dev.carrot.langchain4j.CarrotChatRequestParameters;
import dev.carrot.route.CallOptions;
import dev.carrot.route.CallRouter;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Router;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a carrot chat model does before it calls a model, in LangChain4j's terms: read the per-call options from the
 * request parameters, route the routed text ({@link RoutedText}) with carrot-route's {@link CallRouter} (the gateway's
 * semantics, shared with the Spring AI chat model), and build the request the models get. Immutable and thread-safe.
 */
public final class RoutingCore {
    /**
     * Falls back on anything but a request the provider rejected as invalid (400, 422, a content filter): another
     * model would reject it too. Rate limits, server errors, time-outs, rejected keys, unknown model names and broken
     * connections fall back.
     */
    public static final Predicate<Throwable> DEFAULT_FALLBACK = e -> !(e instanceof InvalidRequestException);

    private final CallRouter calls;

    /** Over a call router built from a chat model builder's settings. */
    public RoutingCore(CallRouter calls) {
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    /** The models this chat model may send to, in the router's order. */
    public List<String> routable() {
        return calls.routable();
    }

    public Router router() {
        return calls.router();
    }

    /** What every routable model supports: any of them may answer. */
    public Set<Capability> common(Function<String, Set<Capability>> capabilities) {
        Set<Capability> common = null;
        for (String m : routable()) {
            Set<Capability> c = capabilities.apply(m);
            if (common == null) {
                common = c.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(c);
            } else {
                common.retainAll(c);
            }
        }
        return common == null ? Set.of() : Set.copyOf(common);
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
                    + " CarrotChatRequestParameters.builder().models(...) (this one routes among " + routable() + ")");
        }
        CallOptions options = params instanceof CarrotChatRequestParameters c ? c.callOptions() : CallOptions.none();
        RoutedText text = RoutedText.of(request.messages());
        CallRouter.Call call = calls.route(text.text(), text.source(), options);
        ChatRequestParameters forward = params instanceof CarrotChatRequestParameters c
                ? c.withoutCarrotOptions() : params;
        ChatRequest out = ChatRequest.builder().messages(request.messages()).parameters(forward).build();
        return new Plan(call, out);
    }

    /**
     * One call's plan.
     *
     * @param call    the routed call: its decision, the models to try in order, the attempts so far
     * @param forward the request each model gets: the caller's messages and parameters without carrot's options
     */
    public record Plan(CallRouter.Call call, ChatRequest forward) {
    }
}

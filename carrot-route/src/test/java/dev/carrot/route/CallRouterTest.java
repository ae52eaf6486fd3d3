package dev.carrot.route;

import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.io.FakeEncoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallRouterTest {
    /** Every text is {@link TestRouters#query()}, so decisions can be checked against the vector. */
    private static final PromptEncoder ENCODER = new FakeEncoder(TestRouters.ENCODER);

    private final Router router = Router.of(TestRouters.withCalibration(), ENCODER);
    private final List<RoutedCall> heard = new ArrayList<>();

    private CallRouter.Builder builder() {
        return CallRouter.builder(router).models(TestRouters.MODELS).listener(heard::add);
    }

    private static List<String> byUtility(Decision d) {
        return d.candidatesByUtility().stream().map(Receipt::model).toList();
    }

    @Test
    void aCallIsRoutedAsTheRouterRoutesItsTextAndTriesTheCandidatesByUtilityWithinTheCap() {
        CallRouter.Call call = builder().build().route("some text", "last_user_message", CallOptions.none());
        Decision expected = router.route(TestRouters.query(), ENCODER.countTokens("some text"), CallOptions.DEFAULT_MU, RouteOptions.defaults());
        assertThat(DecisionJson.write(call.decision())).isEqualTo(DecisionJson.write(expected));
        assertThat(call.chain()).containsExactlyElementsOf(byUtility(expected)).hasSize(3);
        assertThat(call.decisionId()).matches("carrot-[0-9a-f]{16}");

        CallRouter.Call one = builder().maxFallbacks(1).build().route("t", "none",
                CallOptions.builder().mu(0.9).build());
        Decision at09 = router.route(TestRouters.query(), ENCODER.countTokens("t"), 0.9, RouteOptions.defaults());
        assertThat(one.decision().mu()).isEqualTo(0.9);
        assertThat(one.chain()).containsExactlyElementsOf(byUtility(at09).subList(0, 2));

        CallRouter.Call subset = builder().defaults(CallOptions.builder().models(List.of("A", "B")).build()).build()
                .route("t", "none", CallOptions.none());
        assertThat(subset.chain()).containsExactlyInAnyOrder("A", "B");
    }

    @Test
    void aCostCapIsAHardLimitAndABudgetIsRoutedWithTheCalibration() {
        CallRouter r = builder().build();
        CallRouter.Call capped = r.route("t", "none", CallOptions.builder().mu(0).maxCostUsd(0.002).build());
        assertThat(capped.chain()).doesNotContain("A");
        assertThatThrownBy(() -> r.route("t", "none", CallOptions.builder().maxCostUsd(0.0001).build()))
                .isInstanceOf(NoModelFitsException.class);

        CallRouter.Call budget = r.route("t", "none", CallOptions.builder().budgetUsd(0.005).build());
        Decision expected = router.routeWithBudget(TestRouters.query(), ENCODER.countTokens("t"), 0.005, RouteOptions.defaults());
        assertThat(budget.decision().model()).isEqualTo(expected.model());
        assertThat(budget.decision().mu()).isEqualTo(expected.mu());
    }

    @Test
    void runFallsBackToTheNextCandidateAndRecordsEveryAttempt() {
        CallRouter.Call call = builder().build().route("text", "last_user_message", CallOptions.none());
        String first = call.chain().get(0);
        String second = call.chain().get(1);
        List<String> called = new ArrayList<>();
        String answer = call.run(m -> {
            called.add(m);
            if (m.equals(first)) {
                throw new IllegalStateException("rate limited");
            }
            return "answer from " + m;
        }, (a, c) -> a + " / " + c.model());

        assertThat(called).containsExactly(first, second);
        assertThat(answer).isEqualTo("answer from " + second + " / " + second);
        assertThat(heard).hasSize(1);
        RoutedCall c = heard.get(0);
        assertThat(c.model()).isEqualTo(second);
        assertThat(c.fellBack()).isTrue();
        assertThat(c.answered()).isTrue();
        assertThat(c.routedFrom()).isEqualTo("last_user_message");
        assertThat(c.routedChars()).isEqualTo(4);
        assertThat(c.predictedCostUsd()).isEqualTo(c.decision().receipt(second).costUsd());
        assertThat(c.attempts()).extracting(RoutedCall.Attempt::model).containsExactly(first, second);
        assertThat(c.attempts()).extracting(RoutedCall.Attempt::outcome)
                .containsExactly(RoutedCall.Outcome.FAILED, RoutedCall.Outcome.OK);
        assertThat(c.attempts().get(0).error()).contains("IllegalStateException: rate limited");
    }

    @Test
    void whenEveryAttemptFailsTheLastFailureIsThrownWithTheEarlierOnesSuppressed() {
        CallRouter.Call call = builder().maxFallbacks(1).build().route("t", "none", CallOptions.none());
        List<String> called = new ArrayList<>();
        assertThatThrownBy(() -> call.run(m -> {
            called.add(m);
            throw new IllegalStateException("down: " + m);
        }, (a, c) -> a))
                .hasMessage("down: " + call.chain().get(1))
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("down: " + call.chain().get(0)));
        assertThat(called).containsExactlyElementsOf(call.chain()).hasSize(2);
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).answered()).isFalse();
        assertThat(heard.get(0).model()).isEqualTo(call.chain().get(1));
        assertThat(heard.get(0).attempts()).hasSize(2);
    }

    @Test
    void aFailureThePredicateRefusesOrThatCameAfterOutputIsNotRetried() {
        CallRouter refusing = builder().fallbackWhen(e -> !(e instanceof IllegalArgumentException)).build();
        CallRouter.Call call = refusing.route("t", "none", CallOptions.none());
        List<String> called = new ArrayList<>();
        assertThatThrownBy(() -> call.run(m -> {
            called.add(m);
            throw new IllegalArgumentException("bad request");
        }, (a, c) -> a)).hasMessage("bad request");
        assertThat(called).containsExactly(call.chain().get(0));

        CallRouter.Call streamed = builder().build().route("t", "none", CallOptions.none());
        long t0 = System.nanoTime();
        RoutedCall partial = streamed.answering(streamed.chain().get(0), t0);
        assertThat(partial.answered()).isTrue();
        assertThat(heard).hasSize(1); // the refused call only: answering tells nobody
        assertThat(streamed.failed(0, new IllegalStateException("cut"), t0, true)).isFalse();
        assertThat(heard).hasSize(2);
        assertThat(heard.get(1).attempts()).extracting(RoutedCall.Attempt::outcome)
                .containsExactly(RoutedCall.Outcome.FAILED_AFTER_OUTPUT);

        CallRouter.Call before = builder().build().route("t", "none", CallOptions.none());
        assertThat(before.failed(0, new IllegalStateException("503"), t0, false)).isTrue();
        assertThat(heard).hasSize(2); // not over yet
        RoutedCall done = before.answered(before.chain().get(1), System.nanoTime());
        assertThat(heard).hasSize(3).last().isEqualTo(done);
        assertThat(done.attempts()).hasSize(2);
    }

    @Test
    void aThrowingListenerOrPredicateDoesNotBreakTheCall() {
        CallRouter r = CallRouter.builder(router).models(TestRouters.MODELS)
                .listener(c -> {
                    throw new IllegalStateException("listener bug");
                })
                .fallbackWhen(e -> {
                    throw new IllegalStateException("predicate bug");
                }).build();
        CallRouter.Call call = r.route("t", "none", CallOptions.none());
        String answer = call.run(m -> "ok", (a, c) -> a);
        assertThat(answer).isEqualTo("ok");
        assertThat(call.failed(0, new RuntimeException("x"), System.nanoTime(), false)).isFalse();
    }

    @Test
    void theBuilderRefusesWhatDoesNotFit() {
        assertThatThrownBy(() -> CallRouter.builder(router).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no models");
        assertThatThrownBy(() -> CallRouter.builder(router).models(List.of("A", "Z")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'Z' is not one of the router's models [A, B, C]");
        assertThatThrownBy(() -> builder().maxFallbacks(11).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFallbacks must be in 0..10, got 11");
        assertThatThrownBy(() -> CallRouter.builder(router).models(List.of("A", "B"))
                .defaults(CallOptions.builder().models(List.of("C")).build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("models: unknown model 'C'; this carrot chat model routes among [A, B]");
        Router uncalibrated = Router.of(TestRouters.small(), ENCODER);
        assertThatThrownBy(() -> CallRouter.builder(uncalibrated).models(TestRouters.MODELS)
                .defaults(CallOptions.builder().budgetUsd(0.01).build()).build())
                .isInstanceOf(IllegalStateException.class);
        CallRouter ab = CallRouter.builder(router).models(List.of("B", "A")).build();
        assertThat(ab.routable()).containsExactly("A", "B");
        assertThatThrownBy(() -> ab.route("t", "none", CallOptions.builder().models("C").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown model 'C'");
    }

    @Test
    void optionsMergeWithMuAndBudgetAsOneSettingAndRefuseBadValues() {
        CallOptions defaults = CallOptions.builder().mu(0.5).models(List.of("A", "B")).maxCostUsd(1).build();
        CallOptions call = CallOptions.builder().budgetUsd(0.01).build();
        CallOptions merged = call.over(defaults);
        assertThat(merged.mu()).isEmpty();
        assertThat(merged.budgetUsd()).hasValue(0.01);
        assertThat(merged.models()).contains(List.of("A", "B"));
        assertThat(merged.maxCostUsd()).hasValue(1);
        assertThat(CallOptions.none().over(defaults)).isEqualTo(defaults);
        assertThat(CallOptions.builder().models(List.of("A", "A", "B")).build().models()).contains(List.of("A", "B"));

        assertThatThrownBy(() -> CallOptions.builder().mu(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mu must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> CallOptions.builder().mu(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallOptions.builder().budgetUsd(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallOptions.builder().maxCostUsd(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallOptions.builder().models(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallOptions.builder().models(List.of(" ")))
                .isInstanceOf(IllegalArgumentException.class);
        CallOptions.Builder both = CallOptions.builder().mu(0.1).budgetUsd(0.01);
        assertThatThrownBy(both::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give mu or budgetUsd, not both");
    }

    /** A routing "model" over plain functions, to test {@link RoutingModelBuilder} without a framework. */
    private record FunctionModel(CallRouter calls, java.util.Map<String, java.util.function.UnaryOperator<String>> models)
            implements java.util.function.UnaryOperator<String> {
        @Override
        public String apply(String text) {
            return calls.route(text, "none", CallOptions.none()).run(m -> models.get(m).apply(text), (a, c) -> a);
        }

        static final class Builder extends RoutingModelBuilder<java.util.function.UnaryOperator<String>, Builder> {
            Builder() {
                super(FunctionModel.class, e -> true);
            }

            FunctionModel build() {
                return new FunctionModel(callRouter("test"), models());
            }
        }
    }

    @Test
    void theAdaptersBuilderChecksItsSettingsAndBuildsOverACallRouter() {
        assertThatThrownBy(() -> new FunctionModel.Builder().model("A", t -> t).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("no router: call router(Router.load(dir)) first");
        FunctionModel.Builder b = new FunctionModel.Builder().router(router).model("A", t -> "A:" + t);
        assertThatThrownBy(() -> b.model("A", t -> t)).hasMessage("model 'A' is given twice");
        assertThatThrownBy(() -> b.model("B", new FunctionModel(null, java.util.Map.of())))
                .hasMessage("model 'B' is itself a FunctionModel");
        assertThatThrownBy(() -> b.maxFallbacks(-1)).hasMessage("maxFallbacks must be in 0..10, got -1");
        assertThatThrownBy(() -> new FunctionModel.Builder().router(router).model("A", t -> t).mu(0.1).budgetUsd(0.01)
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
        FunctionModel m = b.model("B", t -> "B:" + t).model("C", t -> "C:" + t).mu(0.9).candidates(List.of("A", "B"))
                .decisionListener(heard::add).build();
        String expected = router.route(TestRouters.query(), ENCODER.countTokens("t"), 0.9,
                RouteOptions.defaults().onlyModels(List.of("A", "B"))).model();
        assertThat(m.apply("t")).isEqualTo(expected + ":t");
        assertThat(heard).hasSize(1);
        assertThat(m.calls().routable()).containsExactly("A", "B", "C");
    }
}

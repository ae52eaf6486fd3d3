package dev.carrot.langchain4j;

import dev.carrot.testkit.TestRouter;
import dev.carrot.route.RoutedCall;
import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.testkit.Reply;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CarrotChatModel} over real LangChain4j OpenAI chat models, each talking to its own fake upstream. */
class CarrotChatModelTest {
    private static TestRouter router;
    private static Upstreams upstreams;

    @BeforeAll
    static void start() {
        router = TestRouter.create();
        upstreams = new Upstreams();
    }

    @AfterAll
    static void stop() {
        upstreams.close();
        router.close();
    }

    @BeforeEach
    void reset() {
        upstreams.reset(m -> Reply.ok().withContent("answer from " + m));
    }

    private static CarrotChatModel.Builder builder() {
        return CarrotChatModel.builder().router(router.router()).models(upstreams.chatModels()).mu(TestRouter.MU);
    }

    private static ChatRequest ask(String text, CarrotChatRequestParameters p) {
        ChatRequest.Builder b = ChatRequest.builder().messages(UserMessage.from(text));
        return p == null ? b.build() : b.parameters(p).build();
    }

    private static RoutedCall decision(ChatResponse r) {
        return CarrotChatResponseMetadata.routedCall(r).orElseThrow();
    }

    private static JsonNode json(Decision d) {
        return DecisionJson.write(d);
    }

    @Test
    void theTestRouterSendsEachKindOfPromptToItsOwnModel() {
        assertThat(router.router().route(TestRouter.CHAT_PROMPT, TestRouter.MU).model()).isEqualTo(TestRouter.SMALL);
        assertThat(router.router().route(TestRouter.CODE_PROMPT, TestRouter.MU).model()).isEqualTo(TestRouter.CODE);
        assertThat(router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU).model()).isEqualTo(TestRouter.BIG);
    }

    @Test
    void eachPromptReachesTheChosenUpstreamAndTheAnswerCarriesTheDecision() {
        CarrotChatModel carrot = builder().build();
        Map<String, String> expected = Map.of(TestRouter.CHAT_PROMPT, TestRouter.SMALL, TestRouter.CODE_PROMPT,
                TestRouter.CODE, TestRouter.MATH_PROMPT, TestRouter.BIG);
        for (var e : expected.entrySet()) {
            upstreams.reset();
            upstreams.get(e.getValue()).reply(Reply.ok().withContent("answer from " + e.getValue()));
            ChatResponse r = carrot.chat(ask(e.getKey(), null));
            assertThat(r.aiMessage().text()).isEqualTo("answer from " + e.getValue());
            Map<String, Integer> counts = upstreams.counts();
            for (String m : TestRouter.MODELS) {
                assertThat(counts.get(m)).as(m + " for " + e.getKey()).isEqualTo(m.equals(e.getValue()) ? 1 : 0);
            }
            JsonNode sent = upstreams.get(e.getValue()).lastRequest().json();
            assertThat(sent.path("model").asText()).isEqualTo(Upstreams.IDS.get(e.getValue()));
            assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo(e.getKey());

            RoutedCall d = decision(r);
            assertThat(d.model()).isEqualTo(e.getValue());
            assertThat(d.fellBack()).isFalse();
            assertThat(d.answered()).isTrue();
            assertThat(d.mu()).isEqualTo(TestRouter.MU);
            assertThat(d.decisionId()).matches("carrot-[0-9a-f]{16}");
            assertThat(d.routedFrom()).isEqualTo("last_user_message");
            assertThat(d.routedChars()).isEqualTo(e.getKey().length());
            assertThat(d.predictedCostUsd()).isEqualTo(d.decision().receipt(e.getValue()).costUsd()).isPositive();
            assertThat(d.attempts()).extracting(RoutedCall.Attempt::model).containsExactly(e.getValue());
            // the provider's own metadata stays reachable, its fields at the top level
            assertThat(r.metadata().modelName()).isEqualTo(Upstreams.IDS.get(e.getValue()));
            assertThat(r.metadata().tokenUsage().inputTokenCount()).isEqualTo(12);
            assertThat(((CarrotChatResponseMetadata) r.metadata()).delegate()).get()
                    .isInstanceOf(OpenAiChatResponseMetadata.class);
        }
    }

    @Test
    void decisionsAreIdenticalToRouterRouteForTheSameTextAndMu() {
        CarrotChatModel carrot = builder().build();
        List<String> texts = List.of(TestRouter.CHAT_PROMPT, TestRouter.CODE_PROMPT, TestRouter.MATH_PROMPT,
                "Write a haiku about autumn leaves", "Integrate x^2 e^x dx and check the result by differentiating",
                "");
        for (String text : texts) {
            for (double mu : new double[]{0, 0.05, 0.3, 0.7, 1}) {
                ChatResponse r = carrot.chat(ask(text.isEmpty() ? " " : text,
                        CarrotChatRequestParameters.builder().mu(mu).build()));
                Decision expected = router.router().route(text.isEmpty() ? " " : text, mu);
                assertThat(json(decision(r).decision())).as(text + " at mu " + mu).isEqualTo(json(expected));
                assertThat(decision(r).model()).isEqualTo(expected.model());
            }
        }
    }

    @Test
    void theRoutedTextIsTheLastUserMessageAndNotTheSystemPromptOrEarlierTurns() {
        CarrotChatModel carrot = builder().build();
        ChatRequest conversation = ChatRequest.builder().messages(
                SystemMessage.from("You are a mathematician. Prove everything rigorously."),
                UserMessage.from(TestRouter.MATH_PROMPT),
                AiMessage.from("Suppose sqrt(2) = p/q in lowest terms ..."),
                UserMessage.from(TestRouter.CHAT_PROMPT)).build();
        RoutedCall d = decision(carrot.chat(conversation));
        assertThat(json(d.decision())).isEqualTo(json(router.router().route(TestRouter.CHAT_PROMPT, TestRouter.MU)));
        assertThat(d.model()).isEqualTo(TestRouter.SMALL);
        // the whole conversation is sent, only its last user message was routed
        assertThat(upstreams.get(TestRouter.SMALL).lastRequest().json().path("messages")).hasSize(4);

        // text parts of a user message are joined by a newline; an image is not text
        ChatRequest multi = ChatRequest.builder().messages(UserMessage.from(TextContent.from("Write a Java function"),
                ImageContent.from("https://example.invalid/diagram.png"), TextContent.from("that parses a CSV line")))
                .build();
        assertThat(json(decision(carrot.chat(multi)).decision()))
                .isEqualTo(json(router.router().route("Write a Java function\nthat parses a CSV line", TestRouter.MU)));
    }

    @Test
    void perCallOptionsOverrideTheBuilderDefaults() {
        CarrotChatModel carrot = builder().build();
        // mu per call, over the builder's 0.3
        for (double mu : new double[]{0, 1}) {
            RoutedCall d = decision(carrot.chat(ask(TestRouter.MATH_PROMPT,
                    CarrotChatRequestParameters.builder().mu(mu).build())));
            assertThat(d.model()).isEqualTo(router.router().route(TestRouter.MATH_PROMPT, mu).model());
        }
        assertThat(decision(carrot.chat(ask(TestRouter.MATH_PROMPT,
                CarrotChatRequestParameters.builder().mu(1).build()))).model()).isEqualTo(TestRouter.SMALL);

        // candidate subset: maths without the big model
        RoutedCall sub = decision(carrot.chat(ask(TestRouter.MATH_PROMPT,
                CarrotChatRequestParameters.builder().models(TestRouter.SMALL, TestRouter.CODE).build())));
        assertThat(sub.model()).isNotEqualTo(TestRouter.BIG);
        assertThat(sub.decision().receipt(TestRouter.BIG).status()).isEqualTo(Receipt.Status.EXCLUDED_BY_OPTIONS);
        assertThat(json(sub.decision())).isEqualTo(json(router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU,
                RouteOptions.defaults().onlyModels(List.of(TestRouter.SMALL, TestRouter.CODE)))));

        // a cost cap below the big model's predicted cost
        double bigCost = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU).receipt(TestRouter.BIG).costUsd();
        RoutedCall capped = decision(carrot.chat(ask(TestRouter.MATH_PROMPT,
                CarrotChatRequestParameters.builder().maxCostUsd(bigCost / 2).build())));
        assertThat(capped.model()).isNotEqualTo(TestRouter.BIG);
        assertThat(capped.decision().receipt(TestRouter.BIG).status()).isEqualTo(Receipt.Status.OVER_COST_CAP);

        // a budget instead of mu: the router's calibration
        double budget = 0.0005;
        RoutedCall b = decision(carrot.chat(ask(TestRouter.CODE_PROMPT,
                CarrotChatRequestParameters.builder().budgetUsd(budget).build())));
        assertThat(json(b.decision())).isEqualTo(json(router.router().routeWithBudget(TestRouter.CODE_PROMPT, budget,
                RouteOptions.defaults().onlyModels(TestRouter.MODELS))));
        assertThat(b.decision().budget()).isPresent();

        // builder defaults: a default budget, overridden by a per-call mu
        CarrotChatModel budgeted = CarrotChatModel.builder().router(router.router()).models(upstreams.chatModels())
                .budgetUsd(budget).build();
        assertThat(decision(budgeted.chat(ask(TestRouter.CODE_PROMPT, null))).decision().budget()).isPresent();
        RoutedCall withMu = decision(budgeted.chat(ask(TestRouter.CODE_PROMPT,
                CarrotChatRequestParameters.builder().mu(0.7).build())));
        assertThat(withMu.decision().budget()).isEmpty();
        assertThat(withMu.mu()).isEqualTo(0.7);
    }

    @Test
    void commonParametersAreForwardedAndCarrotOptionsAreNot() {
        CarrotChatModel carrot = builder().build();
        carrot.chat(ask(TestRouter.CODE_PROMPT, CarrotChatRequestParameters.builder().mu(0.3).maxCostUsd(1)
                .temperature(0.25).maxOutputTokens(77).build()));
        JsonNode sent = upstreams.get(TestRouter.CODE).lastRequest().json();
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.25);
        assertThat(sent.path("max_tokens").asInt(sent.path("max_completion_tokens").asInt())).isEqualTo(77);
        assertThat(sent.path("model").asText()).isEqualTo(Upstreams.IDS.get(TestRouter.CODE));
        assertThat(upstreams.get(TestRouter.CODE).lastRequest().bodyText()).doesNotContain("mu")
                .doesNotContain("max_cost").doesNotContain("carrot");
    }

    @Test
    void whenNoModelFitsUnderTheCapNothingIsCalled() {
        CarrotChatModel carrot = builder().build();
        assertThatThrownBy(() -> carrot.chat(ask(TestRouter.MATH_PROMPT,
                CarrotChatRequestParameters.builder().maxCostUsd(0).build())))
                .isInstanceOf(NoModelFitsException.class)
                .hasMessageContaining("no candidate model is predicted to cost at most 0");
        assertThat(upstreams.counts().values()).containsOnly(0);
    }

    @Test
    void aFailingModelFallsBackToTheNextByUtility() {
        List<RoutedCall> seen = new CopyOnWriteArrayList<>();
        CarrotChatModel carrot = builder().decisionListener(seen::add).build();
        Decision expected = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU);
        List<String> order = expected.candidatesByUtility().stream().map(Receipt::model).toList();
        assertThat(order.get(0)).isEqualTo(TestRouter.BIG);
        upstreams.get(order.get(0)).reply(Reply.error(503, "overloaded"));

        ChatResponse r = carrot.chat(ask(TestRouter.MATH_PROMPT, null));
        assertThat(r.aiMessage().text()).isEqualTo("answer from " + order.get(1));
        RoutedCall d = decision(r);
        assertThat(d.fellBack()).isTrue();
        assertThat(d.model()).isEqualTo(order.get(1));
        assertThat(d.decision().model()).isEqualTo(order.get(0));
        assertThat(json(d.decision())).isEqualTo(json(expected));
        assertThat(d.attempts()).extracting(RoutedCall.Attempt::model, RoutedCall.Attempt::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(order.get(0), RoutedCall.Outcome.FAILED),
                        org.assertj.core.groups.Tuple.tuple(order.get(1), RoutedCall.Outcome.OK));
        assertThat(d.attempts().get(0).error()).get().asString().contains("InternalServerException")
                .contains("overloaded");
        assertThat(d.predictedCostUsd()).isEqualTo(expected.receipt(order.get(1)).costUsd());
        assertThat(upstreams.get(order.get(0)).requests()).hasSize(1);
        assertThat(upstreams.get(order.get(2)).requests()).isEmpty();
        assertThat(seen).containsExactly(d);
        JsonNode j = DecisionJson.write(d);
        assertThat(j.path("attempts")).hasSize(2);
        assertThat(j.path("attempts").get(0).path("outcome").asText()).isEqualTo("failed");
        assertThat(j.path("decision")).isEqualTo(json(expected));
    }

    @Test
    void fallbacksAreBoundedAndTheLastErrorCarriesTheEarlierOnes() {
        List<RoutedCall> seen = new CopyOnWriteArrayList<>();
        CarrotChatModel carrot = builder().maxFallbacks(1).decisionListener(seen::add).build();
        List<String> order = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU).candidatesByUtility().stream()
                .map(Receipt::model).toList();
        upstreams.get(order.get(0)).reply(Reply.error(503, "first down"));
        upstreams.get(order.get(1)).reply(Reply.error(429, "second rate-limited"));

        assertThatThrownBy(() -> carrot.chat(ask(TestRouter.MATH_PROMPT, null)))
                .hasMessageContaining("second rate-limited")
                .satisfies(e -> {
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(e.getSuppressed()[0]).hasMessageContaining("first down");
                });
        assertThat(upstreams.get(order.get(2)).requests()).as("beyond maxFallbacks").isEmpty();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).answered()).isFalse();
        assertThat(seen.get(0).model()).isEqualTo(order.get(1));
        assertThat(seen.get(0).attempts()).extracting(RoutedCall.Attempt::outcome)
                .containsExactly(RoutedCall.Outcome.FAILED, RoutedCall.Outcome.FAILED);
    }

    @Test
    void fallbackNeverLeavesTheCandidatesOrGoesOverTheCap() {
        CarrotChatModel carrot = builder().maxFallbacks(10).build();
        double bigCost = router.router().route(TestRouter.CODE_PROMPT, TestRouter.MU).receipt(TestRouter.BIG).costUsd();
        for (String m : TestRouter.MODELS) {
            if (!m.equals(TestRouter.BIG)) {
                upstreams.get(m).reply(Reply.error(500, m + " broken"));
            }
        }
        assertThatThrownBy(() -> carrot.chat(ask(TestRouter.CODE_PROMPT,
                CarrotChatRequestParameters.builder().maxCostUsd(bigCost * 0.99).build())))
                .hasMessageContaining("broken");
        assertThat(upstreams.get(TestRouter.BIG).requests()).as("over the cap").isEmpty();

        upstreams.reset();
        upstreams.get(TestRouter.CODE).reply(Reply.error(500, "code broken"));
        assertThatThrownBy(() -> carrot.chat(ask(TestRouter.CODE_PROMPT,
                CarrotChatRequestParameters.builder().models(TestRouter.CODE).build())))
                .hasMessageContaining("code broken");
        assertThat(upstreams.get(TestRouter.BIG).requests()).isEmpty();
        assertThat(upstreams.get(TestRouter.SMALL).requests()).isEmpty();
    }

    @Test
    void anInvalidRequestIsNotRetriedElsewhere() {
        CarrotChatModel carrot = builder().build();
        upstreams.get(TestRouter.CODE).reply(Reply.error(400, "bad request"));
        assertThatThrownBy(() -> carrot.chat(ask(TestRouter.CODE_PROMPT, null)))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(upstreams.get(TestRouter.SMALL).requests()).isEmpty();
        assertThat(upstreams.get(TestRouter.BIG).requests()).isEmpty();
    }

    @Test
    void listenersOfTheCarrotModelSeeTheDecisionInTheResponse() {
        List<ChatResponse> responses = new ArrayList<>();
        ChatModelListener l = new ChatModelListener() {
            @Override
            public void onResponse(ChatModelResponseContext ctx) {
                responses.add(ctx.chatResponse());
            }
        };
        CarrotChatModel carrot = builder().listeners(List.of(l)).build();
        carrot.chat(ask(TestRouter.CHAT_PROMPT, null));
        assertThat(responses).hasSize(1);
        assertThat(CarrotChatResponseMetadata.routedCall(responses.get(0))).get()
                .extracting(RoutedCall::model).isEqualTo(TestRouter.SMALL);
    }

    @Test
    void aRequestThatNamesAModelIsRefused() {
        CarrotChatModel carrot = builder().build();
        assertThatThrownBy(() -> carrot.chat(ChatRequest.builder().messages(UserMessage.from("hi"))
                .modelName("gpt-4o").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names the model 'gpt-4o'")
                .hasMessageContaining("CarrotChatRequestParameters.builder().models(...)");
        assertThatThrownBy(() -> carrot.chat(ask("hi", CarrotChatRequestParameters.builder().models("gpt-4o")
                .build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model 'gpt-4o'")
                .hasMessageContaining("[big-model, small-model, code-model]");
        assertThat(upstreams.counts().values()).containsOnly(0);
    }

    @Test
    void buildingChecksEverySetting() {
        Map<String, ChatModel> models = upstreams.chatModels();
        assertThatThrownBy(() -> CarrotChatModel.builder().models(models).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no router");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no models");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router())
                .model("gpt-4o", models.get(TestRouter.BIG)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'gpt-4o' is not one of the router's models [big-model, small-model,"
                        + " code-model]");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router()).models(models).mu(0.3)
                .budgetUsd(0.001).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("give mu or budgetUsd, not both");
        assertThatThrownBy(() -> CarrotChatModel.builder().mu(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mu must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router()).models(models).maxFallbacks(11)
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFallbacks must be in 0..10");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router()).models(models)
                .candidates(List.of("nope")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("models: unknown model 'nope'");

        // a router model without a chat model is never chosen, and is marked so in the receipts
        CarrotChatModel two = CarrotChatModel.builder().router(router.router())
                .model(TestRouter.SMALL, models.get(TestRouter.SMALL)).model(TestRouter.CODE, models.get(TestRouter.CODE))
                .build();
        assertThat(two.models()).containsExactly(TestRouter.SMALL, TestRouter.CODE);
        RoutedCall d = decision(two.chat(ask(TestRouter.MATH_PROMPT, null)));
        assertThat(d.model()).isNotEqualTo(TestRouter.BIG);
        assertThat(d.decision().receipt(TestRouter.BIG).status()).isEqualTo(Receipt.Status.EXCLUDED_BY_OPTIONS);
    }
}

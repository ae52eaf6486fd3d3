package dev.carrot.springai;

import dev.carrot.testkit.TestRouter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.Receipt;
import dev.carrot.route.RoutedCall;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.retry.NonTransientAiException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** carrot's Spring AI chat model over Spring AI's real OpenAI chat models, each against its fake upstream. */
class SpringCarrotChatModelTest {
    @TempDir
    static Path tmp;
    private static TestRouter router;
    private static Upstreams upstreams;

    @BeforeAll
    static void start() {
        router = TestRouter.create(tmp);
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
        CarrotChatModel.Builder b = CarrotChatModel.builder().router(router.router()).mu(TestRouter.MU);
        upstreams.chatModels().forEach(b::model);
        return b;
    }

    private static JsonNode json(Decision d) {
        return DecisionJson.write(d);
    }

    @Test
    void eachPromptGoesToTheChosenUpstreamWithTheDecisionInTheMetadata() {
        CarrotChatModel carrot = builder().build();
        for (String[] c : new String[][]{{TestRouter.CHAT_PROMPT, TestRouter.SMALL},
                {TestRouter.CODE_PROMPT, TestRouter.CODE}, {TestRouter.MATH_PROMPT, TestRouter.BIG}}) {
            upstreams.reset();
            upstreams.get(c[1]).reply(Reply.ok().withContent("answer from " + c[1]));
            ChatResponse r = carrot.call(new Prompt(List.of(new SystemMessage("Be brief."), new UserMessage(c[0]))));
            assertThat(r.getResult().getOutput().getText()).isEqualTo("answer from " + c[1]);
            assertThat(upstreams.counts()).containsEntry(c[1], 1);
            assertThat(upstreams.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
            JsonNode sent = upstreams.get(c[1]).lastRequest().json();
            assertThat(sent.path("model").asText()).isEqualTo(Upstreams.IDS.get(c[1]));
            assertThat(sent.path("messages")).hasSize(2);
            RoutedCall call = CarrotChatModel.routedCall(r).orElseThrow();
            assertThat(call.model()).isEqualTo(c[1]);
            assertThat(call.routedFrom()).isEqualTo("last_user_message");
            assertThat(json(call.decision())).isEqualTo(json(router.router().route(c[0], TestRouter.MU)));
            assertThat(r.getMetadata().getModel()).isEqualTo(Upstreams.IDS.get(c[1]));
            assertThat(r.getMetadata().getUsage().getPromptTokens()).isEqualTo(12);
        }
    }

    @Test
    void decisionsAreIdenticalToRouterRouteAndPerCallOptionsWin() {
        CarrotChatModel carrot = builder().build();
        for (String text : List.of(TestRouter.CHAT_PROMPT, TestRouter.CODE_PROMPT, TestRouter.MATH_PROMPT,
                "Write a haiku about autumn leaves")) {
            for (double mu : new double[]{0, 0.3, 1}) {
                ChatResponse r = carrot.call(new Prompt(text, CarrotChatOptions.builder().mu(mu).temperature(0.2)
                        .build()));
                assertThat(json(CarrotChatModel.routedCall(r).orElseThrow().decision())).as(text + " at " + mu)
                        .isEqualTo(json(router.router().route(text, mu)));
            }
        }
        // the routed text is the last user message, not the earlier turns
        ChatResponse r = carrot.call(new Prompt(List.of(new UserMessage(TestRouter.MATH_PROMPT),
                new AssistantMessage("Suppose sqrt(2) = p/q ..."), new UserMessage(TestRouter.CHAT_PROMPT))));
        assertThat(CarrotChatModel.routedCall(r).orElseThrow().model()).isEqualTo(TestRouter.SMALL);
        // options are forwarded without carrot's settings
        carrot.call(new Prompt(TestRouter.CODE_PROMPT, CarrotChatOptions.builder().mu(0.3).maxCostUsd(1)
                .temperature(0.25).maxTokens(77).build()));
        JsonNode sent = upstreams.get(TestRouter.CODE).lastRequest().json();
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.25);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(77);
        assertThat(sent.path("model").asText()).isEqualTo(Upstreams.IDS.get(TestRouter.CODE));
        assertThat(upstreams.get(TestRouter.CODE).lastRequest().bodyText()).doesNotContain("max_cost")
                .doesNotContain("\"mu\"");
        // a prompt that names a model is refused
        assertThatThrownBy(() -> carrot.call(new Prompt("hi", ChatOptions.builder().model("gpt-4o").build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name the model 'gpt-4o'");
    }

    @Test
    void aFailingModelFallsBackByUtilityAndAnInvalidRequestDoesNot() {
        List<RoutedCall> seen = new CopyOnWriteArrayList<>();
        CarrotChatModel carrot = builder().decisionListener(seen::add).build();
        List<String> order = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU).candidatesByUtility()
                .stream().map(Receipt::model).toList();
        upstreams.get(order.get(0)).reply(Reply.error(503, "overloaded"));
        ChatResponse r = carrot.call(new Prompt(TestRouter.MATH_PROMPT));
        RoutedCall c = CarrotChatModel.routedCall(r).orElseThrow();
        assertThat(r.getResult().getOutput().getText()).isEqualTo("answer from " + order.get(1));
        assertThat(c.fellBack()).isTrue();
        assertThat(c.attempts()).extracting(RoutedCall.Attempt::outcome)
                .containsExactly(RoutedCall.Outcome.FAILED, RoutedCall.Outcome.OK);
        assertThat(upstreams.get(order.get(2)).requests()).isEmpty();
        assertThat(seen).containsExactly(c);

        upstreams.reset();
        upstreams.get(TestRouter.CODE).reply(Reply.error(400, "bad request"));
        assertThatThrownBy(() -> carrot.call(new Prompt(TestRouter.CODE_PROMPT)))
                .isInstanceOf(NonTransientAiException.class).hasMessageContaining("400");
        assertThat(upstreams.get(TestRouter.SMALL).requests()).isEmpty();
        assertThat(upstreams.get(TestRouter.BIG).requests()).isEmpty();

        // a rejected key is the deployment's fault: the next candidate answers
        upstreams.reset();
        upstreams.get(TestRouter.CODE).reply(Reply.error(401, "invalid key"));
        upstreams.get(TestRouter.SMALL).reply(Reply.ok().withContent("answer from small"));
        upstreams.get(TestRouter.BIG).reply(Reply.ok().withContent("answer from big"));
        assertThat(CarrotChatModel.routedCall(carrot.call(new Prompt(TestRouter.CODE_PROMPT))).orElseThrow()
                .fellBack()).isTrue();
    }

    @Test
    void aStreamArrivesInOrderAndFallsBackOnlyBeforeItsFirstChunk() {
        CarrotChatModel carrot = builder().build();
        String content = "one two three four five six";
        upstreams.get(TestRouter.CODE).reply(Reply.ok().withContent(content).withChunks(6, Duration.ofMillis(3)));
        List<ChatResponse> chunks = carrot.stream(new Prompt(TestRouter.CODE_PROMPT)).collectList()
                .block(Duration.ofSeconds(20));
        StringBuilder text = new StringBuilder();
        for (ChatResponse c : chunks) {
            if (c.getResult() != null && c.getResult().getOutput().getText() != null) {
                text.append(c.getResult().getOutput().getText());
            }
            assertThat(CarrotChatModel.routedCall(c)).get().extracting(RoutedCall::model).isEqualTo(TestRouter.CODE);
        }
        assertThat(text.toString()).isEqualTo(content);

        List<String> order = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU).candidatesByUtility()
                .stream().map(Receipt::model).toList();
        upstreams.get(order.get(0)).reply(Reply.error(503, "overloaded"));
        List<ChatResponse> fell = carrot.stream(new Prompt(TestRouter.MATH_PROMPT)).collectList()
                .block(Duration.ofSeconds(20));
        StringBuilder t2 = new StringBuilder();
        fell.forEach(c -> t2.append(c.getResult() == null || c.getResult().getOutput().getText() == null ? ""
                : c.getResult().getOutput().getText()));
        assertThat(t2.toString()).isEqualTo("answer from " + order.get(1));
        RoutedCall last = CarrotChatModel.routedCall(fell.get(fell.size() - 1)).orElseThrow();
        assertThat(last.attempts()).extracting(RoutedCall.Attempt::model).containsExactly(order.get(0), order.get(1));
    }

    @Test
    void buildingChecksEverySetting() {
        assertThatThrownBy(() -> CarrotChatModel.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no router");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no models");
        assertThatThrownBy(() -> CarrotChatModel.builder().router(router.router())
                .model("gpt-4o", upstreams.openAi(TestRouter.BIG)).build())
                .hasMessageContaining("model 'gpt-4o' is not one of the router's models");
        assertThatThrownBy(() -> builder().budgetUsd(0.001).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give mu or budgetUsd, not both");
        assertThatThrownBy(() -> CarrotChatOptions.builder().mu(2)).hasMessage("mu must be in [0, 1], got 2.0");
    }
}

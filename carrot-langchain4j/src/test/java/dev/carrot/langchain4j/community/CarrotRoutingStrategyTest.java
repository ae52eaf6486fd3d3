package dev.carrot.langchain4j.community;

import dev.carrot.langchain4j.CarrotChatRequestParameters;
import dev.carrot.langchain4j.RoutingFixture;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.Receipt;
import dev.carrot.testkit.Reply;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.router.FailoverStrategy;
import dev.langchain4j.model.router.ModelRouter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** carrot as the routing strategy of LangChain4j's community ModelRouter. */
class CarrotRoutingStrategyTest {
    private static RoutingFixture f;

    @BeforeAll
    static void start() {
        f = RoutingFixture.start();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void reset() {
        f.resetReplies();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }

    @Test
    void theModelRouterSendsEachPromptWhereCarrotDecides() {
        Map<String, ChatModel> models = f.chatModels();
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        CarrotRoutingStrategy.Builder sb = CarrotRoutingStrategy.builder(f.router()).mu(RoutingFixture.MU)
                .decisionListener(decisions::add);
        models.forEach(sb::route);
        ModelRouter router = ModelRouter.builder().addRoutes(models.values().toArray(new ChatModel[0]))
                .routingStrategy(sb.build()).build();

        for (String prompt : List.of(RoutingFixture.CHAT_PROMPT, RoutingFixture.CODE_PROMPT,
                RoutingFixture.MATH_PROMPT)) {
            f.resetReplies();
            String expected = f.router().route(prompt, RoutingFixture.MU).model();
            assertThat(router.chat(ask(prompt)).aiMessage().text()).isEqualTo("answer from " + expected);
            assertThat(f.counts()).containsEntry(expected, 1);
            assertThat(f.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
            assertThat(DecisionJson.write(decisions.get(decisions.size() - 1)))
                    .isEqualTo(DecisionJson.write(f.router().route(prompt, RoutingFixture.MU)));
        }
        // per-call options come from the request's parameters
        ChatRequest cheap = ChatRequest.builder().messages(UserMessage.from(RoutingFixture.MATH_PROMPT))
                .parameters(CarrotChatRequestParameters.builder().mu(1).build()).build();
        assertThat(router.chat(cheap).aiMessage().text())
                .isEqualTo("answer from " + f.router().route(RoutingFixture.MATH_PROMPT, 1).model());
    }

    @Test
    void behindAFailoverStrategyAFailedModelIsLeftOutAndTheNextBestAnswers() {
        Map<String, ChatModel> models = f.chatModels();
        CarrotRoutingStrategy.Builder sb = CarrotRoutingStrategy.builder(f.router()).mu(RoutingFixture.MU);
        models.forEach(sb::route);
        ModelRouter router = ModelRouter.builder().addRoutes(models.values().toArray(new ChatModel[0]))
                .routingStrategy(new FailoverStrategy(sb.build(), Duration.ofMinutes(1))).build();
        List<String> order = f.router().route(RoutingFixture.MATH_PROMPT, RoutingFixture.MU).candidatesByUtility()
                .stream().map(Receipt::model).toList();
        f.upstream(order.get(0)).reply(Reply.error(503, "overloaded"));

        assertThat(router.chat(ask(RoutingFixture.MATH_PROMPT)).aiMessage().text())
                .isEqualTo("answer from " + order.get(1));
        assertThat(f.upstream(order.get(0)).requests()).hasSize(1);
        assertThat(f.upstream(order.get(2)).requests()).isEmpty();
    }

    @Test
    void routesAreAlsoKnownByTheirMetadataAndUnknownOnesAreNeverChosen() {
        Map<String, ChatModel> models = f.chatModels();
        // no names given to the strategy: the wrappers carry them (here only the small and the code model)
        CarrotRoutingStrategy strategy = CarrotRoutingStrategy.builder(f.router()).mu(RoutingFixture.MU).build();
        var wrappers = List.of(new dev.langchain4j.model.router.ChatModelWrapper(models.get(RoutingFixture.BIG)),
                new dev.langchain4j.model.router.ChatModelWrapper(models.get(RoutingFixture.SMALL)),
                new dev.langchain4j.model.router.ChatModelWrapper(models.get(RoutingFixture.CODE)));
        wrappers.get(1).setMetadata(CarrotRoutingStrategy.MODEL_KEY, RoutingFixture.SMALL);
        wrappers.get(2).setMetadata(CarrotRoutingStrategy.MODEL_KEY, RoutingFixture.CODE);
        // maths would go to the big model, which is not a known route here
        assertThat(strategy.route(wrappers, ask(RoutingFixture.MATH_PROMPT))).isIn(wrappers.get(1), wrappers.get(2));
        assertThat(strategy.route(wrappers.subList(0, 1), ask(RoutingFixture.MATH_PROMPT))).isNull();
    }
}

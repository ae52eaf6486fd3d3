package dev.carrot.springai;

import dev.carrot.testkit.TestRouter;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.Router;
import dev.carrot.springai.autoconfigure.CarrotAutoConfiguration;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Boot wiring: {@code carrot.router.path}, {@code carrot.mu} and {@code carrot.models} make a primary
 * {@link CarrotChatModel} over three ChatModel beans (Spring AI's OpenAI chat model, each against a fake upstream),
 * and Spring AI's ChatClient routes through it.
 */
@SpringBootTest(classes = CarrotAutoConfigurationTest.App.class)
class CarrotAutoConfigurationTest {
    private static final Path TMP;
    private static final TestRouter ROUTER;
    private static final Upstreams UPSTREAMS;

    static {
        try {
            TMP = Files.createTempDirectory("carrot-spring-ai-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ROUTER = TestRouter.create(TMP);
        UPSTREAMS = new Upstreams();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        ChatModel bigOpenAi() {
            return UPSTREAMS.openAi(TestRouter.BIG);
        }

        @Bean
        ChatModel smallOpenAi() {
            return UPSTREAMS.openAi(TestRouter.SMALL);
        }

        @Bean
        ChatModel codeOpenAi() {
            return UPSTREAMS.openAi(TestRouter.CODE);
        }
    }

    /** The three model beans, without the application's auto-configuration (for the context runner). */
    static class Models extends App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("carrot.router.path", () -> ROUTER.dir().toString());
        r.add("carrot.mu", () -> "0.3");
        r.add("carrot.models[big-model]", () -> "bigOpenAi");
        r.add("carrot.models[small-model]", () -> "smallOpenAi");
        r.add("carrot.models[code-model]", () -> "codeOpenAi");
    }

    @Autowired
    ChatModel chatModel;

    @Autowired
    CarrotChatModel carrot;

    @Autowired
    Router carrotRouter;

    @AfterAll
    static void stop() throws IOException {
        UPSTREAMS.close();
        ROUTER.close();
        try (Stream<Path> s = Files.walk(TMP)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void reset() {
        UPSTREAMS.reset(m -> Reply.ok().withContent("answer from " + m));
    }

    @Test
    void theAutoConfiguredCarrotModelIsThePrimaryChatModelAndRoutesAsTheRouterDoes() {
        assertThat(chatModel).isSameAs(carrot);
        assertThat(carrot.models()).containsExactly(TestRouter.BIG, TestRouter.SMALL, TestRouter.CODE);
        for (String[] c : new String[][]{{TestRouter.CHAT_PROMPT, TestRouter.SMALL},
                {TestRouter.CODE_PROMPT, TestRouter.CODE}, {TestRouter.MATH_PROMPT, TestRouter.BIG}}) {
            assertThat(chatModel.call(c[0])).isEqualTo("answer from " + c[1]);
            assertThat(UPSTREAMS.get(c[1]).lastRequest().json().path("model").asText())
                    .isEqualTo(Upstreams.IDS.get(c[1]));
        }
        assertThat(UPSTREAMS.counts().values()).containsOnly(1);
        // the loaded artifact decides exactly as the in-process router that wrote it
        assertThat(DecisionJson.write(carrotRouter.route(TestRouter.MATH_PROMPT, 0.3)))
                .isEqualTo(DecisionJson.write(ROUTER.router().route(TestRouter.MATH_PROMPT, 0.3)));
    }

    @Test
    void springAisChatClientPassesCarrotOptionsAndKeepsTheDecision() {
        ChatResponse r = ChatClient.create(chatModel).prompt().user(TestRouter.MATH_PROMPT)
                .options(CarrotChatOptions.builder().mu(1).build()).call().chatResponse();
        RoutedCall c = CarrotChatModel.routedCall(r).orElseThrow();
        assertThat(c.mu()).isEqualTo(1.0);
        assertThat(DecisionJson.write(c.decision()))
                .isEqualTo(DecisionJson.write(ROUTER.router().route(TestRouter.MATH_PROMPT, 1.0)));
        assertThat(r.getResult().getOutput().getText()).isEqualTo("answer from " + c.model());
    }

    @Test
    void badSettingsStopTheStartNamingTheKey() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CarrotAutoConfiguration.class))
                .withUserConfiguration(Models.class);
        String path = "carrot.router.path=" + ROUTER.dir();
        runner.withPropertyValues(path, "carrot.models[big-model]=nope").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(
                    "carrot.models[big-model]: no ChatModel bean named 'nope'; the ChatModel beans are [bigOpenAi,"
                            + " smallOpenAi, codeOpenAi]");
        });
        runner.withPropertyValues(path, "carrot.models[gpt-4o]=bigOpenAi").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("carrot.models[gpt-4o]: not one of the router's models"));
        runner.withPropertyValues(path, "carrot.mu=1.5", "carrot.models[big-model]=bigOpenAi").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("carrot.mu: must be in [0, 1]"));
        runner.withPropertyValues(path).run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("carrot.models: missing"));
        runner.withPropertyValues("carrot.router.path=" + TMP.resolve("absent"), "carrot.models[big-model]=bigOpenAi")
                .run(ctx -> assertThat(ctx.getStartupFailure()).hasStackTraceContaining("carrot.router.path: "));
        // without carrot.router.path, carrot stays out of the way
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(CarrotChatModel.class);
            assertThat(ctx).doesNotHaveBean(Router.class);
        });
        // a budget works with the router's calibration
        runner.withPropertyValues(path, "carrot.budget-usd=0.0005", "carrot.models[code-model]=codeOpenAi",
                "carrot.models[small-model]=smallOpenAi").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            CarrotChatModel m = ctx.getBean(CarrotChatModel.class);
            ChatResponse r = m.call(new org.springframework.ai.chat.prompt.Prompt(TestRouter.CODE_PROMPT));
            assertThat(CarrotChatModel.routedCall(r).orElseThrow().decision().budget()).isPresent();
        });
    }
}

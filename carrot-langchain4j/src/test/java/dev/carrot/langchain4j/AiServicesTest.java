package dev.carrot.langchain4j;

import dev.carrot.testkit.TestRouter;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.DecisionJson;
import dev.carrot.testkit.Reply;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** carrot's chat models inside LangChain4j's AI services: the framework's own proxy calls them. */
class AiServicesTest {
    private static TestRouter router;
    private static Upstreams upstreams;

    interface Assistant {
        @SystemMessage("You are a helpful assistant. Answer briefly.")
        String chat(String message);

        @SystemMessage("You are a helpful assistant. Answer briefly.")
        Result<String> ask(@UserMessage String question, ChatRequestParameters parameters);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

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

    @Test
    void anAiServiceOverCarrotSendsEachQuestionToTheChosenModel() {
        CarrotChatModel carrot = CarrotChatModel.builder().router(router.router()).models(upstreams.chatModels())
                .mu(TestRouter.MU).build();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(carrot).build();

        assertThat(assistant.chat(TestRouter.CODE_PROMPT)).isEqualTo("answer from " + TestRouter.CODE);
        assertThat(assistant.chat(TestRouter.MATH_PROMPT)).isEqualTo("answer from " + TestRouter.BIG);
        assertThat(assistant.chat(TestRouter.CHAT_PROMPT)).isEqualTo("answer from " + TestRouter.SMALL);
        assertThat(upstreams.counts().values()).containsOnly(1);
        // the system prompt went to the model, the user message was routed
        var sent = upstreams.get(TestRouter.CODE).lastRequest().json().path("messages");
        assertThat(sent.get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.get(1).path("content").asText()).isEqualTo(TestRouter.CODE_PROMPT);
    }

    @Test
    void perCallParametersAndTheDecisionPassThroughTheAiService() {
        CarrotChatModel carrot = CarrotChatModel.builder().router(router.router()).models(upstreams.chatModels())
                .mu(TestRouter.MU).build();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(carrot).build();

        Result<String> r = assistant.ask(TestRouter.MATH_PROMPT, CarrotChatRequestParameters.builder().mu(1)
                .temperature(0.5).build());
        RoutedCall d = CarrotChatResponseMetadata.routedCall(r.finalResponse()).orElseThrow();
        assertThat(d.mu()).isEqualTo(1.0);
        assertThat(DecisionJson.write(d.decision()))
                .isEqualTo(DecisionJson.write(router.router().route(TestRouter.MATH_PROMPT, 1.0)));
        assertThat(r.content()).isEqualTo("answer from " + d.model());
        assertThat(upstreams.get(d.model()).lastRequest().json().path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(12);
    }

    @Test
    void withChatMemoryEachTurnIsRoutedOnItsOwnUserMessage() {
        CarrotChatModel carrot = CarrotChatModel.builder().router(router.router()).models(upstreams.chatModels())
                .mu(TestRouter.MU).build();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(carrot)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10)).build();
        assertThat(assistant.chat(TestRouter.MATH_PROMPT)).isEqualTo("answer from " + TestRouter.BIG);
        assertThat(assistant.chat(TestRouter.CHAT_PROMPT)).isEqualTo("answer from " + TestRouter.SMALL);
        // the second turn carried the first one's history to the small model
        assertThat(upstreams.get(TestRouter.SMALL).lastRequest().json().path("messages")).hasSize(4);
    }

    @Test
    void aStreamingAiServiceStreamsFromTheChosenModelAndKeepsTheDecision() throws Exception {
        upstreams.get(TestRouter.CODE).reply(Reply.ok().withContent("public static String[] parse(String line)")
                .withChunks(6, Duration.ofMillis(2)));
        CarrotStreamingChatModel carrot = CarrotStreamingChatModel.builder().router(router.router())
                .models(upstreams.streamingModels()).mu(TestRouter.MU).build();
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class).streamingChatModel(carrot)
                .build();
        List<String> tokens = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.chat(TestRouter.CODE_PROMPT)
                .onPartialResponse(tokens::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse r = done.get(20, TimeUnit.SECONDS);
        assertThat(String.join("", tokens)).isEqualTo("public static String[] parse(String line)");
        // AI services rebuild the metadata (to add up token usage): the decision survives
        RoutedCall d = CarrotChatResponseMetadata.routedCall(r).orElseThrow();
        assertThat(d.model()).isEqualTo(TestRouter.CODE);
        assertThat(r.metadata().tokenUsage().totalTokenCount()).isEqualTo(20);
    }
}

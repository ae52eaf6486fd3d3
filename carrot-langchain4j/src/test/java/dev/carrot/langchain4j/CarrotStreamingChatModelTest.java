package dev.carrot.langchain4j;

import dev.carrot.testkit.TestRouter;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.Receipt;
import dev.carrot.testkit.Reply;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CarrotStreamingChatModel} over real LangChain4j OpenAI streaming models and fake upstreams. */
class CarrotStreamingChatModelTest {
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
        upstreams.reset(m -> Reply.ok().withContent("streamed answer from " + m).withChunks(4, Duration.ZERO));
    }

    private static CarrotStreamingChatModel.Builder builder() {
        return CarrotStreamingChatModel.builder().router(router.router()).models(upstreams.streamingModels())
                .mu(TestRouter.MU);
    }

    /** Collects a stream's partial texts and its end. */
    static final class Collector implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partialResponse) {
            partials.add(partialResponse);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            done.complete(completeResponse);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        ChatResponse await() throws Exception {
            return done.get(20, TimeUnit.SECONDS);
        }
    }

    private static Collector stream(CarrotStreamingChatModel carrot, String text) {
        Collector c = new Collector();
        carrot.chat(ChatRequest.builder().messages(UserMessage.from(text)).build(), c);
        return c;
    }

    @Test
    void tokensArriveInOrderFromTheChosenUpstreamAndTheEndCarriesTheDecision() throws Exception {
        String content = "one two three four five six seven eight nine ten";
        upstreams.get(TestRouter.CODE).reply(Reply.ok().withContent(content).withChunks(10, Duration.ofMillis(5)));
        Collector c = stream(builder().build(), TestRouter.CODE_PROMPT);
        ChatResponse r = c.await();
        assertThat(c.partials).hasSizeGreaterThanOrEqualTo(9);
        assertThat(String.join("", c.partials)).isEqualTo(content);
        assertThat(r.aiMessage().text()).isEqualTo(content);
        assertThat(upstreams.counts()).containsEntry(TestRouter.CODE, 1).containsEntry(TestRouter.BIG, 0)
                .containsEntry(TestRouter.SMALL, 0);
        assertThat(upstreams.get(TestRouter.CODE).lastRequest().json().path("stream").asBoolean()).isTrue();
        RoutedCall d = CarrotChatResponseMetadata.routedCall(r).orElseThrow();
        assertThat(d.model()).isEqualTo(TestRouter.CODE);
        assertThat(DecisionJson.write(d.decision()))
                .isEqualTo(DecisionJson.write(router.router().route(TestRouter.CODE_PROMPT, TestRouter.MU)));
        assertThat(r.metadata().tokenUsage().outputTokenCount()).isEqualTo(8);
    }

    @Test
    void aModelThatFailsBeforeItsFirstTokenFallsBackAndTheHandlerSeesOnlyTheNextOne() throws Exception {
        Decision expected = router.router().route(TestRouter.MATH_PROMPT, TestRouter.MU);
        List<String> order = expected.candidatesByUtility().stream().map(Receipt::model).toList();
        // the first fails with a status, the second drops the stream right after its headers, the third answers
        upstreams.get(order.get(0)).reply(Reply.error(503, "overloaded"));
        upstreams.get(order.get(1)).reply(Reply.ok().withDisconnectAfter(0));
        Collector c = stream(builder().build(), TestRouter.MATH_PROMPT);
        ChatResponse r = c.await();
        assertThat(String.join("", c.partials)).isEqualTo("streamed answer from " + order.get(2));
        RoutedCall d = CarrotChatResponseMetadata.routedCall(r).orElseThrow();
        assertThat(d.model()).isEqualTo(order.get(2));
        assertThat(d.fellBack()).isTrue();
        assertThat(d.attempts()).extracting(RoutedCall.Attempt::model).containsExactlyElementsOf(order);
        assertThat(d.attempts()).extracting(RoutedCall.Attempt::outcome).containsExactly(
                RoutedCall.Outcome.FAILED, RoutedCall.Outcome.FAILED, RoutedCall.Outcome.OK);
        assertThat(upstreams.counts().values()).containsOnly(1);
    }

    @Test
    void aStreamThatBreaksAfterItsFirstTokensEndsWithAnErrorAndIsNotRetried() {
        List<RoutedCall> seen = new CopyOnWriteArrayList<>();
        upstreams.get(TestRouter.SMALL).reply(Reply.ok().withContent("aaaabbbbccccdddd")
                .withChunks(4, Duration.ofMillis(5)).withDisconnectAfter(2));
        Collector c = stream(builder().decisionListener(seen::add).build(), TestRouter.CHAT_PROMPT);
        assertThatThrownBy(c::await).isInstanceOf(ExecutionException.class);
        assertThat(String.join("", c.partials)).isEqualTo("aaaabbbb");
        assertThat(upstreams.get(TestRouter.BIG).requests()).isEmpty();
        assertThat(upstreams.get(TestRouter.CODE).requests()).isEmpty();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).attempts()).extracting(RoutedCall.Attempt::outcome)
                .containsExactly(RoutedCall.Outcome.FAILED_AFTER_OUTPUT);
        assertThat(seen.get(0).answered()).isFalse();
    }

    @Test
    void whenEveryCandidateFailsTheHandlerGetsTheLastErrorWithTheEarlierOnes() {
        for (String m : TestRouter.MODELS) {
            upstreams.get(m).reply(Reply.error(500, m + " is down"));
        }
        Collector c = stream(builder().maxFallbacks(2).build(), TestRouter.CODE_PROMPT);
        assertThatThrownBy(c::await).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(e.getCause().getSuppressed()).hasSize(2));
        assertThat(c.partials).isEmpty();
        assertThat(upstreams.counts().values()).containsOnly(1);
    }
}

package dev.carrot.bench;

import dev.carrot.langchain4j.CarrotChatModel;
import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncodedPrompt;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.RouterModel;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What {@link CarrotChatModel} adds to a decision: {@code carrot.chat(request)} over no-op chat models (they answer a
 * constant at once) beside {@link Router#route(String, double)} for the same text and mu, in the same run. The
 * difference is CarrotChatModel's own work: LangChain4j's request handling, reading the options, extracting the
 * routed text, the candidate order, the decision record and the response metadata. Target: at most 1 ms.
 *
 * <p>Routers: KNN over 2,000 stored prompts (quality k = 512, cost k = 128, routerbench_subset's 11 models and real
 * targets; the stored vectors are seeded random unit vectors, which cost an exact scan the same as real ones) and the
 * logistic router. Encoders: {@code minilm} encodes the 30-word prompt on every call (what a service pays);
 * {@code memo} hands back the MiniLM vector computed once, so that the encoder's 4 ms and its noise do not hide a
 * difference of microseconds. {@code noopChat} is the no-op model called directly, LangChain4j's floor.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class LangChain4jBench {
    public static final int STORED = 2_000;

    @Param({"knn", "logistic"})
    public String router;

    @Param({"minilm", "memo"})
    public String encoder;

    PromptEncoder miniLm;
    Router carrotRouter;
    CarrotChatModel carrot;
    ChatModel noop;
    ChatRequest request;
    String prompt;

    /** A chat model that answers at once, with the metadata a provider would send. */
    static final class NoopChatModel implements ChatModel {
        private final ChatResponse answer;

        NoopChatModel(String name) {
            answer = ChatResponse.builder().aiMessage(AiMessage.from("ok")).id("noop").modelName(name)
                    .tokenUsage(new TokenUsage(12, 8)).finishReason(FinishReason.STOP).build();
        }

        @Override
        public ChatResponse doChat(ChatRequest chatRequest) {
            return answer;
        }
    }

    /** MiniLM's vector and word-piece count for each text, computed once. */
    static final class MemoEncoder implements PromptEncoder {
        private final PromptEncoder inner;
        private final Map<String, EncodedPrompt> memo = new ConcurrentHashMap<>();

        MemoEncoder(PromptEncoder inner) {
            this.inner = inner;
        }

        @Override
        public EncoderInfo info() {
            return inner.info();
        }

        @Override
        public EncodedPrompt encodeCounted(String text) {
            EncodedPrompt e = memo.computeIfAbsent(text, inner::encodeCounted);
            return new EncodedPrompt(e.vector().clone(), e.tokens());
        }

        @Override
        public float[] encode(String text) {
            return encodeCounted(text).vector();
        }

        @Override
        public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
            return inner.encodeAll(texts, stats);
        }

        @Override
        public int countTokens(String text) {
            return encodeCounted(text).tokens();
        }

        @Override
        public void close() {
        }
    }

    @Setup
    public void setup() {
        miniLm = Encoders.miniLm();
        PromptEncoder enc = encoder.equals("memo") ? new MemoEncoder(miniLm) : miniLm;
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        RouterModel model = router.equals("knn")
                ? BenchRouters.knn(KnnIndex.of(BenchData.randomUnit(STORED, BenchData.DIM, 20_261_122L),
                BenchData.DIM), t)
                : BenchRouters.logistic(t, 42);
        carrotRouter = Router.of(model, enc);
        CarrotChatModel.Builder b = CarrotChatModel.builder().router(carrotRouter).mu(BenchSupport.MU);
        for (String m : t.models()) {
            b.model(m, new NoopChatModel(m));
        }
        carrot = b.build();
        noop = new NoopChatModel("noop");
        prompt = BenchSupport.promptOfWords(BenchData.routerbenchPrompts(), 30);
        request = ChatRequest.builder().messages(UserMessage.from(prompt)).build();
        // the two must agree, or the comparison is of different work
        Decision direct = carrotRouter.route(prompt, BenchSupport.MU);
        String viaCarrot = carrot.chat(request).metadata().modelName();
        if (!viaCarrot.equals(direct.model())) {
            throw new IllegalStateException("CarrotChatModel chose " + viaCarrot + ", Router.route " + direct.model());
        }
    }

    @TearDown
    public void close() {
        carrotRouter.close();
        miniLm.close();
    }

    @Benchmark
    public Decision routerRoute() {
        return carrotRouter.route(prompt, BenchSupport.MU);
    }

    @Benchmark
    public ChatResponse carrotChat() {
        return carrot.chat(request);
    }

    @Benchmark
    public ChatResponse noopChat() {
        return noop.chat(request);
    }
}

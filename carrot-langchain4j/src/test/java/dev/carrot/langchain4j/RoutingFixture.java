package dev.carrot.langchain4j;

import dev.carrot.testkit.TestRouter;
import dev.carrot.route.Router;
import dev.carrot.testkit.FakeUpstream;
import dev.carrot.testkit.Reply;
import dev.langchain4j.model.chat.ChatModel;

import java.util.Map;

/** {@link TestRouter} and {@link Upstreams} together, for tests in other packages. */
public final class RoutingFixture implements AutoCloseable {
    public static final String BIG = TestRouter.BIG;
    public static final String SMALL = TestRouter.SMALL;
    public static final String CODE = TestRouter.CODE;
    public static final String CHAT_PROMPT = TestRouter.CHAT_PROMPT;
    public static final String CODE_PROMPT = TestRouter.CODE_PROMPT;
    public static final String MATH_PROMPT = TestRouter.MATH_PROMPT;
    public static final double MU = TestRouter.MU;

    private final TestRouter router;
    private final Upstreams upstreams;

    private RoutingFixture(TestRouter router, Upstreams upstreams) {
        this.router = router;
        this.upstreams = upstreams;
    }

    public static RoutingFixture start() {
        return new RoutingFixture(TestRouter.create(), new Upstreams());
    }

    public Router router() {
        return router.router();
    }

    /** A real OpenAI chat model per router model, each against its fake upstream. */
    public Map<String, ChatModel> chatModels() {
        return upstreams.chatModels();
    }

    public FakeUpstream upstream(String model) {
        return upstreams.get(model);
    }

    /** Requests received per model since the last reset. */
    public Map<String, Integer> counts() {
        return upstreams.counts();
    }

    /** Forgets requests; every upstream answers "answer from MODEL". */
    public void resetReplies() {
        upstreams.reset(m -> Reply.ok().withContent("answer from " + m));
    }

    @Override
    public void close() {
        upstreams.close();
        router.close();
    }
}

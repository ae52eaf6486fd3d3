package dev.carrot.springai;

import dev.carrot.testkit.FakeUpstream;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.retry.support.RetryTemplate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fake OpenAI-compatible upstream per model of {@link TestRouter}, and Spring AI's real OpenAI chat model pointed
 * at each (without retries of its own, so every attempt the tests see is carrot's).
 */
final class Upstreams implements AutoCloseable {
    static final Map<String, String> IDS = Map.of(TestRouter.BIG, "upstream-big-v1", TestRouter.SMALL,
            "upstream-small-v1", TestRouter.CODE, "upstream-code-v1");

    final Map<String, FakeUpstream> fake = new LinkedHashMap<>();

    Upstreams() {
        for (String m : TestRouter.MODELS) {
            fake.put(m, FakeUpstream.start(IDS.get(m)));
        }
    }

    FakeUpstream get(String model) {
        return fake.get(model);
    }

    void reset() {
        fake.values().forEach(FakeUpstream::reset);
    }

    Map<String, Integer> counts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        fake.forEach((m, u) -> c.put(m, u.requests().size()));
        return c;
    }

    /** Spring AI's OpenAiChatModel for one model (its base URL is the server's, without /v1). */
    ChatModel openAi(String model) {
        FakeUpstream u = fake.get(model);
        OpenAiApi api = OpenAiApi.builder().baseUrl("http://127.0.0.1:" + u.port()).apiKey("sk-test-" + model).build();
        return OpenAiChatModel.builder().openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(IDS.get(model)).build())
                .retryTemplate(RetryTemplate.builder().maxAttempts(1).build()).build();
    }

    Map<String, ChatModel> chatModels() {
        Map<String, ChatModel> out = new LinkedHashMap<>();
        for (String m : TestRouter.MODELS) {
            out.put(m, openAi(m));
        }
        return out;
    }

    @Override
    public void close() {
        fake.values().forEach(FakeUpstream::close);
    }
}

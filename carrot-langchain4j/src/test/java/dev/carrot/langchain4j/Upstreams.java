package dev.carrot.langchain4j;

import dev.carrot.testkit.FakeUpstream;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fake OpenAI-compatible upstream per model of {@link TestRouter}, and real LangChain4j OpenAI chat models
 * pointed at them (no retries of their own, so every attempt the tests see is carrot's).
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

    /** How many requests each upstream received, by model. */
    Map<String, Integer> counts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        fake.forEach((m, u) -> c.put(m, u.requests().size()));
        return c;
    }

    Map<String, ChatModel> chatModels() {
        Map<String, ChatModel> out = new LinkedHashMap<>();
        fake.forEach((m, u) -> out.put(m, OpenAiChatModel.builder().baseUrl(u.baseUrl()).apiKey("sk-test-" + m)
                .modelName(IDS.get(m)).maxRetries(0).timeout(Duration.ofSeconds(10)).build()));
        return out;
    }

    Map<String, StreamingChatModel> streamingModels() {
        Map<String, StreamingChatModel> out = new LinkedHashMap<>();
        fake.forEach((m, u) -> out.put(m, OpenAiStreamingChatModel.builder().baseUrl(u.baseUrl())
                .apiKey("sk-test-" + m).modelName(IDS.get(m)).timeout(Duration.ofSeconds(10)).build()));
        return out;
    }

    @Override
    public void close() {
        fake.values().forEach(FakeUpstream::close);
    }
}

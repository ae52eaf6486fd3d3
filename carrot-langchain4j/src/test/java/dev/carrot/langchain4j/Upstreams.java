package dev.carrot.langchain4j;

import dev.carrot.testkit.TestUpstreams;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test router's fake upstreams ({@link TestUpstreams}) and real LangChain4j OpenAI chat models pointed at them
 * (no retries of their own, so every attempt the tests see is carrot's).
 */
final class Upstreams extends TestUpstreams {

    Map<String, ChatModel> chatModels() {
        Map<String, ChatModel> out = new LinkedHashMap<>();
        all().forEach((m, u) -> out.put(m, OpenAiChatModel.builder().baseUrl(u.baseUrl()).apiKey("sk-test-" + m)
                .modelName(IDS.get(m)).maxRetries(0).timeout(Duration.ofSeconds(10)).build()));
        return out;
    }

    Map<String, StreamingChatModel> streamingModels() {
        Map<String, StreamingChatModel> out = new LinkedHashMap<>();
        all().forEach((m, u) -> out.put(m, OpenAiStreamingChatModel.builder().baseUrl(u.baseUrl())
                .apiKey("sk-test-" + m).modelName(IDS.get(m)).timeout(Duration.ofSeconds(10)).build()));
        return out;
    }
}

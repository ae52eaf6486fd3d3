package dev.carrot.springai;

import dev.carrot.testkit.FakeUpstream;
import dev.carrot.testkit.TestRouter;
import dev.carrot.testkit.TestUpstreams;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.retry.support.RetryTemplate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test router's fake upstreams ({@link TestUpstreams}) and Spring AI's real OpenAI chat model pointed at each
 * (without retries of its own, so every attempt the tests see is carrot's).
 */
final class Upstreams extends TestUpstreams {

    /** Spring AI's OpenAiChatModel for one model (its base URL is the server's, without /v1). */
    ChatModel openAi(String model) {
        FakeUpstream u = get(model);
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
}

package dev.carrot.langchain4j;

import dev.carrot.route.RoutedCall;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.Receipt;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CarrotChatResponseMetadataTest {
    private static final Decision DECISION = new Decision("m", 0.3, Optional.empty(), Double.POSITIVE_INFINITY, true,
            "tokens", List.of(new Receipt("m", 0.9, 10, 20, 0.001, 0.1, 0.6, 0, Receipt.Status.CHOSEN)));
    private static final RoutedCall CARROT = new RoutedCall("carrot-0123456789abcdef", "m", 0.001,
            "last_user_message", 5, DECISION, List.of(new RoutedCall.Attempt("m", RoutedCall.Outcome.OK,
            Optional.empty(), Duration.ofMillis(3))));

    @Test
    void attachingKeepsTheAnswerAndTheProvidersFieldsAndSurvivesToBuilder() {
        ChatResponseMetadata provider = ChatResponseMetadata.builder().id("id-1").modelName("upstream-m")
                .tokenUsage(new TokenUsage(3, 4)).finishReason(FinishReason.STOP).build();
        ChatResponse r = CarrotChatResponseMetadata.attach(ChatResponse.builder().aiMessage(AiMessage.from("hi"))
                .metadata(provider).build(), CARROT);
        assertThat(r.aiMessage().text()).isEqualTo("hi");
        assertThat(r.id()).isEqualTo("id-1");
        assertThat(r.modelName()).isEqualTo("upstream-m");
        assertThat(r.tokenUsage()).isEqualTo(new TokenUsage(3, 4));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(CarrotChatResponseMetadata.routedCall(r)).contains(CARROT);
        assertThat(((CarrotChatResponseMetadata) r.metadata()).delegate()).contains(provider);

        ChatResponseMetadata rebuilt = r.metadata().toBuilder().tokenUsage(new TokenUsage(30, 40)).build();
        assertThat(rebuilt).isInstanceOf(CarrotChatResponseMetadata.class);
        assertThat(((CarrotChatResponseMetadata) rebuilt).routedCall()).isEqualTo(CARROT);
        assertThat(rebuilt.tokenUsage()).isEqualTo(new TokenUsage(30, 40));
        assertThat(rebuilt.modelName()).isEqualTo("upstream-m");
        assertThat(CarrotChatResponseMetadata.routedCall(ChatResponse.builder().aiMessage(AiMessage.from("x"))
                .build())).isEmpty();
    }
}

package dev.carrot.langchain4j.internal;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The routed text follows carrot-serve's rule (ChatRequest.routedText there), message by message. */
class RoutedTextTest {
    private static final ImageContent IMAGE = ImageContent.from("https://example.invalid/a.png");

    @Test
    void theLastUserMessageWithTextIsRouted() {
        assertThat(RoutedText.of(List.of(SystemMessage.from("sys"), UserMessage.from("first"), AiMessage.from("ai"),
                UserMessage.from("second"), AiMessage.from("later answer"))))
                .isEqualTo(new RoutedText("second", "last_user_message"));
        assertThat(RoutedText.of(List.of(UserMessage.from("with text"), UserMessage.from(IMAGE))))
                .isEqualTo(new RoutedText("with text", "last_user_message"));
        assertThat(RoutedText.of(List.of(UserMessage.from(TextContent.from("a"), IMAGE, TextContent.from("b")))))
                .isEqualTo(new RoutedText("a\nb", "last_user_message"));
    }

    @Test
    void withoutAUserMessageWithTextTheLastMessageWithTextIsRouted() {
        assertThat(RoutedText.of(List.of(SystemMessage.from("sys"), UserMessage.from(IMAGE))))
                .isEqualTo(new RoutedText("sys", "last_message"));
        assertThat(RoutedText.of(List.of(SystemMessage.from("sys"), ToolExecutionResultMessage.from("id", "tool",
                "42 degrees")))).isEqualTo(new RoutedText("42 degrees", "last_message"));
        assertThat(RoutedText.of(List.of(UserMessage.from(IMAGE)))).isEqualTo(new RoutedText("", "none"));
    }
}

package dev.carrot.langchain4j.internal;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The text the router reads, by carrot-serve's rule: the last user message (its text parts joined by a newline;
 * images, audio and other parts are skipped); if no user message has text, the last message that has text (an AI
 * message, a system message, a tool result); otherwise the empty string.
 *
 * @param text   what is routed
 * @param source {@code last_user_message}, {@code last_message} or {@code none}
 */
public record RoutedText(String text, String source) {
    public static final String LAST_USER_MESSAGE = "last_user_message";
    public static final String LAST_MESSAGE = "last_message";
    public static final String NONE = "none";

    public RoutedText {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
    }

    /** The routed text of a conversation. */
    public static RoutedText of(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                String t = text(u);
                if (t != null) {
                    return new RoutedText(t, LAST_USER_MESSAGE);
                }
            }
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            String t = text(messages.get(i));
            if (t != null) {
                return new RoutedText(t, LAST_MESSAGE);
            }
        }
        return new RoutedText("", NONE);
    }

    private static String text(ChatMessage m) {
        if (m instanceof UserMessage u) {
            List<String> parts = new ArrayList<>();
            for (Content c : u.contents()) {
                if (c instanceof TextContent t && t.text() != null) {
                    parts.add(t.text());
                }
            }
            return parts.isEmpty() ? null : String.join("\n", parts);
        }
        if (m instanceof AiMessage a) {
            return a.text();
        }
        if (m instanceof SystemMessage s) {
            return s.text();
        }
        if (m instanceof ToolExecutionResultMessage t) {
            return t.text();
        }
        return null; // custom messages carry attributes, not text
    }
}

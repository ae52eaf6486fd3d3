package dev.carrot.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a {@link FakeUpstream} answers to one chat-completions request. Immutable: every {@code with...} returns a
 * copy. Whether the answer is a JSON body or a server-sent-event stream follows the request's {@code "stream"}
 * field, as with a real OpenAI-compatible server.
 *
 * @param status            HTTP status; anything but 200 sends an OpenAI error body with {@link #errorMessage()}
 * @param content           the assistant's answer
 * @param promptTokens      the usage block's {@code prompt_tokens} (-1: no usage block)
 * @param completionTokens  the usage block's {@code completion_tokens}
 * @param delayBeforeHeaders wait this long before sending the status line
 * @param chunks            a stream sends the content in this many delta chunks (at least 1)
 * @param chunkInterval     a stream waits this long before each delta chunk
 * @param disconnectAfter   a stream drops the connection after this many content chunks (no terminator), 0: right
 *                          after the headers, before any event (the role chunk is sent before the first content
 *                          chunk); empty: never
 * @param dropConnection    close the connection without answering at all
 * @param errorMessage      the error body's message when {@code status != 200}
 */
public record Reply(int status, String content, int promptTokens, int completionTokens, Duration delayBeforeHeaders,
                    int chunks, Duration chunkInterval, OptionalInt disconnectAfter, boolean dropConnection,
                    String errorMessage) {

    public Reply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status 100..599, got " + status);
        }
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(delayBeforeHeaders, "delayBeforeHeaders");
        Objects.requireNonNull(chunkInterval, "chunkInterval");
        Objects.requireNonNull(disconnectAfter, "disconnectAfter");
        Objects.requireNonNull(errorMessage, "errorMessage");
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        }
        if (promptTokens < -1 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0 (prompt -1: no usage block), got "
                    + promptTokens + " and " + completionTokens);
        }
        if (delayBeforeHeaders.isNegative() || chunkInterval.isNegative()) {
            throw new IllegalArgumentException("delays must be >= 0");
        }
    }

    /** 200 with a short answer in 4 chunks, no delay, and a usage block of 12 prompt and 8 completion tokens. */
    public static Reply ok() {
        return new Reply(200, "Hello from the fake upstream.", 12, 8, Duration.ZERO, 4, Duration.ZERO,
                OptionalInt.empty(), false, "");
    }

    /** An OpenAI error answer with this status (429, 500, 503 ...). */
    public static Reply error(int status, String message) {
        return ok().withStatus(status).withErrorMessage(message);
    }

    /** The connection is closed before any byte of a response. */
    public static Reply drop() {
        return new Reply(200, "", -1, 0, Duration.ZERO, 1, Duration.ZERO, OptionalInt.empty(), true, "");
    }

    public Reply withStatus(int s) {
        return new Reply(s, content, promptTokens, completionTokens, delayBeforeHeaders, chunks, chunkInterval,
                disconnectAfter, dropConnection, errorMessage.isEmpty() && s != 200 ? "fake upstream error " + s
                : errorMessage);
    }

    public Reply withContent(String text) {
        return new Reply(status, text, promptTokens, completionTokens, delayBeforeHeaders, chunks, chunkInterval,
                disconnectAfter, dropConnection, errorMessage);
    }

    public Reply withUsage(int prompt, int completion) {
        return new Reply(status, content, prompt, completion, delayBeforeHeaders, chunks, chunkInterval,
                disconnectAfter, dropConnection, errorMessage);
    }

    /** No usage block in the answer. */
    public Reply withoutUsage() {
        return new Reply(status, content, -1, 0, delayBeforeHeaders, chunks, chunkInterval, disconnectAfter,
                dropConnection, errorMessage);
    }

    public Reply withDelay(Duration beforeHeaders) {
        return new Reply(status, content, promptTokens, completionTokens, beforeHeaders, chunks, chunkInterval,
                disconnectAfter, dropConnection, errorMessage);
    }

    /** A stream sends {@code n} delta chunks, waiting {@code interval} before each. */
    public Reply withChunks(int n, Duration interval) {
        return new Reply(status, content, promptTokens, completionTokens, delayBeforeHeaders, n, interval,
                disconnectAfter, dropConnection, errorMessage);
    }

    /** A stream drops the connection after {@code n} delta chunks. */
    public Reply withDisconnectAfter(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("disconnect after must be >= 0 chunks, got " + n);
        }
        return new Reply(status, content, promptTokens, completionTokens, delayBeforeHeaders, chunks, chunkInterval,
                OptionalInt.of(n), dropConnection, errorMessage);
    }

    public Reply withErrorMessage(String message) {
        return new Reply(status, content, promptTokens, completionTokens, delayBeforeHeaders, chunks, chunkInterval,
                disconnectAfter, dropConnection, message);
    }

    /** Whether the answer has a usage block. */
    public boolean hasUsage() {
        return promptTokens >= 0;
    }
}

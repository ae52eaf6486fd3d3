package dev.carrot.route.encoder;

import java.util.List;
import java.util.function.Consumer;

/**
 * Turns prompts into fixed-length vectors.
 *
 * <p>Implementations are thread-safe: any number of threads may call {@link #encode}, {@link #encodeAll} and
 * {@link #countTokens} at once. Returned arrays belong to the caller. {@link #close()} releases native resources; no
 * call may be made afterwards.
 */
public interface PromptEncoder extends AutoCloseable {

    /** @return the model's identity and semantics */
    EncoderInfo info();

    /**
     * Encodes one text, truncated to {@link EncoderInfo#maxTokens()} word pieces.
     *
     * @param text a prompt; may be empty, not null
     * @return a new vector of length {@link EncoderInfo#dimension()}, L2-normalised when {@link EncoderInfo#normalize()}
     * @throws IllegalArgumentException if {@code text} is null
     */
    float[] encode(String text);

    /**
     * Encodes one text and counts its word pieces, tokenising it once: the vector of {@link #encode} and the count of
     * {@link #countTokens}.
     *
     * @param text a prompt; may be empty, not null
     * @return the vector and the untruncated word-piece count
     */
    default EncodedPrompt encodeCounted(String text) {
        return new EncodedPrompt(encode(text), countTokens(text));
    }

    /**
     * Encodes many texts; the result agrees with {@link #encode} on each text (within 1e-5) and is in the order of
     * {@code texts}.
     *
     * @param texts prompts; none may be null
     * @return one new vector per text
     * @throws IllegalArgumentException if the list or an element is null
     */
    default float[][] encodeAll(List<String> texts) {
        return encodeAll(texts, stats -> {
        });
    }

    /**
     * Same as {@link #encodeAll(List)}, reporting what the call did (batches, padding, cache hits).
     *
     * @param texts prompts; none may be null
     * @param stats receives the call's statistics once, after encoding
     * @return one new vector per text
     */
    float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats);

    /**
     * Counts the word pieces of {@code text}, special tokens included, WITHOUT truncation: an estimate of an LLM's input
     * tokens. Works for texts of any length.
     *
     * @param text a prompt; not null
     * @return the number of word pieces, at least the number of special tokens the model adds
     */
    int countTokens(String text);

    /** Releases native resources. Never throws a checked exception. */
    @Override
    void close();
}

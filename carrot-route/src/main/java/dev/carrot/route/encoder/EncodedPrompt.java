package dev.carrot.route.encoder;

import java.util.Objects;

/**
 * A prompt's vector and its word-piece count, from one pass of the tokenizer ({@link PromptEncoder#encodeCounted}).
 *
 * @param vector the embedding (the caller's to keep)
 * @param tokens word pieces of the whole, untruncated prompt, special tokens included
 */
public record EncodedPrompt(float[] vector, int tokens) {
    public EncodedPrompt {
        Objects.requireNonNull(vector, "vector");
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
        }
    }
}

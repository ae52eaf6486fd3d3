package dev.carrot.route.model;

import java.util.Objects;

/**
 * The prompt encoder a router was trained with. A router refuses an encoder whose ONNX file (SHA-256) or dimension
 * differs, because its stored embeddings and weights only mean something in that encoder's space.
 *
 * @param id        a readable name ({@code all-MiniLM-L6-v2})
 * @param sha256    SHA-256 of the encoder's ONNX file, lower-case hex
 * @param dimension embedding dimension
 * @param maxTokens word pieces the encoder reads (longer prompts are truncated)
 */
public record EncoderRef(String id, String sha256, int dimension, int maxTokens) {
    public EncoderRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("encoder sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("encoder dimension must be >= 1, got " + dimension);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("encoder maxTokens must be >= 1, got " + maxTokens);
        }
    }
}

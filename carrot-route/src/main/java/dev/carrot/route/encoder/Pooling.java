package dev.carrot.route.encoder;

/** How per-token hidden states become one sentence vector. */
public enum Pooling {
    /** Average of the token vectors over the attention mask (sentence-transformers' default; MiniLM, e5). */
    MEAN,
    /** The vector of the first token, {@code [CLS]} (bge models). */
    CLS
}

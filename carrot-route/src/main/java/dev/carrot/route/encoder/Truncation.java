package dev.carrot.route.encoder;

/**
 * Which word pieces an encoder reads of a prompt longer than its token limit.
 *
 * <p>{@link #HEAD} is what sentence-transformers does (and what the CARROT paper's pipeline does): the first pieces.
 * Prompts that open with a long shared part, such as a few-shot prefix before the question (every ARC-Challenge and
 * Winogrande prompt of routerbench_subset: one embedding per task under MiniLM's 256 pieces), then all get one vector,
 * and a router cannot tell them apart. {@link #TAIL} reads the last pieces instead: the question, when it comes last.
 * A text prefix the model expects ({@code "query: "}) and the tokenizer's special tokens are kept either way.
 */
public enum Truncation {
    /** The first word pieces (sentence-transformers' truncation; the default). */
    HEAD,
    /** The last word pieces. */
    TAIL;

    /** The lower-case name used in artifacts and on the command line ({@code head}, {@code tail}). */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The truncation named {@code key} ({@code head} or {@code tail}, any case).
     *
     * @throws IllegalArgumentException naming the value and what is expected
     */
    public static Truncation of(String key) {
        if (key != null) {
            for (Truncation t : values()) {
                if (t.key().equalsIgnoreCase(key.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("truncation '" + key + "'; expected 'head' (the first word pieces) or"
                + " 'tail' (the last)");
    }
}

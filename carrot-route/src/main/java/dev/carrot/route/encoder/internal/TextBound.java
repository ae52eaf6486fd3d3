package dev.carrot.route.encoder.internal;

/**
 * The bound on what a tokenizer is given: a text longer than {@link #chars()} characters is cut there (never inside
 * a surrogate pair) before tokenizing, and the word pieces of the rest are estimated from the head's pieces per
 * character. Whatever the prompt, tokenizing takes bounded time and memory: the HuggingFace tokenizer on a 50 MB text
 * takes gigabytes and can abort the JVM.
 *
 * @param chars characters tokenized at most
 */
public record TextBound(int chars) {
    /** Characters tokenized per word piece the model reads, at least: generous, so the model's input is exact. */
    public static final int CHARS_PER_MODEL_TOKEN = 64;
    /** The bound is never below this many characters, so the token count is exact for ordinary prompts. */
    public static final int MIN_CHARS = 16_384;

    public TextBound {
        if (chars < 2) {
            throw new IllegalArgumentException("chars must be >= 2, got " + chars);
        }
    }

    /** The bound for a model that reads {@code maxTokens} word pieces. */
    public static TextBound forModel(int maxTokens) {
        return new TextBound((int) Math.min(Integer.MAX_VALUE - 8, Math.max(MIN_CHARS,
                (long) CHARS_PER_MODEL_TOKEN * maxTokens)));
    }

    /** Whether {@code text} is cut. */
    public boolean cuts(String text) {
        return text.length() > chars;
    }

    /** The part of {@code text} that is tokenized. */
    public String head(String text) {
        if (text.length() <= chars) {
            return text;
        }
        int cut = chars;
        if (Character.isHighSurrogate(text.charAt(cut - 1)) && Character.isLowSurrogate(text.charAt(cut))) {
            cut--;
        }
        return text.substring(0, cut);
    }

    /** The last part of {@code text} that is tokenized when an encoder reads a long prompt's tail. */
    public String tail(String text) {
        if (text.length() <= chars) {
            return text;
        }
        int cut = text.length() - chars;
        if (Character.isLowSurrogate(text.charAt(cut)) && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut++;
        }
        return text.substring(cut);
    }

    /** {@link #head} or {@link #tail} of {@code text}, the part an encoder with that truncation reads. */
    public String part(String text, dev.carrot.route.encoder.Truncation truncation) {
        return truncation == dev.carrot.route.encoder.Truncation.TAIL ? tail(text) : head(text);
    }

    /**
     * The word pieces of the whole text: exact when it was not cut, else {@code specials} plus the head's other
     * pieces scaled by the whole text's length over the head's.
     *
     * @param head       the part tokenized ({@link #head} or {@link #tail})
     * @param headPieces word pieces of that part (special tokens included)
     * @param specials   special tokens the tokenizer adds to every text
     */
    public int estimate(String text, String head, int headPieces, int specials) {
        if (head.length() == text.length()) {
            return headPieces;
        }
        double perChar = (double) Math.max(0, headPieces - specials) / Math.max(1, head.length());
        return (int) Math.min(Integer.MAX_VALUE, specials + Math.round(perChar * text.length()));
    }
}

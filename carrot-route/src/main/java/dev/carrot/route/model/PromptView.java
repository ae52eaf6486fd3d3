package dev.carrot.route.model;

import dev.carrot.route.knn.KnnIndex;

import java.util.Objects;

/**
 * What a {@link Predictor} sees of one prompt: its embedding, its word-piece count under the router's encoder, its text
 * when the router routes text, and its nearest stored prompts when the router keeps them.
 *
 * <p>A view belongs to one call on one thread: {@link #set} fills it (and runs the one neighbour search of the call),
 * then every predictor of the router reads it. Predictors must neither modify the arrays it exposes nor keep it.
 */
public final class PromptView {
    private final KnnIndex stored;
    private final int[] neighbours;
    private int count;
    private float[] embedding;
    private double encoderTokens = Double.NaN;
    private String text;

    /**
     * @param stored     the stored prompts to search, or null when no predictor reads neighbours
     * @param neighbours how many nearest stored prompts to find per prompt (capped at the number stored); 0 for none
     */
    public PromptView(KnnIndex stored, int neighbours) {
        if (neighbours < 0) {
            throw new IllegalArgumentException("neighbours must be >= 0, got " + neighbours);
        }
        if (neighbours > 0 && stored == null) {
            throw new IllegalArgumentException("predictors read " + neighbours + " neighbours but the router stores no"
                    + " prompts");
        }
        this.stored = stored;
        this.neighbours = new int[stored == null ? 0 : Math.min(neighbours, stored.size())];
    }

    /**
     * Points the view at one prompt and finds its nearest stored prompts.
     *
     * @param embedding     the prompt's unit embedding (not copied: leave it unchanged while the view is in use), or
     *                      null for a router whose predictors read only the text
     * @param encoderTokens word pieces of the whole prompt under the router's encoder, or NaN if unknown
     * @param text          the prompt's text, or null when routing from an embedding
     * @return this view
     */
    public PromptView set(float[] embedding, double encoderTokens, String text) {
        if (embedding == null && (text == null || neighbours.length > 0)) {
            throw new IllegalArgumentException(text == null ? "a prompt needs its embedding or its text"
                    : "predictors read stored neighbours, which need the prompt's embedding");
        }
        this.embedding = embedding;
        this.encoderTokens = encoderTokens;
        this.text = text;
        count = neighbours.length == 0 ? 0 : stored.search(embedding, neighbours.length, neighbours, null);
        return this;
    }

    /** The prompt's unit embedding (do not modify), or null for a router whose predictors read only the text. */
    public float[] embedding() {
        return embedding;
    }

    /** Word pieces of the whole, untruncated prompt under the router's encoder, or NaN when unknown. */
    public double encoderTokens() {
        return encoderTokens;
    }

    /** The prompt's text, or null when the router was given only its embedding. */
    public String text() {
        return text;
    }

    /** How many nearest stored prompts were found: the smaller of the largest need and the number stored. */
    public int neighbourCount() {
        return count;
    }

    /** The row of the {@code j}-th nearest stored prompt (0: the nearest); ties go to the lower row. */
    public int neighbour(int j) {
        return neighbours[Objects.checkIndex(j, count)];
    }
}

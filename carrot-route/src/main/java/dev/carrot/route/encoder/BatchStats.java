package dev.carrot.route.encoder;

/**
 * What one {@link PromptEncoder#encodeAll(java.util.List, java.util.function.Consumer)} call did.
 *
 * <p>Token counts are after truncation. {@code paddedTokens} is what the model actually computed (each batch padded to
 * its own longest text, after sorting by length); {@code unsortedPaddedTokens} is what batches of the same size in the
 * caller's order would have computed, for comparison.
 *
 * @param texts                texts asked for
 * @param cached               texts answered without running the model (cache hits and repeats)
 * @param batches              model calls made
 * @param tokens               real word pieces fed to the model
 * @param paddedTokens         word pieces including padding that the model computed
 * @param unsortedPaddedTokens word pieces including padding had the texts been batched in the caller's order
 * @param truncated            texts longer than the encoder's {@code maxTokens}
 */
public record BatchStats(int texts, int cached, int batches, long tokens, long paddedTokens, long unsortedPaddedTokens,
                         int truncated) {

    /** Stats of a call that encoded nothing. */
    public static final BatchStats EMPTY = new BatchStats(0, 0, 0, 0, 0, 0, 0);

    /** Validates the counts. */
    public BatchStats {
        if (texts < 0 || cached < 0 || batches < 0 || tokens < 0 || truncated < 0) {
            throw new IllegalArgumentException("negative count in BatchStats(texts=" + texts + ", cached=" + cached
                    + ", batches=" + batches + ", tokens=" + tokens + ", truncated=" + truncated + "); expected >= 0");
        }
        if (cached > texts) {
            throw new IllegalArgumentException("cached " + cached + " exceeds texts " + texts);
        }
        if (paddedTokens < tokens || unsortedPaddedTokens < tokens) {
            throw new IllegalArgumentException("paddedTokens " + paddedTokens + " / unsortedPaddedTokens "
                    + unsortedPaddedTokens + " are below tokens " + tokens + "; padding only adds tokens");
        }
        if (truncated > texts - cached) {
            throw new IllegalArgumentException("truncated " + truncated + " exceeds encoded texts " + (texts - cached));
        }
    }

    /** @return texts that went through the model */
    public int encoded() {
        return texts - cached;
    }

    /** @return fraction of computed positions that were padding, 0 when nothing was computed */
    public double paddingWaste() {
        return paddedTokens == 0 ? 0.0 : 1.0 - (double) tokens / paddedTokens;
    }

    /** @return the padding fraction batches in the caller's order would have had */
    public double unsortedPaddingWaste() {
        return unsortedPaddedTokens == 0 ? 0.0 : 1.0 - (double) tokens / unsortedPaddedTokens;
    }
}

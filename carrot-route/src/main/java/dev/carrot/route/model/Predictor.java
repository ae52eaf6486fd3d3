package dev.carrot.route.model;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A trained predictor with one output per model of a router: predicted quality, output tokens or cost for one prompt.
 *
 * <p>A predictor kind is implemented once, here: the same {@link #predict} serves the router at routing time and the
 * trainer when it scores validation and test prompts, so there is nothing to keep in parity. A kind also writes its
 * own fields and arrays into a router artifact ({@link #write}); its {@link PredictorKind}, found through
 * {@link PredictorKinds}, reads them back. The built-in kinds are {@link KnnPredictor}, {@link LinearPredictor},
 * {@link BlendPredictor} and {@link StackPredictor}.
 *
 * <p>Implementations are immutable and thread-safe: any number of threads may call {@link #predict} at once.
 */
public interface Predictor {

    /** The kind's name in the artifact manifest ({@code "knn"}, {@code "linear"}, ...); see {@link PredictorKind}. */
    String kind();

    /** Number of outputs (the router's models). */
    int outputs();

    /** A short description for logs, manifests and receipts ({@code knn(k=64)}, {@code logistic}, ...). */
    String describe();

    /**
     * How many of the stored prompts nearest to the query this predictor reads from {@link PromptView#neighbour}
     * (0 when it reads none). A router runs one neighbour search per prompt, for the largest need of its predictors.
     */
    default int neighbours() {
        return 0;
    }

    /**
     * Predicts the raw outputs for one prompt (before the router clips quality to [0, 1] and tokens and costs to
     * {@code >= 0}).
     *
     * @param prompt what the router knows of the prompt, with its nearest stored prompts when {@link #neighbours()}
     *               asks for them
     * @param out    receives one value per output, in the router's model order; its length is at least
     *               {@link #outputs()}
     */
    void predict(PromptView prompt, double[] out);

    /** Writes this predictor's fields and arrays; {@link PredictorKind#read} must read back an equal predictor. */
    void write(PredictorWriter out) throws IOException;

    /** Whether {@link #predict} reads {@link PromptView#text()} (then the router routes text, not embeddings). */
    default boolean readsText() {
        for (Predictor p : parts()) {
            if (p.readsText()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@link #predict} reads {@link PromptView#embedding()} (or neighbours): a router all of whose predictors
     * read only text needs no sentence encoder.
     */
    default boolean readsEmbedding() {
        if (parts().isEmpty()) {
            return true;
        }
        for (Predictor p : parts()) {
            if (p.readsEmbedding()) {
                return true;
            }
        }
        return false;
    }

    /** The predictors this one combines (for blends), else empty. */
    default List<Predictor> parts() {
        return List.of();
    }

    /**
     * Why this predictor cannot run in a router with embeddings of {@code dimension} and {@code storedPrompts}
     * stored prompts (0 when it keeps none), or empty when it can. For example a linear predictor of another
     * dimension, or a KNN predictor whose targets cover another number of stored prompts.
     */
    default Optional<String> misfit(int dimension, int storedPrompts) {
        return Optional.empty();
    }
}

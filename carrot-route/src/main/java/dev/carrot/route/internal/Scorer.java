package dev.carrot.route.internal;

import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.PromptView;
import dev.carrot.route.model.RouterModel;

import java.util.Objects;

/**
 * Evaluates a {@link RouterModel}'s predictors for one prompt: per model, predicted quality (clipped to [0, 1]),
 * input and output tokens, and cost in USD. All predictors share one neighbour search. Immutable and thread-safe;
 * each call uses its own small buffers.
 */
public final class Scorer {
    private final RouterModel model;
    private final int models;
    private final int neighbours;
    private final PriceTable.Price[] prices; // null unless the cost model prices tokens

    /**
     * @param prices the prices to use for a token-based cost model (ignored otherwise)
     */
    public Scorer(RouterModel model, PriceTable prices) {
        this.model = Objects.requireNonNull(model, "model");
        this.models = model.models().size();
        this.neighbours = model.neighbours();
        if (model.cost().pricesTokens()) {
            Objects.requireNonNull(prices, "prices");
            this.prices = prices.forModels(model.models());
        } else {
            this.prices = null;
        }
    }

    /** A view for one call's prompt, with room for the neighbours the predictors read. */
    public PromptView newView() {
        return new PromptView(model.knnIndex().orElse(null), neighbours);
    }

    /**
     * Fills the per-model predictions for one prompt.
     *
     * @param embedding     L2-normalised prompt embedding of the encoder's dimension
     * @param encoderTokens word pieces of the whole prompt (for the input-token estimate), or NaN if unknown
     * @param text          the prompt's text, or null when routing an embedding
     * @param quality       out: predicted quality in [0, 1]
     * @param inputTokens   out: predicted input tokens (NaN for routers without token costs)
     * @param outputTokens  out: predicted output tokens (NaN for routers without token costs)
     * @param cost          out: predicted cost in USD (0 for routers without cost information)
     */
    public void predict(float[] embedding, double encoderTokens, String text, double[] quality,
                        double[] inputTokens, double[] outputTokens, double[] cost) {
        PromptView view = newView().set(embedding, encoderTokens, text);
        model.quality().predict(view, quality);
        for (int m = 0; m < models; m++) {
            quality[m] = Math.min(1.0, Math.max(0.0, quality[m]));
        }
        model.cost().predict(view, prices, inputTokens, outputTokens, cost);
    }

    /**
     * Per model, the upper bound of the prompt's cost in USD at {@code confidence}, from what {@link #predict} filled
     * in: a token-priced router prices the bound of the output tokens with the predicted input tokens, a direct-cost
     * router bounds the cost itself. Infinite where the validation prompts cannot certify that confidence.
     *
     * @param embedding the prompt's embedding, which places it in a prompt group of the bounds (may be null for
     *                  bounds without groups)
     * @throws IllegalStateException if the router has no cost bounds
     */
    public void upperCost(float[] embedding, double[] inputTokens, double[] outputTokens, double[] cost,
                          double confidence, double[] bound) {
        dev.carrot.route.model.CostBounds b = model.costBounds().orElseThrow(() -> new IllegalStateException(
                "this router has no cost bounds" + (model.cost() instanceof dev.carrot.route.model.CostModel.None
                        ? " (it has no cost information)" : " (it was trained without validation prompts, or written"
                        + " before artifact format 3, or imported)") + ": cap the predicted cost with"
                        + " withMaxCostUsd(cap) alone, or retrain the router to get bounds"));
        int group = b.group(embedding);
        for (int m = 0; m < models; m++) {
            if (b.target() == dev.carrot.route.model.CostBounds.Target.OUTPUT_TOKENS) {
                double out = b.upper(m, group, outputTokens[m], confidence);
                bound[m] = Double.isInfinite(out) ? out : prices[m].cost(inputTokens[m], out);
            } else {
                bound[m] = b.upper(m, group, cost[m], confidence);
            }
        }
    }
}

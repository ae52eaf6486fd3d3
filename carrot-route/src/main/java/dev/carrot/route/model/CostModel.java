package dev.carrot.route.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a router predicts what a query will cost on each model.
 * <ul>
 *   <li>{@link Tokens}: predicted input and output tokens, priced with the router's {@link PriceTable}; prices can
 *       change without retraining;</li>
 *   <li>{@link Direct}: cost in USD predicted directly (data with per-query costs but no token counts, such as
 *       RouterBench); prices cannot be swapped;</li>
 *   <li>{@link None}: no cost information (quality-only data); every cost is 0 and {@code mu} only matters through
 *       a cost cap.</li>
 * </ul>
 */
public sealed interface CostModel permits CostModel.Tokens, CostModel.Direct, CostModel.None {

    /** A short name for manifests and receipts: {@code tokens}, {@code direct} or {@code none}. */
    String kind();

    /** The predictors of this cost model by what they predict ({@code "output tokens"}, {@code "cost"}). */
    Map<String, Predictor> predictors();

    /** Whether costs come from token counts and a price table (so that prices can change). */
    default boolean pricesTokens() {
        return false;
    }

    /**
     * Predicts one prompt's tokens and cost on every model (clipped to {@code >= 0}).
     *
     * @param prices       per model, its price (for {@link Tokens}; ignored otherwise, may be null)
     * @param inputTokens  out: predicted input tokens (NaN unless {@link Tokens})
     * @param outputTokens out: predicted output tokens (NaN unless {@link Tokens})
     * @param costUsd      out: predicted cost in USD (0 for {@link None})
     */
    void predict(PromptView prompt, PriceTable.Price[] prices, double[] inputTokens, double[] outputTokens,
                 double[] costUsd);

    /** Token-based cost: {@code in_price/1e6 * input_tokens + out_price/1e6 * output_tokens}. */
    record Tokens(InputTokens inputTokens, Predictor outputTokens) implements CostModel {
        public Tokens {
            Objects.requireNonNull(inputTokens, "inputTokens");
            Objects.requireNonNull(outputTokens, "outputTokens");
            if (inputTokens.models() != outputTokens.outputs()) {
                throw new IllegalArgumentException("input-token model covers " + inputTokens.models()
                        + " models but the output-token predictor has " + outputTokens.outputs() + " outputs");
            }
        }

        @Override
        public String kind() {
            return "tokens";
        }

        @Override
        public Map<String, Predictor> predictors() {
            return Map.of("output tokens", outputTokens);
        }

        @Override
        public boolean pricesTokens() {
            return true;
        }

        @Override
        public void predict(PromptView prompt, PriceTable.Price[] prices, double[] in, double[] out, double[] cost) {
            outputTokens.predict(prompt, out);
            inputTokens.estimate(prompt, in);
            for (int m = 0; m < prices.length; m++) {
                double o = Math.max(0.0, out[m]);
                out[m] = o;
                cost[m] = prices[m].cost(in[m], o);
            }
        }
    }

    /** Cost in USD per query predicted directly. */
    record Direct(Predictor costUsd) implements CostModel {
        public Direct {
            Objects.requireNonNull(costUsd, "costUsd");
        }

        @Override
        public String kind() {
            return "direct";
        }

        @Override
        public Map<String, Predictor> predictors() {
            return Map.of("cost", costUsd);
        }

        @Override
        public void predict(PromptView prompt, PriceTable.Price[] prices, double[] in, double[] out, double[] cost) {
            costUsd.predict(prompt, cost);
            for (int m = 0; m < costUsd.outputs(); m++) {
                cost[m] = Math.max(0.0, cost[m]);
                in[m] = Double.NaN;
                out[m] = Double.NaN;
            }
        }
    }

    /** No cost information. */
    record None() implements CostModel {
        @Override
        public String kind() {
            return "none";
        }

        @Override
        public Map<String, Predictor> predictors() {
            return Map.of();
        }

        @Override
        public void predict(PromptView prompt, PriceTable.Price[] prices, double[] in, double[] out, double[] cost) {
            for (int m = 0; m < cost.length; m++) {
                cost[m] = 0.0;
                in[m] = Double.NaN;
                out[m] = Double.NaN;
            }
        }
    }

    /** The predictors' descriptions, one line each ({@code "output tokens: knn(k=16)"}, {@code "cost: none"}). */
    default List<String> describe() {
        if (predictors().isEmpty()) {
            return List.of("cost: none");
        }
        return predictors().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().describe()).toList();
    }
}

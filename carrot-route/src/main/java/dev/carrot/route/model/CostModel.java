package dev.carrot.route.model;

import java.util.Objects;

/**
 * How a router predicts what a query will cost on each model.
 * <ul>
 *   <li>{@link Tokens}: predicted input and output tokens, priced with the router's {@code PriceTable}; prices can
 *       change without retraining;</li>
 *   <li>{@link Direct}: cost in USD predicted directly (data with per-query costs but no token counts, such as
 *       RouterBench); prices cannot be swapped;</li>
 *   <li>{@link None}: no cost information (quality-only data); every cost is 0 and {@code mu} only matters through
 *       a cost cap.</li>
 * </ul>
 */
public sealed interface CostModel permits CostModel.Tokens, CostModel.Direct, CostModel.None {

    /** A short name for manifests and receipts. */
    String kind();

    /** Token-based cost: {@code in_price/1e6 * input_tokens + out_price/1e6 * output_tokens}. */
    record Tokens(InputTokenModel inputTokens, PredictorSpec outputTokens) implements CostModel {
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
    }

    /** Cost in USD per query predicted directly. */
    record Direct(PredictorSpec costUsd) implements CostModel {
        public Direct {
            Objects.requireNonNull(costUsd, "costUsd");
        }

        @Override
        public String kind() {
            return "direct";
        }
    }

    /** No cost information. */
    record None() implements CostModel {
        @Override
        public String kind() {
            return "none";
        }
    }
}

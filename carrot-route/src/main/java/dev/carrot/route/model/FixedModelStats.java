package dev.carrot.route.model;

import java.util.List;
import java.util.Objects;

/**
 * What always calling one model costs and scores: per model, the mean realised quality and the mean input and output
 * tokens (token-priced routers, re-priced with any price table) or the mean cost in USD (direct-cost routers) over a
 * set of labelled prompts. These are the "fixed choice" points a {@link FixedModelPolicy} puts beside the router.
 *
 * <p>No prediction is involved in these means, so they may be taken over every labelled prompt the router is not
 * tested on (training and validation): nothing is in-sample, and ten times the validation prompts make the choice
 * among many models far less noisy than validation alone would.
 */
public final class FixedModelStats {
    private final int rows;
    private final double[] quality;
    private final double[] inputTokens; // null unless token-based
    private final double[] outputTokens; // null unless token-based
    private final double[] costUsd; // null when token-based

    private FixedModelStats(int rows, double[] quality, double[] inputTokens, double[] outputTokens,
                            double[] costUsd) {
        if (rows < 1) {
            throw new IllegalArgumentException("fixed-model statistics need at least one prompt, got " + rows);
        }
        Objects.requireNonNull(quality, "quality");
        int m = quality.length;
        if (m == 0) {
            throw new IllegalArgumentException("fixed-model statistics need at least one model");
        }
        for (double[] a : new double[][]{inputTokens, outputTokens, costUsd}) {
            if (a != null && a.length != m) {
                throw new IllegalArgumentException("fixed-model arrays must all have one value per model (" + m
                        + "), got " + a.length);
            }
        }
        for (int j = 0; j < m; j++) {
            if (!(quality[j] >= 0 && quality[j] <= 1)) {
                throw new IllegalArgumentException("mean quality of model " + j + " is " + quality[j]
                        + "; expected a number in [0, 1]");
            }
            for (double[] a : new double[][]{inputTokens, outputTokens, costUsd}) {
                if (a != null && (!(a[j] >= 0) || Double.isInfinite(a[j]))) {
                    throw new IllegalArgumentException("mean tokens or cost of model " + j + " is " + a[j]
                            + "; expected a finite number >= 0");
                }
            }
        }
        this.rows = rows;
        this.quality = quality.clone();
        this.inputTokens = inputTokens == null ? null : inputTokens.clone();
        this.outputTokens = outputTokens == null ? null : outputTokens.clone();
        this.costUsd = costUsd == null ? null : costUsd.clone();
    }

    /** For token-priced routers: mean quality, input tokens and output tokens per model. */
    public static FixedModelStats ofTokens(int rows, double[] quality, double[] inputTokens, double[] outputTokens) {
        Objects.requireNonNull(inputTokens, "inputTokens");
        Objects.requireNonNull(outputTokens, "outputTokens");
        return new FixedModelStats(rows, quality, inputTokens, outputTokens, null);
    }

    /** For routers that predict USD directly (or no cost: zeros): mean quality and cost per model. */
    public static FixedModelStats ofCosts(int rows, double[] quality, double[] costUsd) {
        Objects.requireNonNull(costUsd, "costUsd");
        return new FixedModelStats(rows, quality, null, null, costUsd);
    }

    /** Labelled prompts the means are taken over. */
    public int rows() {
        return rows;
    }

    public int models() {
        return quality.length;
    }

    public boolean tokenBased() {
        return inputTokens != null;
    }

    /** Mean quality per model. */
    public double[] quality() {
        return quality.clone();
    }

    /** Mean input tokens per model (token-based statistics only). */
    public double[] inputTokens() {
        requireTokens();
        return inputTokens.clone();
    }

    /** Mean output tokens per model (token-based statistics only). */
    public double[] outputTokens() {
        requireTokens();
        return outputTokens.clone();
    }

    /** Mean cost per model in USD as stored (direct-cost statistics only). */
    public double[] storedCostUsd() {
        if (tokenBased()) {
            throw new IllegalStateException("token-based fixed-model statistics store tokens: use costUsd(models,"
                    + " prices)");
        }
        return costUsd.clone();
    }

    private void requireTokens() {
        if (!tokenBased()) {
            throw new IllegalStateException("these fixed-model statistics store costs in USD, not tokens");
        }
    }

    /**
     * Mean cost per model in USD: token means priced with {@code prices} (cost is linear in tokens, so the price of
     * the mean tokens is the mean cost), or the stored means, for which {@code prices} may be null.
     *
     * @param modelNames the router's models, in the order of these statistics
     */
    public double[] costUsd(List<String> modelNames, PriceTable prices) {
        if (modelNames.size() != quality.length) {
            throw new IllegalArgumentException("fixed-model statistics cover " + quality.length + " models, got names"
                    + " of " + modelNames.size());
        }
        if (!tokenBased()) {
            return costUsd.clone();
        }
        Objects.requireNonNull(prices, "prices (token-based statistics are priced)");
        PriceTable.Price[] p = prices.forModels(modelNames);
        double[] c = new double[quality.length];
        for (int j = 0; j < c.length; j++) {
            c[j] = p[j].cost(inputTokens[j], outputTokens[j]);
        }
        return c;
    }
}

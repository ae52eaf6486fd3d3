package dev.carrot.route.model;

import java.util.Objects;

/**
 * Maps a budget in USD per query to the trade-off {@code mu} that reaches the best quality within it, as measured on
 * validation prompts (never on test): for each {@code mu} of a grid, the mean realised cost and quality of the
 * router's choices on the validation split.
 *
 * <p>A deterministic router can only reach the costs of its grid points, and its cost-quality frontier has gaps. So
 * a budget is met the way a mixed strategy meets it: the two points of the frontier's upper concave hull that bracket
 * the budget are mixed, each prompt going to the dearer one with probability {@code p} chosen so that the expected
 * cost equals the budget, which also gives the best expected quality any mixture of grid points reaches at that cost.
 * {@code Router} draws that choice from a hash of the prompt, so the same prompt always gets the same answer. A budget
 * above the best-quality point uses that point; a budget below the cheapest point uses the cheapest point and says
 * it is not reachable.
 */
public final class BudgetCalibration {
    private final double[] mu;
    private final double[] cost;
    private final double[] quality;
    private final int[] hull; // grid indices of the upper concave hull, by increasing cost, up to the best quality

    public BudgetCalibration(double[] mu, double[] cost, double[] quality) {
        Objects.requireNonNull(mu, "mu");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(quality, "quality");
        if (mu.length == 0 || cost.length != mu.length || quality.length != mu.length) {
            throw new IllegalArgumentException("calibration needs equal, non-empty mu/cost/quality arrays, got "
                    + mu.length + "/" + cost.length + "/" + quality.length);
        }
        for (int i = 0; i < mu.length; i++) {
            DecisionRule.checkMu(mu[i]);
            if (!(cost[i] >= 0) || Double.isInfinite(cost[i]) || !(quality[i] >= 0 && quality[i] <= 1)) {
                throw new IllegalArgumentException("calibration point " + i + " has cost " + cost[i] + " and quality "
                        + quality[i] + "; expected cost >= 0 and quality in [0, 1]");
            }
        }
        this.mu = mu.clone();
        this.cost = cost.clone();
        this.quality = quality.clone();
        this.hull = upperHull(this.cost, this.quality);
    }

    /** Indices of the upper concave hull of (cost, quality), cheapest first, ending at the best quality. */
    private static int[] upperHull(double[] c, double[] q) {
        Integer[] order = new Integer[c.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // by cost; at equal cost the best quality first, then the larger mu (the cheaper-leaning choice)
        java.util.Arrays.sort(order, (a, b) -> c[a] != c[b] ? Double.compare(c[a], c[b])
                : q[a] != q[b] ? Double.compare(q[b], q[a]) : Integer.compare(b, a));
        int[] h = new int[order.length];
        int k = 0;
        double bestQ = Double.NEGATIVE_INFINITY;
        for (int idx : order) {
            if (q[idx] <= bestQ) {
                continue; // dearer and not better: never on the useful frontier
            }
            bestQ = q[idx];
            while (k >= 2 && cross(c, q, h[k - 2], h[k - 1], idx) >= 0) {
                k--; // the middle point lies on or below the chord: not on the concave hull
            }
            h[k++] = idx;
        }
        return java.util.Arrays.copyOf(h, k);
    }

    /** < 0 when b lies above the chord from a to d, >= 0 when on or below it. */
    private static double cross(double[] c, double[] q, int a, int b, int d) {
        return (c[b] - c[a]) * (q[d] - q[a]) - (q[b] - q[a]) * (c[d] - c[a]);
    }

    /** The mu grid used. */
    public double[] mu() {
        return mu.clone();
    }

    /** Mean validation cost (USD per query) at each grid mu. */
    public double[] cost() {
        return cost.clone();
    }

    /** Mean validation quality at each grid mu. */
    public double[] quality() {
        return quality.clone();
    }

    public int size() {
        return mu.length;
    }

    /**
     * The calibrated choice for a budget: route with {@code mu}, or with {@code alternativeMu} with probability
     * {@code alternativeProbability}.
     *
     * @param mu                     the trade-off for most prompts
     * @param alternativeMu          the dearer hull point's trade-off (equal to {@code mu} when no mixing is needed)
     * @param alternativeProbability share of prompts routed with {@code alternativeMu}
     * @param validationCost         expected cost on validation (the budget itself when it is within range)
     * @param validationQuality      expected quality on validation
     * @param reachable              false when even the cheapest point costs more than the budget
     */
    public record Choice(double mu, double alternativeMu, double alternativeProbability, double validationCost,
                         double validationQuality, boolean reachable) {

        /** The mu for a prompt whose hash maps to {@code u} in [0, 1). */
        public double muFor(double u) {
            return u < alternativeProbability ? alternativeMu : mu;
        }
    }

    /** The choice for a budget in USD per query. */
    public Choice forBudget(double budgetUsd) {
        if (!(budgetUsd >= 0) || Double.isInfinite(budgetUsd)) {
            throw new IllegalArgumentException("budget must be a finite number >= 0 USD per query, got " + budgetUsd);
        }
        int first = hull[0];
        if (budgetUsd < cost[first]) {
            return new Choice(mu[first], mu[first], 0, cost[first], quality[first], false);
        }
        int last = hull[hull.length - 1];
        if (budgetUsd >= cost[last]) {
            return new Choice(mu[last], mu[last], 0, cost[last], quality[last], true);
        }
        int i = 0;
        while (cost[hull[i + 1]] <= budgetUsd) {
            i++;
        }
        int a = hull[i];
        int b = hull[i + 1];
        double p = (budgetUsd - cost[a]) / (cost[b] - cost[a]);
        return new Choice(mu[a], mu[b], p, budgetUsd, quality[a] + p * (quality[b] - quality[a]), true);
    }

    /** The default grid: 0, 0.001, ..., 1. */
    public static double[] defaultGrid() {
        double[] g = new double[1001];
        for (int i = 0; i <= 1000; i++) {
            g[i] = i / 1000.0;
        }
        return g;
    }

    /**
     * Computes the calibration from validation predictions and outcomes.
     *
     * @param predQuality  predicted quality, rows x models
     * @param predCost     predicted cost USD, rows x models
     * @param trueQuality  realised quality, rows x models
     * @param trueCost     realised cost USD, rows x models
     */
    public static BudgetCalibration fit(double[] predQuality, double[] predCost, double[] trueQuality,
                                        double[] trueCost, int rows, int models, double costScale, double[] grid) {
        if (rows < 1) {
            throw new IllegalArgumentException("calibration needs at least one validation prompt");
        }
        int cells = rows * models;
        if (predQuality.length != cells || predCost.length != cells || trueQuality.length != cells
                || trueCost.length != cells) {
            throw new IllegalArgumentException("calibration arrays must have rows x models = " + cells + " values");
        }
        double[] c = new double[grid.length];
        double[] q = new double[grid.length];
        for (int g = 0; g < grid.length; g++) {
            double sc = 0;
            double sq = 0;
            for (int i = 0; i < rows; i++) {
                int m = DecisionRule.choose(predQuality, predCost, i * models, models, grid[g], costScale, null);
                sc += trueCost[i * models + m];
                sq += trueQuality[i * models + m];
            }
            c[g] = sc / rows;
            q[g] = Math.min(1.0, Math.max(0.0, sq / rows));
        }
        return new BudgetCalibration(grid, c, q);
    }
}

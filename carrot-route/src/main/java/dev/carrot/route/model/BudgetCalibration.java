package dev.carrot.route.model;

import java.util.Objects;

/**
 * Maps a budget in USD per query to the trade-off {@code mu} that reaches the best quality within it, as measured on
 * validation prompts (never on test): for each {@code mu} of a grid, the mean realised cost and quality of the
 * router's choices on the validation split.
 *
 * <p>A budget picks, among grid points whose validation cost is within the budget, the one with the highest
 * validation quality (ties: the cheaper). A budget below the cheapest point picks the cheapest point and says so.
 */
public final class BudgetCalibration {
    private final double[] mu;
    private final double[] cost;
    private final double[] quality;

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
     * The calibrated choice for a budget.
     *
     * @param mu              the trade-off to route with
     * @param validationCost  mean cost on validation at that mu
     * @param validationQuality mean quality on validation at that mu
     * @param reachable       false when even the cheapest point costs more than the budget
     */
    public record Choice(double mu, double validationCost, double validationQuality, boolean reachable) {
    }

    /** The mu for a budget in USD per query. */
    public Choice forBudget(double budgetUsd) {
        if (!(budgetUsd >= 0) || Double.isInfinite(budgetUsd)) {
            throw new IllegalArgumentException("budget must be a finite number >= 0 USD per query, got " + budgetUsd);
        }
        int best = -1;
        int cheapest = 0;
        for (int i = 0; i < mu.length; i++) {
            if (cost[i] < cost[cheapest]) {
                cheapest = i;
            }
            if (cost[i] <= budgetUsd * (1 + 1e-12)) {
                if (best < 0 || quality[i] > quality[best] || (quality[i] == quality[best] && cost[i] < cost[best])) {
                    best = i;
                }
            }
        }
        if (best < 0) {
            return new Choice(mu[cheapest], cost[cheapest], quality[cheapest], false);
        }
        return new Choice(mu[best], cost[best], quality[best], true);
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

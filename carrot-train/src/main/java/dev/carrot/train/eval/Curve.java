package dev.carrot.train.eval;

import dev.carrot.route.model.DecisionRule;
import dev.carrot.route.model.FixedModelPolicy;

import java.util.Objects;
import dev.carrot.route.model.BudgetCalibration;

/**
 * A router's cost-quality curve on a set of prompts: for each trade-off {@code lambda} of a grid, the model it picks
 * for every prompt, and the mean realised cost and quality of those picks.
 *
 * @param name    router name
 * @param lambda  the grid
 * @param cost    mean realised cost (USD per query) per lambda
 * @param quality mean realised quality per lambda
 * @param choices model index per lambda and prompt ({@code choices[g][i]})
 */
public record Curve(String name, double[] lambda, double[] cost, double[] quality, int[][] choices) {

    public Curve {
        Objects.requireNonNull(name, "name");
        if (lambda.length != cost.length || lambda.length != quality.length || lambda.length != choices.length) {
            throw new IllegalArgumentException("curve arrays must have the same length");
        }
    }

    /** The lambda grid 0, 0.001, ..., 1 of the paper's evaluation. */
    public static double[] paperGrid() {
        return dev.carrot.route.model.BudgetCalibration.defaultGrid();
    }

    /**
     * Routes every prompt at every lambda with the CARROT rule on predicted quality and cost, and measures the true
     * outcome.
     *
     * @param predQ predicted quality, n x m
     * @param predC predicted cost USD, n x m
     * @param trueQ realised quality, n x m
     * @param trueC realised cost USD, n x m
     */
    public static Curve sweep(String name, double[] predQ, double[] predC, double[] trueQ, double[] trueC, int n,
                              int m, double costScale, double[] grid) {
        return sweep(name, predQ, predC, trueQ, trueC, n, m, costScale, grid, null);
    }

    /**
     * Like {@link #sweep(String, double[], double[], double[], double[], int, int, double, double[])}, through a
     * router's fixed-model policy: at a lambda where the policy calls a fixed model, every prompt goes to it, as
     * {@code Router.route} sends it.
     *
     * @param policy the router's policy, or null for the rule alone
     */
    public static Curve sweep(String name, double[] predQ, double[] predC, double[] trueQ, double[] trueC, int n,
                              int m, double costScale, double[] grid, FixedModelPolicy policy) {
        double[] cost = new double[grid.length];
        double[] quality = new double[grid.length];
        int[][] choices = new int[grid.length][n];
        for (int g = 0; g < grid.length; g++) {
            double sc = 0;
            double sq = 0;
            int fixed = policy == null ? FixedModelPolicy.ROUTER : policy.fixedAt(grid[g]);
            for (int i = 0; i < n; i++) {
                int c = fixed != FixedModelPolicy.ROUTER ? fixed
                        : DecisionRule.choose(predQ, predC, i * m, m, grid[g], costScale, null);
                choices[g][i] = c;
                sc += trueC[i * m + c];
                sq += trueQ[i * m + c];
            }
            cost[g] = sc / n;
            quality[g] = sq / n;
        }
        return new Curve(name, grid.clone(), cost, quality, choices);
    }

    /** A curve from fixed per-prompt choices (baselines). */
    public static Curve ofChoices(String name, double[] lambda, int[][] choices, double[] trueQ, double[] trueC,
                                  int n, int m) {
        double[] cost = new double[choices.length];
        double[] quality = new double[choices.length];
        for (int g = 0; g < choices.length; g++) {
            double sc = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                sc += trueC[i * m + choices[g][i]];
                sq += trueQ[i * m + choices[g][i]];
            }
            cost[g] = sc / n;
            quality[g] = sq / n;
        }
        return new Curve(name, lambda, cost, quality, choices);
    }

    public int points() {
        return lambda.length;
    }
}

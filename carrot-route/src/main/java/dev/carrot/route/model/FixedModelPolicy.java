package dev.carrot.route.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Single models as candidates of the routing policy itself: at a trade-off {@code mu}, either the router's own
 * per-prompt choice or always the same model, whichever has the higher expected utility
 * {@code (1 - mu) * quality - mu * cost / costScale} on prompts the router was not fitted on.
 *
 * <p><b>What mu means.</b> For the router's own choices mu is what it always was: the per-prompt trade-off of
 * CARROT's rule. The policy reads the same mu as a trade-off between <i>expected</i> quality and cost, and compares
 * at that mu two strategies: (a) routing every prompt with the rule at mu, and (b) calling, for every prompt, the
 * fixed model whose mean utility at mu is highest. It takes (b) when its expected utility beats (a)'s. So at every
 * mu the policy is at least as good as the best fixed choice, by the held-out estimates. Expected utility is linear
 * in (cost, quality): a fixed model that is a vertex of the upper concave hull of the router's curve and the fixed
 * models' points is the best strategy of all over some range of mu, and is chosen there; one that lies under that
 * hull is never chosen (a mix of two hull points, which a budget gets, does better at its cost). The router's points
 * keep their own mu (the policy does not re-map mu from one router point to another, which would keep only the hull's
 * few vertices), so where the router wins, a decision is the one the router alone would make.
 *
 * <p><b>Where the numbers come from.</b> The router's expected cost and quality at each grid mu are its validation
 * curve ({@link BudgetCalibration}: predictors fitted without the validation prompts); the fixed models' are
 * {@link FixedModelStats}, plain means that may use every labelled prompt outside the test split. A budget is met by
 * mixing the two points of the policy's own hull that bracket it ({@link #calibration}), which may be a fixed model
 * and a router point, or two fixed models.
 *
 * <p>The resolved choice is stored per point of a mu grid; {@link #fixedAt(double)} reads the grid point nearest to
 * mu. Immutable.
 */
public final class FixedModelPolicy {
    /** The rule this class fits, as the artifact names it. */
    public static final String RULE = "router_or_best_fixed";
    /** {@link #fixedAt} for a mu at which the router decides. */
    public static final int ROUTER = -1;

    private final FixedModelStats stats;
    private final double[] mu;
    private final int[] fixed;

    /**
     * A resolved policy, as read from an artifact.
     *
     * @param stats the fixed models' expected quality and cost
     * @param mu    the grid, strictly ascending, in [0, 1]
     * @param fixed per grid point the fixed model's index, or {@link #ROUTER}
     */
    public FixedModelPolicy(FixedModelStats stats, double[] mu, int[] fixed) {
        this.stats = Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(mu, "mu");
        Objects.requireNonNull(fixed, "fixed");
        if (mu.length == 0 || fixed.length != mu.length) {
            throw new IllegalArgumentException("a fixed-model policy needs equal, non-empty mu and choice arrays, got "
                    + mu.length + "/" + fixed.length);
        }
        for (int g = 0; g < mu.length; g++) {
            DecisionRule.checkMu(mu[g]);
            if (g > 0 && !(mu[g] > mu[g - 1])) {
                throw new IllegalArgumentException("the policy's mu grid must be strictly ascending, got " + mu[g - 1]
                        + " then " + mu[g] + " at point " + g);
            }
            if (fixed[g] < ROUTER || fixed[g] >= stats.models()) {
                throw new IllegalArgumentException("the policy's choice at point " + g + " is " + fixed[g]
                        + "; expected -1 (the router) or a model index below " + stats.models());
            }
        }
        this.mu = mu.clone();
        this.fixed = fixed.clone();
    }

    /**
     * Fits the policy: at each grid mu of the router's validation curve, the fixed model with the highest expected
     * utility if it beats the router's (ties go to the router, and among fixed models to the cheaper one, then the
     * lower index, as {@link DecisionRule} breaks them).
     *
     * @param router       the router's own validation curve
     * @param stats        the fixed models' expected quality (and tokens or cost)
     * @param modelCostUsd each model's expected cost in USD at the router's prices
     *                     ({@link FixedModelStats#costUsd})
     * @param costScale    the router's cost scale
     */
    public static FixedModelPolicy fit(BudgetCalibration router, FixedModelStats stats, double[] modelCostUsd,
                                       double costScale) {
        Objects.requireNonNull(router, "router");
        return fit(router.mu(), router.cost(), router.quality(), stats, modelCostUsd, costScale);
    }

    /**
     * Fits the policy from the router's expected cost and quality at each grid mu (for a router without costs: one
     * point, mu = 0, and zero costs).
     */
    public static FixedModelPolicy fit(double[] grid, double[] routerCost, double[] routerQuality,
                                       FixedModelStats stats, double[] modelCostUsd, double costScale) {
        Objects.requireNonNull(stats, "stats");
        int m = stats.models();
        if (modelCostUsd.length != m) {
            throw new IllegalArgumentException("expected one cost per model (" + m + "), got " + modelCostUsd.length);
        }
        if (routerCost.length != grid.length || routerQuality.length != grid.length) {
            throw new IllegalArgumentException("the router's curve needs one cost and quality per grid mu ("
                    + grid.length + "), got " + routerCost.length + "/" + routerQuality.length);
        }
        if (!(costScale > 0) || Double.isInfinite(costScale)) {
            throw new IllegalArgumentException("cost scale must be a finite number > 0 USD, got " + costScale);
        }
        double[] q = stats.quality();
        int[] fixed = new int[grid.length];
        for (int g = 0; g < grid.length; g++) {
            int best = DecisionRule.choose(q, modelCostUsd, 0, m, grid[g], costScale, null);
            double fixedUtility = DecisionRule.utility(q[best], modelCostUsd[best], grid[g], costScale);
            double routerUtility = DecisionRule.utility(routerQuality[g], routerCost[g], grid[g], costScale);
            fixed[g] = fixedUtility > routerUtility ? best : ROUTER;
        }
        return new FixedModelPolicy(stats, grid, fixed);
    }

    /** The rule that made the choices: {@value #RULE}. */
    public String rule() {
        return RULE;
    }

    public FixedModelStats stats() {
        return stats;
    }

    /** The grid. */
    public double[] mu() {
        return mu.clone();
    }

    /** Per grid point: the fixed model's index, or {@link #ROUTER}. */
    public int[] choices() {
        return fixed.clone();
    }

    public int size() {
        return mu.length;
    }

    /**
     * The fixed model the policy sends every prompt to at this mu, or {@link #ROUTER} when the router decides: the
     * choice of the grid point nearest to {@code mu} (the lower one on a tie).
     */
    public int fixedAt(double mu) {
        int i = Arrays.binarySearch(this.mu, mu);
        if (i >= 0) {
            return fixed[i];
        }
        int hi = -i - 1;
        if (hi == 0) {
            return fixed[0];
        }
        if (hi == this.mu.length) {
            return fixed[this.mu.length - 1];
        }
        return mu - this.mu[hi - 1] <= this.mu[hi] - mu ? fixed[hi - 1] : fixed[hi];
    }

    /** Whether some mu sends every prompt to a fixed model. */
    public boolean usesFixedModels() {
        for (int f : fixed) {
            if (f != ROUTER) {
                return true;
            }
        }
        return false;
    }

    /**
     * The budget calibration of the policy: at each grid mu, the expected cost and quality of what the policy does
     * there (the router's validation point, or the fixed model's), so that a budget mixes the two points of the
     * policy's hull that bracket it.
     *
     * @param router       the router's own validation curve, on this policy's grid
     * @param modelCostUsd each model's expected cost at the prices in use
     */
    public BudgetCalibration calibration(BudgetCalibration router, double[] modelCostUsd) {
        Objects.requireNonNull(router, "router");
        if (!Arrays.equals(router.mu(), mu)) {
            throw new IllegalArgumentException("the router's calibration grid (" + router.size() + " points) is not"
                    + " the policy's (" + mu.length + " points)");
        }
        if (modelCostUsd.length != stats.models()) {
            throw new IllegalArgumentException("expected one cost per model (" + stats.models() + "), got "
                    + modelCostUsd.length);
        }
        double[] c = router.cost();
        double[] q = router.quality();
        double[] fq = stats.quality();
        for (int g = 0; g < mu.length; g++) {
            if (fixed[g] != ROUTER) {
                c[g] = modelCostUsd[fixed[g]];
                q[g] = fq[fixed[g]];
            }
        }
        return new BudgetCalibration(mu, c, q);
    }

    /** The policy in words, one line per run of grid points: {@code mu 0 to 0.03: always gpt-4}. */
    public List<String> describe(List<String> models) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int g = 1; g <= mu.length; g++) {
            if (g == mu.length || fixed[g] != fixed[start]) {
                String range = mu[start] == mu[g - 1] ? String.format(Locale.ROOT, "mu %s", num(mu[start]))
                        : String.format(Locale.ROOT, "mu %s to %s", num(mu[start]), num(mu[g - 1]));
                out.add(range + ": " + (fixed[start] == ROUTER ? "the router" : "always " + models.get(fixed[start])));
                start = g;
            }
        }
        return out;
    }

    private static String num(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}

package dev.carrot.route.model;

/**
 * CARROT's decision rule: send the prompt to {@code argmax_m (1 - mu) * quality_m - mu * cost_m / costScale}.
 *
 * <p>{@code costScale} (USD) makes {@code mu} unit-free: it is stored in the router artifact, so the same mu means the
 * same trade-off after prices change. Ties in utility go to the model with the lower predicted cost, then to the
 * lower model index, so decisions are deterministic.
 */
public final class DecisionRule {
    private DecisionRule() {
    }

    /** The utility of one candidate. */
    public static double utility(double quality, double costUsd, double mu, double costScale) {
        return (1 - mu) * quality - mu * (costUsd / costScale);
    }

    /**
     * The chosen model index among those with {@code allowed[m]} (or all when {@code allowed} is null), or -1 when
     * none is allowed.
     *
     * @param quality   predicted quality per model (offset {@code off})
     * @param cost      predicted cost in USD per model (offset {@code off})
     */
    public static int choose(double[] quality, double[] cost, int off, int models, double mu, double costScale,
                             boolean[] allowed) {
        int best = -1;
        double bestU = Double.NEGATIVE_INFINITY;
        double bestC = Double.POSITIVE_INFINITY;
        for (int m = 0; m < models; m++) {
            if (allowed != null && !allowed[m]) {
                continue;
            }
            double c = cost[off + m];
            double u = utility(quality[off + m], c, mu, costScale);
            if (best < 0 || u > bestU || (u == bestU && c < bestC)) {
                best = m;
                bestU = u;
                bestC = c;
            }
        }
        return best;
    }

    /** Validates a trade-off parameter: a number in [0, 1]. */
    public static double checkMu(double mu) {
        if (!(mu >= 0 && mu <= 1)) {
            throw new IllegalArgumentException("mu must be in [0, 1] (0: quality only, 1: cost only), got " + mu);
        }
        return mu;
    }
}

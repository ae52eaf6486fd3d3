package dev.carrot.train.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The summary numbers of a cost-quality curve.
 *
 * <p>{@code Q(c)} is the best quality the router reaches at any lambda whose cost is at most {@code c}: a
 * non-decreasing step function; below the router's cheapest point it is that point's quality. {@link #area} is the
 * mean of {@code Q} over {@code [cLo, cHi]} (the mean costs of the cheapest and the dearest single model), computed
 * exactly for the step function. {@link #costToMatch} is the lowest cost at which the router's quality reaches a
 * target, as a fraction of a reference cost.
 */
public final class Metrics {
    private Metrics() {
    }

    /** Mean of Q(c) over [cLo, cHi]. */
    public static double area(double[] cost, double[] quality, double cLo, double cHi) {
        if (!(cHi > cLo)) {
            // a single cost level: the best quality reachable at it
            return q(cost, quality, cHi);
        }
        Integer[] order = sortedByCost(cost, quality);
        // breakpoints: costs of the points within (cLo, cHi)
        double integral = 0;
        double at = cLo;
        double level = q(cost, quality, cLo);
        for (Integer idx : order) {
            double c = cost[idx];
            if (c <= cLo) {
                continue;
            }
            if (c >= cHi) {
                break;
            }
            integral += level * (c - at);
            at = c;
            level = Math.max(level, quality[idx]);
        }
        integral += level * (cHi - at);
        return integral / (cHi - cLo);
    }

    /** Q(c): the best quality among points with cost <= c, or the cheapest point's quality below all points. */
    public static double q(double[] cost, double[] quality, double c) {
        double best = Double.NEGATIVE_INFINITY;
        int cheapest = -1;
        for (int i = 0; i < cost.length; i++) {
            if (cost[i] <= c) {
                best = Math.max(best, quality[i]);
            }
            if (cheapest < 0 || cost[i] < cost[cheapest] || (cost[i] == cost[cheapest]
                    && quality[i] > quality[cheapest])) {
                cheapest = i;
            }
        }
        return best == Double.NEGATIVE_INFINITY ? quality[cheapest] : best;
    }

    /**
     * The lowest cost at which quality reaches {@code target}, divided by {@code referenceCost}, or NaN when it never
     * does.
     */
    public static double costToMatch(double[] cost, double[] quality, double target, double referenceCost) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < cost.length; i++) {
            if (quality[i] >= target - 1e-12) {
                best = Math.min(best, cost[i]);
            }
        }
        return best == Double.POSITIVE_INFINITY ? Double.NaN : best / referenceCost;
    }

    /** The best quality at cost <= budget (Q(budget)), NaN if no point is that cheap. */
    public static double qualityWithin(double[] cost, double[] quality, double budget) {
        double best = Double.NaN;
        for (int i = 0; i < cost.length; i++) {
            if (cost[i] <= budget && (Double.isNaN(best) || quality[i] > best)) {
                best = quality[i];
            }
        }
        return best;
    }

    private static Integer[] sortedByCost(double[] cost, double[] quality) {
        Integer[] idx = new Integer[cost.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> cost[i]).thenComparingDouble(i -> -quality[i]));
        return idx;
    }
}

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

    /**
     * How far the single model that does best against a curve lies above it: over the models whose mean cost is
     * within the curve's cost range, the largest {@code quality_j - Q(cost_j)} ({@code Q} as in {@link #area}; a
     * curve point at the model's own cost counts, within a relative 1e-9 for rounding). Negative when every such
     * model lies below the curve.
     *
     * @return the gap and the model's index, or null when no model's cost is within the curve's range
     */
    public static Gap largestGap(double[] cost, double[] quality, double[] singleCost, double[] singleQuality) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double c : cost) {
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
        }
        Gap best = null;
        for (int j = 0; j < singleCost.length; j++) {
            double c = singleCost[j];
            double slack = 1e-9 * Math.abs(c);
            if (c < lo - slack || c > hi + slack) {
                continue;
            }
            double level = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < cost.length; i++) {
                if (cost[i] <= c + slack) {
                    level = Math.max(level, quality[i]);
                }
            }
            double gap = singleQuality[j] - level;
            if (best == null || gap > best.gap()) {
                best = new Gap(j, gap, c, singleQuality[j], level);
            }
        }
        return best;
    }

    /**
     * A single model above (or below) a curve.
     *
     * @param model        the model's index
     * @param gap          its quality minus the curve's {@code Q} at its cost
     * @param cost         its mean cost
     * @param quality      its mean quality
     * @param curveQuality the curve's {@code Q} at that cost
     */
    public record Gap(int model, double gap, double cost, double quality, double curveQuality) {
    }
}

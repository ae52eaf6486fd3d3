package dev.carrot.train.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap over test prompts: each replicate draws n prompts with replacement (as multiplicities), and a
 * statistic is recomputed from weighted per-prompt values. Seeded; the RNG is created per call.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /** Multiplicity of each of {@code n} prompts in each of {@code b} replicates: {@code w[rep][i]}. */
    public static int[][] weights(int n, int b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] w = new int[b][n];
        for (int rep = 0; rep < b; rep++) {
            for (int i = 0; i < n; i++) {
                w[rep][r.nextInt(n)]++;
            }
        }
        return w;
    }


    /**
     * An estimate with its percentile interval.
     *
     * @param value the statistic on the full test set
     * @param lo    2.5th percentile of the replicates (NaN-free replicates only)
     * @param hi    97.5th percentile
     * @param defined fraction of replicates where the statistic was defined (e.g. a router that reaches the best
     *                model's quality)
     */
    public record Interval(double value, double lo, double hi, double defined) {
        static Interval of(double value, double[] replicates) {
            double[] ok = Arrays.stream(replicates).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (ok.length == 0) {
                return new Interval(value, Double.NaN, Double.NaN, 0);
            }
            return new Interval(value, percentile(ok, 0.025), percentile(ok, 0.975),
                    (double) ok.length / replicates.length);
        }
    }

    /**
     * The difference of a statistic between two routers on the same test prompts, {@code a - b}, with its percentile
     * interval from replicates in which both were computed on the same resample of prompts (paired), and, for
     * contrast, the interval that resampling each router's prompts independently would give (unpaired: replicate
     * {@code r} of {@code a} against replicate {@code r + 1} of {@code b}, two independent draws).
     *
     * @param value      {@code a - b} on the full test set
     * @param lo         2.5th percentile of the paired replicate differences
     * @param hi         97.5th percentile of the paired replicate differences
     * @param unpairedLo 2.5th percentile of the unpaired differences
     * @param unpairedHi 97.5th percentile of the unpaired differences
     * @param defined    fraction of replicates in which both statistics were defined
     */
    public record Difference(double value, double lo, double hi, double unpairedLo, double unpairedHi,
                             double defined) {

        /**
         * @param repsA replicates of {@code a}, computed on the same resamples, in the same order, as {@code repsB}
         */
        public static Difference of(double a, double[] repsA, double b, double[] repsB) {
            if (repsA.length != repsB.length) {
                throw new IllegalArgumentException("paired replicates must be as many for both statistics, got "
                        + repsA.length + " and " + repsB.length);
            }
            int n = repsA.length;
            double[] paired = new double[n];
            double[] unpaired = new double[n];
            for (int r = 0; r < n; r++) {
                paired[r] = repsA[r] - repsB[r];
                unpaired[r] = repsA[r] - repsB[(r + 1) % n];
            }
            Interval p = Interval.of(a - b, paired);
            Interval u = n < 2 ? new Interval(a - b, Double.NaN, Double.NaN, 0) : Interval.of(a - b, unpaired);
            return new Difference(a - b, p.lo(), p.hi(), u.lo(), u.hi(), p.defined());
        }

        /** Whether the paired interval lies wholly on one side of 0. */
        public boolean excludesZero() {
            return lo > 0 || hi < 0;
        }
    }

    static double percentile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

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

    static double percentile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

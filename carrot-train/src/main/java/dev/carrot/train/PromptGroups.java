package dev.carrot.train;

import dev.carrot.route.model.CostBounds;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The prompt groups of the cost bounds ({@link CostBounds}): spherical k-means of the <em>training</em> prompts'
 * unit embeddings ({@value #MAX_CENTROIDS} centroids, k-means++ seeding, seeded), then the smallest groups merged
 * into their most similar neighbour until every group can expect {@value #MIN_EXPECTED_VALIDATION} validation
 * prompts (its share of the training prompts times the validation count). Only training prompts decide the groups,
 * so that within each group the validation prompts stay exchangeable with new ones and the bounds keep their
 * guarantee. On routerbench_subset the groups are the three tasks; what matters is that prompts whose costs vary
 * alike (code answers, one-letter answers) get their own bounds.
 *
 * @param centroids     centroids x dimension, unit rows (empty for one group)
 * @param centroidGroup per centroid, its group
 * @param dimension     the embeddings' dimension
 */
record PromptGroups(float[] centroids, int[] centroidGroup, int dimension) {
    /** The most centroids. */
    public static final int MAX_CENTROIDS = 8;
    /** The fewest validation prompts a group should expect (20 certify a confidence up to 20/21 = 95.2%). */
    public static final int MIN_EXPECTED_VALIDATION = 20;
    private static final int ITERATIONS = 50;
    /**
     * Centroids at least this similar (cosine) are parts of one kind of prompt and form one group: with
     * all-MiniLM-L6-v2, parts of one task are 0.88-0.98 apart, different tasks 0.04-0.85.
     */
    static final double SAME_KIND = 0.9;

    /** One group of every prompt. */
    public static PromptGroups one(int dimension) {
        return new PromptGroups(new float[0], new int[0], dimension);
    }

    public int groups() {
        int g = 1;
        for (int v : centroidGroup) {
            g = Math.max(g, v + 1);
        }
        return g;
    }

    /** The group of each of some rows of {@code x} (rows x dimension unit embeddings). */
    public int[] groupsOf(float[] x, int[] rows) {
        int[] out = new int[rows.length];
        if (centroidGroup.length > 0) {
            for (int i = 0; i < rows.length; i++) {
                out[i] = centroidGroup[CostBounds.nearest(centroids, dimension, x, rows[i])];
            }
        }
        return out;
    }

    /**
     * @param x           every prompt's unit embedding, rows x dimension
     * @param train       the training rows the groups are fitted on
     * @param validations how many validation prompts the bounds will be fitted on
     */
    public static PromptGroups fit(float[] x, int dimension, int[] train, int validations, long seed) {
        int maxGroups = (int) Math.min(MAX_CENTROIDS, validations / MIN_EXPECTED_VALIDATION);
        if (maxGroups < 2 || train.length < 2 * MAX_CENTROIDS) {
            return one(dimension);
        }
        int k = MAX_CENTROIDS;
        float[] c = seed(x, dimension, train, k, seed);
        int[] assign = new int[train.length];
        Arrays.fill(assign, -1);
        for (int it = 0; it < ITERATIONS; it++) {
            boolean changed = false;
            for (int i = 0; i < train.length; i++) {
                int a = CostBounds.nearest(c, dimension, x, train[i]);
                changed |= a != assign[i];
                assign[i] = a;
            }
            if (!changed) {
                break;
            }
            double[] sum = new double[k * dimension];
            for (int i = 0; i < train.length; i++) {
                int o = train[i] * dimension;
                for (int t = 0; t < dimension; t++) {
                    sum[assign[i] * dimension + t] += x[o + t];
                }
            }
            for (int g = 0; g < k; g++) {
                double norm = 0;
                for (int t = 0; t < dimension; t++) {
                    norm += sum[g * dimension + t] * sum[g * dimension + t];
                }
                if (norm > 0) { // an empty cluster keeps its centroid
                    norm = Math.sqrt(norm);
                    for (int t = 0; t < dimension; t++) {
                        c[g * dimension + t] = (float) (sum[g * dimension + t] / norm);
                    }
                }
            }
        }
        // groups: one per centroid, then merged (single linkage on centroid cosine): first the parts of one kind
        // of prompt, then groups too small for their share of the validation prompts, then down to maxGroups
        int[] group = new int[k];
        long[] size = new long[k];
        for (int g = 0; g < k; g++) {
            group[g] = g;
        }
        for (int a : assign) {
            size[a]++;
        }
        double[] sim = new double[k * k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double v = 0;
                for (int t = 0; t < dimension; t++) {
                    v += (double) c[a * dimension + t] * c[b * dimension + t];
                }
                sim[a * k + b] = v;
            }
        }
        double perPrompt = validations / (double) train.length;
        while (true) {
            int[] pair = closestPair(group, sim, k, -1);
            if (pair == null || sim[pair[2]] < SAME_KIND) {
                break;
            }
            merge(group, pair[1], pair[0]);
        }
        while (true) {
            long[] groupSize = new long[k];
            for (int g = 0; g < k; g++) {
                groupSize[group[g]] += size[g];
            }
            int smallest = -1;
            int live = 0;
            for (int g = 0; g < k; g++) {
                if (group[g] == g) {
                    live++;
                    if (smallest < 0 || groupSize[g] < groupSize[smallest]) {
                        smallest = g;
                    }
                }
            }
            if (live <= 1) {
                break;
            }
            if (groupSize[smallest] * perPrompt < MIN_EXPECTED_VALIDATION) {
                int[] pair = closestPair(group, sim, k, smallest);
                merge(group, smallest, pair[0] == smallest ? pair[1] : pair[0]);
            } else if (live > maxGroups) {
                int[] pair = closestPair(group, sim, k, -1);
                merge(group, pair[1], pair[0]);
            } else {
                break;
            }
        }
        // number the groups 0.. in the order of their first centroid
        int[] id = new int[k];
        Arrays.fill(id, -1);
        int next = 0;
        int[] centroidGroup = new int[k];
        for (int g = 0; g < k; g++) {
            if (id[group[g]] < 0) {
                id[group[g]] = next++;
            }
            centroidGroup[g] = id[group[g]];
        }
        return next == 1 ? one(dimension) : new PromptGroups(c, centroidGroup, dimension);
    }

    /**
     * The two groups (by their lowest centroid index, {@code [a, b, a * k + b]} with the most similar centroids
     * {@code a}, {@code b}) whose centroids are most similar, one of them {@code of} unless it is -1; null when there
     * is one group.
     */
    private static int[] closestPair(int[] group, double[] sim, int k, int of) {
        int[] best = null;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                if (group[a] == group[b] || (of >= 0 && group[a] != of) || (of < 0 && group[a] > group[b])) {
                    continue;
                }
                if (best == null || sim[a * k + b] > sim[best[2]]) {
                    best = new int[]{group[a], group[b], a * k + b};
                }
            }
        }
        return best;
    }

    /** Moves every centroid of group {@code from} into group {@code into}. */
    private static void merge(int[] group, int from, int into) {
        int lo = Math.min(from, into);
        int hi = Math.max(from, into);
        for (int g = 0; g < group.length; g++) {
            if (group[g] == hi) {
                group[g] = lo;
            }
        }
    }

    /** k-means++ seeding: the first centroid a random training prompt, each next one drawn by squared distance. */
    private static float[] seed(float[] x, int dimension, int[] train, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] c = new float[k * dimension];
        double[] d2 = new double[train.length];
        Arrays.fill(d2, Double.POSITIVE_INFINITY);
        int pick = train[r.nextInt(train.length)];
        for (int g = 0; g < k; g++) {
            System.arraycopy(x, pick * dimension, c, g * dimension, dimension);
            double total = 0;
            for (int i = 0; i < train.length; i++) {
                double s = 0;
                for (int t = 0; t < dimension; t++) {
                    s += (double) x[train[i] * dimension + t] * c[g * dimension + t];
                }
                d2[i] = Math.min(d2[i], Math.max(0, 2 - 2 * s)); // squared distance of unit vectors
                total += d2[i];
            }
            if (g == k - 1) {
                break;
            }
            double u = r.nextDouble() * total;
            int i = 0;
            for (; i < train.length - 1 && (u -= d2[i]) > 0; i++) {
                // walk to the drawn prompt
            }
            pick = train[i];
        }
        return c;
    }
}

package dev.carrot.train.add;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The new model's labelled prompts as {@link ModelAddition} uses them: their embeddings and encoder token counts,
 * the new model's quality, tokens and cost on each, and the stored prompts of the router each one is (by embedding
 * identity; a text stored twice matches twice). Arrays are the caller's; nothing here modifies them.
 *
 * @param x        n x dimension unit embeddings
 * @param tokens   word pieces per prompt under the router's encoder, or null
 * @param quality  per prompt
 * @param outTokens per prompt, or null
 * @param inTokens per prompt, or null
 * @param cost     per prompt (USD), or null
 * @param matched  per prompt, the stored rows it is (possibly none)
 */
record Labels(String model, int dim, float[] x, int[] tokens, double[] quality, double[] outTokens, double[] inTokens,
              double[] cost, int[][] matched) {

    int size() {
        return quality.length;
    }

    /** The stored rows some prompt matched, ascending. */
    int[] storedRows() {
        java.util.TreeSet<Integer> rows = new java.util.TreeSet<>();
        for (int[] m : matched) {
            for (int r : m) {
                rows.add(r);
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Per stored row of {@link #storedRows()}, the mean of {@code values} over the prompts that matched it. */
    double[] storedValues(double[] values) {
        TreeMap<Integer, double[]> acc = new TreeMap<>();
        for (int i = 0; i < matched.length; i++) {
            for (int r : matched[i]) {
                double[] a = acc.computeIfAbsent(r, k -> new double[2]);
                a[0] += values[i];
                a[1]++;
            }
        }
        double[] out = new double[acc.size()];
        int j = 0;
        for (double[] a : acc.values()) {
            out[j++] = a[0] / a[1];
        }
        return out;
    }

    /** A labelled prompt that matched stored row {@code row}, or -1. */
    int promptOf(int row) {
        for (int i = 0; i < matched.length; i++) {
            for (int r : matched[i]) {
                if (r == row) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The labels of a router whose stored rows were reduced: {@code newIndex[r]} is the new row of old row {@code r},
     * or -1 for a removed row. Prompts that matched a removed row are left out (they are what is held out).
     */
    Labels restrict(int[] newIndex) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < matched.length; i++) {
            boolean ok = true;
            for (int r : matched[i]) {
                ok &= newIndex[r] >= 0;
            }
            if (ok) {
                keep.add(i);
            }
        }
        int n = keep.size();
        float[] nx = new float[n * dim];
        int[] nt = tokens == null ? null : new int[n];
        double[] nq = new double[n];
        double[] no = outTokens == null ? null : new double[n];
        double[] ni = inTokens == null ? null : new double[n];
        double[] nc = cost == null ? null : new double[n];
        int[][] nm = new int[n][];
        for (int j = 0; j < n; j++) {
            int i = keep.get(j);
            System.arraycopy(x, i * dim, nx, j * dim, dim);
            if (nt != null) {
                nt[j] = tokens[i];
            }
            nq[j] = quality[i];
            if (no != null) {
                no[j] = outTokens[i];
            }
            if (ni != null) {
                ni[j] = inTokens[i];
            }
            if (nc != null) {
                nc[j] = cost[i];
            }
            nm[j] = Arrays.stream(matched[i]).map(r -> newIndex[r]).toArray();
        }
        return new Labels(model, dim, nx, nt, nq, no, ni, nc, nm);
    }
}

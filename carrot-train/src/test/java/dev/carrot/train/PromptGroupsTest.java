package dev.carrot.train;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The prompt groups of the cost bounds: k-means of the training prompts, small groups merged into near ones. */
class PromptGroupsTest {
    static final int DIM = 8;

    /** Unit vectors around three directions: e0 (600), e1 (300), and near e1, a small kind (60). */
    static float[] data(int[] kind, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[kind.length * DIM];
        for (int i = 0; i < kind.length; i++) {
            kind[i] = i < 600 ? 0 : i < 900 ? 1 : 2;
            double[] v = new double[DIM];
            if (kind[i] == 0) {
                v[0] = 1;
            } else if (kind[i] == 1) {
                v[1] = 1;
            } else {
                v[1] = 0.8;
                v[2] = 0.6;
            }
            double norm = 0;
            for (int t = 0; t < DIM; t++) {
                v[t] += 0.05 * r.nextGaussian();
                norm += v[t] * v[t];
            }
            for (int t = 0; t < DIM; t++) {
                x[i * DIM + t] = (float) (v[t] / Math.sqrt(norm));
            }
        }
        return x;
    }

    @Test
    void kindsOfPromptBecomeGroupsAndOneTooSmallForItsValidationShareJoinsItsNearestNeighbour() {
        int[] kind = new int[960];
        float[] x = data(kind, 1);
        int[] train = java.util.stream.IntStream.range(0, 960).toArray();
        // 960 validation prompts to come: each kind can expect 20 or more, three groups
        PromptGroups many = PromptGroups.fit(x, DIM, train, 960, 42);
        assertThat(many.groups()).isEqualTo(3);
        assertPure(many, x, train, kind, 3);
        // 235 to come: the small kind expects 60 * 235 / 960 = 14.7 < 20 and joins the kind near it
        PromptGroups few = PromptGroups.fit(x, DIM, train, 235, 42);
        assertThat(few.groups()).isEqualTo(2);
        int[] g = few.groupsOf(x, train);
        assertThat(g[950]).isEqualTo(g[700]).isNotEqualTo(g[0]);
        // the same data and seed give the same groups
        assertThat(PromptGroups.fit(x, DIM, train, 235, 42).centroids()).containsExactly(few.centroids());
        // too few validation prompts for two groups of 20: one group, no centroids
        PromptGroups one = PromptGroups.fit(x, DIM, train, 39, 42);
        assertThat(one.groups()).isEqualTo(1);
        assertThat(one.centroids()).isEmpty();
        assertThat(one.groupsOf(x, train)).containsOnly(0);
    }

    /** Every kind lies wholly in one group, and the kinds in different ones. */
    private static void assertPure(PromptGroups p, float[] x, int[] rows, int[] kind, int kinds) {
        int[] g = p.groupsOf(x, rows);
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < kinds; k++) {
            Set<Integer> of = new HashSet<>();
            for (int i = 0; i < rows.length; i++) {
                if (kind[i] == k) {
                    of.add(g[i]);
                }
            }
            assertThat(of).as("groups of kind " + k).hasSize(1);
            seen.addAll(of);
        }
        assertThat(seen).hasSize(kinds);
    }
}

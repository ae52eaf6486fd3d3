package dev.carrot.train.add;

import dev.carrot.route.knn.KnnIndex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group shift of {@link KnnColumn}: stored prompts behind one shared prefix have one embedding, a labelled prompt
 * matches its whole group, and the pseudo-count {@code kappa} of the group's mean residual is chosen by leave-one-out
 * error within the groups. A copy of an existing model keeps the existing models' values (kappa infinity); a model
 * that is much better or worse than every existing model on one group moves that group's rows to its labels.
 */
class KnnColumnTest {
    static final int DIM = 8;
    static final int M = 4;
    static final int GROUPS = 3;
    static final int GROUP_SIZE = 100;
    static final int SINGLES = 200;
    static final int SIZE = GROUPS * GROUP_SIZE + SINGLES;
    static final List<String> MODELS = List.of("a", "b", "c", "d");

    /** The stored prompts: 3 groups of 100 identical embeddings, then 200 prompts of their own. */
    static KnnIndex store(Random rnd) {
        float[] v = new float[SIZE * DIM];
        float[] point = new float[DIM];
        for (int r = 0; r < SIZE; r++) {
            if (r >= GROUPS * GROUP_SIZE || r % GROUP_SIZE == 0) {
                double norm = 0;
                for (int d = 0; d < DIM; d++) {
                    point[d] = (float) rnd.nextGaussian();
                    norm += point[d] * point[d];
                }
                for (int d = 0; d < DIM; d++) {
                    point[d] /= (float) Math.sqrt(norm);
                }
            }
            System.arraycopy(point, 0, v, r * DIM, DIM);
        }
        return KnnIndex.of(v, DIM);
    }

    /** 0/1 outcomes of 4 models that differ in skill; each group has its own difficulty. */
    static float[] outcomes(Random rnd) {
        double[] skill = {0.4, 0.0, -0.4, 0.8};
        float[] t = new float[SIZE * M];
        for (int r = 0; r < SIZE; r++) {
            double difficulty = r < GROUPS * GROUP_SIZE ? (r / GROUP_SIZE - 1) * 0.8 : rnd.nextGaussian();
            for (int j = 0; j < M; j++) {
                double p = 1 / (1 + Math.exp(difficulty - skill[j]));
                t[r * M + j] = rnd.nextDouble() < p ? 1 : 0;
            }
        }
        return t;
    }

    /** 30 labelled prompts in each group (each a random row of it, matching the whole group) and 60 of their own. */
    record Labelled(int[] truth, int[][] matched) {
    }

    static Labelled labelled(Random rnd) {
        List<Integer> truth = new ArrayList<>();
        List<int[]> matched = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            int[] whole = new int[GROUP_SIZE];
            for (int i = 0; i < GROUP_SIZE; i++) {
                whole[i] = g * GROUP_SIZE + i;
            }
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < GROUP_SIZE; i++) {
                rows.add(g * GROUP_SIZE + i);
            }
            java.util.Collections.shuffle(rows, rnd);
            for (int i = 0; i < 30; i++) {
                truth.add(rows.get(i));
                matched.add(whole);
            }
        }
        List<Integer> singles = new ArrayList<>();
        for (int r = GROUPS * GROUP_SIZE; r < SIZE; r++) {
            singles.add(r);
        }
        java.util.Collections.shuffle(singles, rnd);
        for (int i = 0; i < 60; i++) {
            truth.add(singles.get(i));
            matched.add(new int[]{singles.get(i)});
        }
        return new Labelled(truth.stream().mapToInt(Integer::intValue).toArray(), matched.toArray(int[][]::new));
    }

    /** {@link KnnColumn#impute} as {@link ModelAddition} calls it: stored rows' values are their prompts' mean. */
    static KnnColumn.Column impute(KnnIndex store, float[] targets, Labelled l, double[] promptLabels) {
        Labels labels = new Labels("new", DIM, null, null, promptLabels, null, null, null, l.matched());
        int[] rows = labels.storedRows();
        return KnnColumn.impute(store, targets, MODELS, rows, labels.storedValues(promptLabels), l.matched(),
                promptLabels, true, ModelAddition.Method.FULL, 5, 7);
    }

    static double groupMean(float[] column, int g) {
        double s = 0;
        for (int i = 0; i < GROUP_SIZE; i++) {
            s += column[g * GROUP_SIZE + i];
        }
        return s / GROUP_SIZE;
    }

    static double groupMean(float[] targets, int g, int model) {
        double s = 0;
        for (int i = 0; i < GROUP_SIZE; i++) {
            s += targets[(g * GROUP_SIZE + i) * M + model];
        }
        return s / GROUP_SIZE;
    }

    @Test
    void aCopyKeepsTheExistingModelsValuesInEachGroup() {
        Random rnd = new Random(1);
        KnnIndex store = store(rnd);
        float[] t = outcomes(rnd);
        Labelled l = labelled(rnd);
        double[] y = new double[l.truth().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = t[l.truth()[i] * M + 3];
        }
        KnnColumn.Column col = impute(store, t, l, y);
        Map<String, Object> report = col.report();
        assertThat(report.get("labelled_groups")).isEqualTo(GROUPS);
        assertThat(report.get("group_prompts_scored")).isEqualTo(90);
        // the group's labels are a sample of model d's outcomes there: their mean residual is noise
        assertThat((String) report.get("group_kappa")).isIn("16.0", "32.0", "infinity");
        for (int g = 0; g < GROUPS; g++) {
            assertThat(groupMean(col.values(), g)).as("group " + g)
                    .isCloseTo(groupMean(t, g, 3), org.assertj.core.data.Offset.offset(0.08));
        }
    }

    @Test
    void aGroupEffectTheOtherModelsMissMovesTheGroupToItsLabels() {
        Random rnd = new Random(2);
        KnnIndex store = store(rnd);
        float[] t = outcomes(rnd);
        Labelled l = labelled(rnd);
        // model d, except that it fails every prompt of group 0 and solves every prompt of group 2 (the hardest)
        double[] y = new double[l.truth().length];
        for (int i = 0; i < y.length; i++) {
            int r = l.truth()[i];
            y[i] = r < GROUP_SIZE ? 0 : r < 2 * GROUP_SIZE ? t[r * M + 3] : r < 3 * GROUP_SIZE ? 1 : t[r * M + 3];
        }
        KnnColumn.Column col = impute(store, t, l, y);
        double kappa = Double.parseDouble(((String) col.report().get("group_kappa")).replace("infinity", "Infinity"));
        assertThat(kappa).as("kappa").isLessThanOrEqualTo(4);
        // 30 labels per group: the shift is at least 30 / 34 of the group's mean residual
        assertThat(groupMean(col.values(), 0)).as("group 0 (all wrong)").isLessThan(0.15);
        assertThat(groupMean(col.values(), 2)).as("group 2 (all right)").isGreaterThan(0.85);
        assertThat(groupMean(col.values(), 1)).as("group 1 (model d)")
                .isCloseTo(groupMean(t, 1, 3), org.assertj.core.data.Offset.offset(0.15));
    }
}

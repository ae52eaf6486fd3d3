package dev.carrot.route.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Split-conformal cost bounds: exact order statistics, coverage on exchangeable data, prompt groups, bad input. */
class CostBoundsTest {
    private static final float[] NONE = new float[0];

    private static CostBounds oneGroup(CostBounds.Target t, double[] pred, double[] actual, int rows, int models) {
        return CostBounds.fit(t, pred, actual, rows, models, 0, NONE, new int[0], new int[rows]);
    }

    @Test
    void theBoundIsTheKthScoreAndInfiniteWhenTooFewPromptsCertifyTheConfidence() {
        // one model, 9 validation prompts predicted 100 tokens, realised 100 .. 180: scores ln((y + c) / (p + c))
        int rows = 9;
        double[] pred = new double[rows];
        double[] actual = new double[rows];
        double mean = 0;
        for (int i = 0; i < rows; i++) {
            pred[i] = 100;
            actual[i] = 100 + 10 * (8 - i); // given in descending order: the fit sorts
            mean += actual[i] / rows;
        }
        CostBounds b = oneGroup(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1);
        double c = CostBounds.OFFSET_FRACTION * mean;
        assertThat(b.offset()[0]).isCloseTo(c, within(1e-12));
        assertThat(b.groups()).isEqualTo(1);
        assertThat(b.group(null)).isZero();
        // k = ceil(10 * 0.9) = 9: the largest realised value; k = ceil(10 * 0.5) = 5: the fifth smallest, 140
        assertThat(b.upper(0, 0, 100, 0.9)).isCloseTo(180, within(1e-9));
        assertThat(b.upper(0, 0, 100, 0.5)).isCloseTo(140, within(1e-9));
        assertThat(b.upper(0, 0, 100, 0.85)).isCloseTo(180, within(1e-9)); // ceil(8.5) = 9
        assertThat(b.upper(0, 0, 100, 0.8)).isCloseTo(170, within(1e-9));
        // 0.91 needs k = ceil(9.1) = 10 > 9 scores
        assertThat(b.upper(0, 0, 100, 0.91)).isInfinite();
        // the margin is multiplicative in (p + c)
        assertThat(b.upper(0, 0, 200, 0.9)).isCloseTo((200 + c) * (180 + c) / (100 + c) - c, within(1e-9));
        // a negative prediction counts as 0, like the router's clipped one
        assertThat(b.upper(0, 0, -5, 0.9)).isCloseTo(b.upper(0, 0, 0, 0.9), within(1e-12));
    }

    @Test
    void onExchangeablePromptsTheBoundHoldsAsOftenAsTheConfidenceSaysInEveryGroup() {
        // two kinds of prompt (centroids e1, e2): short answers whose length varies a lot, long ones that vary little
        SplittableRandom r = new SplittableRandom(7);
        int rows = 240;
        int trials = 300;
        double[] confidences = {0.5, 0.8, 0.9, 0.95};
        float[] centroids = {1, 0, 0, 1};
        double[][] held = new double[2][confidences.length];
        double[][] heldOneGroup = new double[2][confidences.length];
        int[] tests = new int[2];
        for (int t = 0; t < trials; t++) {
            double[] pred = new double[rows];
            double[] actual = new double[rows];
            int[] group = new int[rows];
            for (int i = 0; i < rows; i++) {
                group[i] = r.nextDouble() < 0.3 ? 1 : 0;
                pred[i] = group[i] == 1 ? 50 + 100 * r.nextDouble() : 100 + 400 * r.nextDouble();
                actual[i] = draw(r, pred[i], group[i]);
            }
            CostBounds b = CostBounds.fit(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1, 2, centroids,
                    new int[]{0, 1}, group);
            CostBounds pooled = oneGroup(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1);
            for (int j = 0; j < 30; j++) {
                int g = r.nextDouble() < 0.3 ? 1 : 0;
                float[] e = g == 1 ? new float[]{0.1f, 0.995f} : new float[]{0.995f, 0.1f};
                assertThat(b.group(e)).isEqualTo(g);
                double p = g == 1 ? 50 + 100 * r.nextDouble() : 100 + 400 * r.nextDouble();
                double y = draw(r, p, g);
                for (int k = 0; k < confidences.length; k++) {
                    held[g][k] += y <= b.upper(0, g, p, confidences[k]) ? 1 : 0;
                    heldOneGroup[g][k] += y <= pooled.upper(0, 0, p, confidences[k]) ? 1 : 0;
                }
                tests[g]++;
            }
        }
        for (int g = 0; g < 2; g++) {
            for (int k = 0; k < confidences.length; k++) {
                // at least the confidence, at most 1/(n_group + 1) more, up to sampling noise
                double n = g == 1 ? 72 : 168;
                assertThat(held[g][k] / tests[g]).as("group " + g + ", coverage at " + confidences[k])
                        .isBetween(confidences[k] - 0.015, confidences[k] + 1 / (n + 1) + 0.015);
            }
        }
        // one set of scores for both kinds holds on average, but fails the varied kind and wastes on the other
        assertThat(heldOneGroup[1][2] / tests[1]).isLessThan(0.8);
        assertThat(heldOneGroup[0][2] / tests[0]).isGreaterThan(0.95);
    }

    /** Group 1's answers vary four times as much, relatively, as group 0's. */
    private static double draw(SplittableRandom r, double p, int group) {
        return p * Math.exp((group == 1 ? 0.8 : 0.2) * r.nextGaussian());
    }

    @Test
    void aPromptBelongsToTheGroupOfItsNearestCentroidAndAGroupMayHaveSeveral() {
        float[] centroids = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] pred = {1, 1, 1};
        double[] actual = {1, 2, 3};
        CostBounds b = CostBounds.fit(CostBounds.Target.COST_USD, pred, actual, 3, 1, 3, centroids,
                new int[]{0, 1, 0}, new int[]{0, 1, 0});
        assertThat(b.groups()).isEqualTo(2);
        assertThat(b.groupSizes()).containsExactly(2, 1);
        assertThat(b.group(new float[]{0.8f, 0.6f, 0})).isZero();
        assertThat(b.group(new float[]{0.6f, 0.8f, 0})).isEqualTo(1);
        assertThat(b.group(new float[]{0, 0.6f, 0.8f})).isZero(); // nearest is the third centroid, of group 0
        assertThat(b.describe()).isEqualTo("split-conformal cost_usd bounds (3 validation prompts in 2 prompt groups:"
                + " 2, 1)");
        assertThatThrownBy(() -> b.group(new float[]{1, 0})).hasMessageContaining("embedding dimension 2 does not"
                + " match the cost bounds' centroids, dimension 3");
        // a group without validation prompts certifies nothing
        CostBounds empty = CostBounds.fit(CostBounds.Target.COST_USD, pred, actual, 3, 1, 3, centroids,
                new int[]{0, 1, 0}, new int[]{0, 0, 0});
        assertThat(empty.upper(0, 1, 1, 0.5)).isInfinite();
    }

    @Test
    void badInputIsRejectedWithWhatWasWrong() {
        assertThatThrownBy(() -> oneGroup(CostBounds.Target.COST_USD, new double[]{1, 2}, new double[]{1}, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 1");
        assertThatThrownBy(() -> oneGroup(CostBounds.Target.COST_USD, new double[]{1, Double.NaN},
                new double[]{1, 1}, 2, 1)).hasMessageContaining("row 1, model 0 has prediction NaN");
        assertThatThrownBy(() -> oneGroup(CostBounds.Target.COST_USD, new double[]{1, 1},
                new double[]{1, -1}, 2, 1)).hasMessageContaining("outcome -1.0");
        CostBounds ok = oneGroup(CostBounds.Target.COST_USD, new double[]{1, 1}, new double[]{1, 2}, 2, 1);
        for (double c : new double[]{0, 1, -0.1, Double.NaN, 1.5}) {
            assertThatThrownBy(() -> ok.upper(0, 0, 1, c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("confidence must be in (0, 1)");
        }
        assertThatThrownBy(() -> ok.upper(1, 0, 1, 0.5)).hasMessageContaining("model index 1 is not in [0, 1)");
        assertThatThrownBy(() -> ok.upper(0, 1, 1, 0.5)).hasMessageContaining("prompt group 1 is not in [0, 1)");
        // unsorted scores, groups that do not add up, a centroid that is not a unit vector, a group without centroid
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1}, 0, NONE,
                new int[0], new int[]{2}, new double[]{0.5, 0.1})).hasMessageContaining("ascending");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1}, 0, NONE,
                new int[0], new int[]{1}, new double[]{0.1, 0.5}))
                .hasMessageContaining("groups hold 1 scores, the bounds have 2 rows");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1}, 2,
                new float[]{2, 0}, new int[]{0}, new int[]{2}, new double[]{0.1, 0.5}))
                .hasMessageContaining("centroid 0 has L2 norm 2.0, expected 1");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1}, 2,
                new float[]{1, 0}, new int[]{0}, new int[]{1, 1}, new double[]{0.1, 0.5}))
                .hasMessageContaining("prompt group 1 of the cost bounds has no centroid");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{0}, 0, NONE,
                new int[0], new int[]{2}, new double[]{0.1, 0.5}))
                .hasMessageContaining("offset of model 0 must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> CostBounds.Target.of("tokens")).hasMessageContaining("expected output_tokens or"
                + " cost_usd");
    }
}

package dev.carrot.route.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Split-conformal cost bounds: exact order statistics, coverage on exchangeable data, bins, bad input. */
class CostBoundsTest {

    @Test
    void theBoundIsTheKthScoreOfTheBinAndInfiniteWhenTooFewPromptsCertifyTheConfidence() {
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
        CostBounds b = CostBounds.fit(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1);
        double c = CostBounds.OFFSET_FRACTION * mean;
        assertThat(b.offset()[0]).isCloseTo(c, within(1e-12));
        assertThat(b.bins(0)).isEqualTo(1); // 9 prompts are too few for two bins of 40
        // k = ceil(10 * 0.9) = 9: the largest realised value; k = ceil(10 * 0.5) = 5: the fifth smallest, 140
        assertThat(b.upper(0, 100, 0.9)).isCloseTo(180, within(1e-9));
        assertThat(b.upper(0, 100, 0.5)).isCloseTo(140, within(1e-9));
        assertThat(b.upper(0, 100, 0.85)).isCloseTo(180, within(1e-9)); // ceil(8.5) = 9
        assertThat(b.upper(0, 100, 0.8)).isCloseTo(170, within(1e-9));
        // 0.91 needs k = ceil(9.1) = 10 > 9 scores
        assertThat(b.upper(0, 100, 0.91)).isInfinite();
        // the margin is multiplicative in (p + c)
        assertThat(b.upper(0, 200, 0.9)).isCloseTo((200 + c) * (180 + c) / (100 + c) - c, within(1e-9));
        // a negative prediction counts as 0, like the router's clipped one
        assertThat(b.upper(0, -5, 0.9)).isCloseTo(b.upper(0, 0, 0.9), within(1e-12));
    }

    @Test
    void onExchangeablePromptsTheBoundHoldsAsOftenAsTheConfidenceSays() {
        // output tokens ~ prediction * lognormal noise, with a scale that grows with the prediction's bin
        SplittableRandom r = new SplittableRandom(7);
        int rows = 240;
        int trials = 400;
        double[] confidences = {0.5, 0.8, 0.9, 0.95};
        double[] held = new double[confidences.length];
        int tests = 0;
        for (int t = 0; t < trials; t++) {
            double[] pred = new double[rows];
            double[] actual = new double[rows];
            for (int i = 0; i < rows; i++) {
                pred[i] = 20 + 480 * r.nextDouble();
                actual[i] = draw(r, pred[i]);
            }
            CostBounds b = CostBounds.fit(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1);
            assertThat(b.bins(0)).isEqualTo(3);
            for (int j = 0; j < 25; j++) {
                double p = 20 + 480 * r.nextDouble();
                double y = draw(r, p);
                for (int k = 0; k < confidences.length; k++) {
                    if (y <= b.upper(0, p, confidences[k])) {
                        held[k]++;
                    }
                }
                tests++;
            }
        }
        for (int k = 0; k < confidences.length; k++) {
            // at least the confidence, at most 1/(n_bin + 1) more (80 prompts per bin), up to sampling noise
            assertThat(held[k] / tests).as("coverage at " + confidences[k])
                    .isBetween(confidences[k] - 0.01, confidences[k] + 1.0 / 81 + 0.01);
        }
    }

    /** Heavier relative noise on short answers: one margin for all would fail the short ones or waste on long. */
    private static double draw(SplittableRandom r, double p) {
        double sigma = p < 180 ? 0.6 : p < 340 ? 0.3 : 0.1;
        return p * Math.exp(sigma * r.nextGaussian());
    }

    @Test
    void binsByPredictionHoldWhereOneSetOfScoresWouldNot() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 300;
        double[] pred = new double[rows];
        double[] actual = new double[rows];
        for (int i = 0; i < rows; i++) {
            pred[i] = 20 + 480 * r.nextDouble();
            actual[i] = draw(r, pred[i]);
        }
        CostBounds binned = CostBounds.fit(CostBounds.Target.OUTPUT_TOKENS, pred, actual, rows, 1);
        assertThat(binned.bins(0)).isEqualTo(3);
        assertThat(binned.binSizes()).containsExactly(100, 100, 100);
        double[] edges = binned.edges();
        assertThat(edges[0]).isLessThan(edges[1]);
        // the short answers' bin is wide, the long answers' narrow: bound / prediction
        assertThat(binned.upper(0, 60, 0.9) / 60).isGreaterThan(1.8);
        assertThat(binned.upper(0, 480, 0.9) / 480).isLessThan(1.3);
    }

    @Test
    void tiedPredictionsFallBackToFewerBins() {
        int rows = 120;
        double[] pred = new double[rows];
        double[] actual = new double[rows];
        for (int i = 0; i < rows; i++) {
            pred[i] = i < 100 ? 5 : 50; // tertile edges 5, 5: not distinct; halves 5 | 50 would leave 20 in one bin
            actual[i] = pred[i] * (1 + 0.01 * (i % 7));
        }
        CostBounds b = CostBounds.fit(CostBounds.Target.COST_USD, pred, actual, rows, 1);
        assertThat(b.bins(0)).isEqualTo(1);
        assertThat(b.binSizes()).containsExactly(120, 0, 0);
        assertThat(b.describe()).isEqualTo("split-conformal cost_usd bounds (120 validation prompts, 1 bins per"
                + " model)");
    }

    @Test
    void badInputIsRejectedWithWhatWasWrong() {
        assertThatThrownBy(() -> CostBounds.fit(CostBounds.Target.COST_USD, new double[]{1, 2}, new double[]{1}, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 1");
        assertThatThrownBy(() -> CostBounds.fit(CostBounds.Target.COST_USD, new double[]{1, Double.NaN},
                new double[]{1, 1}, 2, 1)).hasMessageContaining("row 1, model 0 has prediction NaN");
        assertThatThrownBy(() -> CostBounds.fit(CostBounds.Target.COST_USD, new double[]{1, 1},
                new double[]{1, -1}, 2, 1)).hasMessageContaining("outcome -1.0");
        CostBounds ok = CostBounds.fit(CostBounds.Target.COST_USD, new double[]{1, 1}, new double[]{1, 2}, 2, 1);
        for (double c : new double[]{0, 1, -0.1, Double.NaN, 1.5}) {
            assertThatThrownBy(() -> ok.upper(0, 1, c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("confidence must be in (0, 1)");
        }
        assertThatThrownBy(() -> ok.upper(1, 1, 0.5)).hasMessageContaining("model index 1 is not in [0, 1)");
        double nan = Double.NaN;
        // unsorted scores, bins that do not add up, an edge where none is used
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1},
                new double[]{nan, nan}, new int[]{2, 0, 0}, new double[]{0.5, 0.1}))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1},
                new double[]{nan, nan}, new int[]{1, 0, 0}, new double[]{0.1, 0.5}))
                .hasMessageContaining("hold 1 scores, the bounds have 2 rows");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{1},
                new double[]{3, nan}, new int[]{2, 0, 0}, new double[]{0.1, 0.5}))
                .hasMessageContaining("must be 0 finite ascending values then NaN");
        assertThatThrownBy(() -> new CostBounds(CostBounds.Target.COST_USD, 1, 2, new double[]{0},
                new double[]{nan, nan}, new int[]{2, 0, 0}, new double[]{0.1, 0.5}))
                .hasMessageContaining("offset of model 0 must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> CostBounds.Target.of("tokens")).hasMessageContaining("expected output_tokens or"
                + " cost_usd");
    }
}

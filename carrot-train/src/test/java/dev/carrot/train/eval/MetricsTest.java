package dev.carrot.train.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    @Test
    void areaIsTheMeanOfTheStepFunctionOverTheSingleModelRange() {
        // points (cost, quality): (1, 0.5), (2, 0.7), (4, 0.9); range [1, 5]
        double[] c = {4, 1, 2};
        double[] q = {0.9, 0.5, 0.7};
        // Q = 0.5 on [1,2), 0.7 on [2,4), 0.9 on [4,5] -> (0.5 + 1.4 + 0.9) / 4
        assertThat(Metrics.area(c, q, 1, 5)).isCloseTo(2.8 / 4, within(1e-12));
        // below the cheapest point, Q is that point's quality: range [0, 2] -> 0.5 on [0,2)
        assertThat(Metrics.area(c, q, 0, 2)).isCloseTo(0.5, within(1e-12));
        // a point that is dearer and worse does not lower Q
        assertThat(Metrics.area(new double[]{1, 2, 3}, new double[]{0.5, 0.8, 0.6}, 1, 4))
                .isCloseTo((0.5 + 0.8 * 2) / 3, within(1e-12));
    }

    @Test
    void theLargestGapIsTheSingleModelFarthestAboveTheCurveWithinItsCostRange() {
        double[] c = {4, 1, 2};
        double[] q = {0.9, 0.5, 0.7};
        // model 0 at (3, 0.8): Q(3) = 0.7, gap 0.1; model 1 at (1.5, 0.55): Q = 0.5, gap 0.05; model 2 at cost 6 is
        // outside the curve's range [1, 4]; model 3 sits on the curve's point (2, 0.7) with a rounding error
        Metrics.Gap g = Metrics.largestGap(c, q, new double[]{3, 1.5, 6, 2 * (1 + 1e-12)},
                new double[]{0.8, 0.55, 0.99, 0.7});
        assertThat(g.model()).isEqualTo(0);
        assertThat(g.gap()).isCloseTo(0.1, within(1e-12));
        assertThat(g.curveQuality()).isEqualTo(0.7);
        Metrics.Gap onCurve = Metrics.largestGap(c, q, new double[]{2 * (1 + 1e-12)}, new double[]{0.7});
        assertThat(onCurve.gap()).isZero();
        assertThat(Metrics.largestGap(c, q, new double[]{9}, new double[]{1})).isNull();
    }

    @Test
    void costToMatchIsTheCheapestPointThatReachesTheTarget() {
        double[] c = {4, 1, 2};
        double[] q = {0.9, 0.5, 0.7};
        assertThat(Metrics.costToMatch(c, q, 0.7, 4)).isCloseTo(0.5, within(1e-12));
        assertThat(Metrics.costToMatch(c, q, 0.95, 4)).isNaN();
        assertThat(Metrics.qualityWithin(c, q, 3)).isEqualTo(0.7);
        assertThat(Metrics.qualityWithin(c, q, 0.5)).isNaN();
    }

    @Test
    void evaluationFindsSinglesAndOracle() {
        // two prompts, two models: model 0 right on both at cost 1; model 1 right on the first only at cost 0.1
        double[] tq = {1, 1, 1, 0};
        double[] tc = {1, 0.1, 1, 0.1};
        Evaluation e = new Evaluation("toy", 10, List.of("big", "small"), tq, tc, true);
        assertThat(e.bestModel()).isEqualTo("big");
        assertThat(e.oracleQuality()).isEqualTo(1.0);
        assertThat(e.oracleCost()).isCloseTo((0.1 + 1) / 2, within(1e-12));
        // a router that predicts perfectly
        Curve perfect = Curve.sweep("perfect", tq, tc, tq, tc, 2, 2, 1.0, Curve.paperGrid());
        e.add(perfect);
        Evaluation.RouterMetrics m = e.metrics(perfect);
        assertThat(m.qualityAtLambda0()).isEqualTo(1.0);
        assertThat(m.costToMatchBest()).isCloseTo(0.55, within(1e-12));
        assertThat(e.curvesCsv()).startsWith("router,lambda,cost_per_query,quality\nperfect,0,")
                .contains("model:big,,1,1\n").contains("oracle,,0.55,1\n");
        assertThat(e.summary().get("routers").get(0).get("name").asText()).isEqualTo("perfect");
    }
}

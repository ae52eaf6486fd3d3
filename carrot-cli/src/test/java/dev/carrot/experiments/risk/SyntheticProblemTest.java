package dev.carrot.experiments.risk;

import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SyntheticProblemTest {
    private static final SyntheticSetting.Model CHEAP = SyntheticSetting.Model.baseline("cheap", 0.0);
    private static final SyntheticSetting.Model A = SyntheticSetting.Model.specialist("a", 0.05, 0.1, 0.25);

    private static SyntheticSetting setting(int d, double beta, double alpha, double mu, double amplitude,
                                            List<SyntheticSetting.Model> models) {
        return new SyntheticSetting("s", d, beta, alpha, mu, 0.45, amplitude, 0.15, SyntheticSetting.Shape.BALL,
                models);
    }

    @Test
    void theoryExponentAndKSchedule() {
        SyntheticSetting s = RiskCurveConfig.setting1d();
        assertThat(s.theoryExponent()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(s.kExponent()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(s.k(1000, 1.0)).isEqualTo(100);
        assertThat(s.k(250, 1.0)).isEqualTo(40); // ceil(250^(2/3) = 39.69)
        assertThat(s.k(10, 100.0)).isEqualTo(10); // capped at n
        assertThat(RiskCurveConfig.setting2d().theoryExponent()).isEqualTo(0.5);
        assertThat(RiskCurveConfig.margin1d().theoryExponent()).isEqualTo(0.5);
        assertThat(setting(3, 0.5, 2, 0.5, 0.3, List.of(CHEAP, SyntheticSetting.Model.specialist("a", 0.05, 0.1,
                0.5, 0.5, 0.5))).theoryExponent()).isCloseTo(0.5 * 3 / 4, within(1e-15));
    }

    @Test
    void qualitiesAreTheDocumentedFunctions() {
        SyntheticProblem p = new SyntheticProblem(RiskCurveConfig.setting1d());
        // baseline: 0.45 everywhere; specialist a: level 0.45 + 0.5/0.5 * 0.05 = 0.5, amplitude 0.35, w 0.15
        assertThat(p.quality(0, new double[]{0.3}, 0)).isEqualTo(0.45);
        assertThat(p.quality(1, new double[]{0.25}, 0)).isCloseTo(0.5 + 0.35 * 0.1 / 0.15, within(1e-12));
        assertThat(p.quality(1, new double[]{0.35}, 0)).isCloseTo(0.5, within(1e-12)); // on the boundary
        assertThat(p.quality(1, new double[]{0.95}, 0)).isCloseTo(0.15, within(1e-12)); // saturated
        // at the boundary the specialist's utility equals the baseline's: the Bayes router is indifferent
        double[] b = {0.35};
        assertThat(p.utility(1, b, 0)).isCloseTo(p.utility(0, b, 0), within(1e-12));
        // alpha = 1/2: the gap grows like (dist / w)^2
        SyntheticProblem q = new SyntheticProblem(RiskCurveConfig.margin1d());
        double[] x = {0.35 - 0.075}; // half the transition width inside
        assertThat(q.quality(1, x, 0)).isCloseTo(0.5 + 0.35 * 0.25, within(1e-12));
        assertThat(q.phi(-0.5)).isCloseTo(-0.25, within(1e-15));
        assertThat(q.phi(3)).isEqualTo(1.0);
    }

    @Test
    void bayesRouterHasZeroExcessRisk() {
        for (SyntheticSetting s : RiskCurveConfig.defaults().settings()) {
            RiskEvaluator ev = RiskEvaluator.withAbout(new SyntheticProblem(s), 4_096);
            RiskEvaluator.Risk r = ev.risk(ev.trueQualities());
            assertThat(r.excessRisk()).isZero();
            assertThat(r.loss()).isEqualTo(ev.bayesLoss());
        }
    }

    @Test
    void marginDistributionHasTheConfiguredExponent() {
        for (SyntheticSetting s : List.of(RiskCurveConfig.setting1d(), RiskCurveConfig.margin1d(),
                RiskCurveConfig.setting2d())) {
            RiskEvaluator ev = RiskEvaluator.withAbout(new SyntheticProblem(s), s.dimension() == 1 ? 1 << 20
                    : 1 << 22);
            SimpleRegression fit = new SimpleRegression();
            for (double t : new double[]{0.005, 0.01, 0.02, 0.04}) {
                double p = ev.marginProbability(t);
                assertThat(p).isPositive();
                fit.addData(Math.log(t), Math.log(p));
            }
            assertThat(fit.getSlope()).as("margin exponent of %s", s.name()).isCloseTo(s.alpha(), within(0.02));
        }
    }

    @Test
    void quadratureErrorIsNegligible() {
        for (SyntheticSetting s : List.of(RiskCurveConfig.setting1d(), RiskCurveConfig.setting2d())) {
            SyntheticProblem p = new SyntheticProblem(s);
            SyntheticProblem.Sample sample = p.sample(4_000, 11);
            EuclideanKnn knn = EuclideanKnn.fit(sample.x(), s.dimension(), sample.y(), p.models(),
                    s.k(4_000, 1.0));
            double[] risks = new double[2];
            int[] grids = s.dimension() == 1 ? new int[]{16_384, 1 << 20} : new int[]{65_536, 1 << 20};
            for (int g = 0; g < 2; g++) {
                RiskEvaluator ev = RiskEvaluator.withAbout(p, grids[g]);
                double[] q = new double[ev.points() * p.models()];
                knn.predict(ev.pointsArray(), q);
                risks[g] = ev.risk(q).excessRisk();
            }
            assertThat(risks[0]).as(s.name()).isPositive().isCloseTo(risks[1], within(0.02 * risks[1]));
        }
    }

    @Test
    void samplesHaveTheTrueMeans() {
        SyntheticSetting s = RiskCurveConfig.setting1d();
        SyntheticProblem p = new SyntheticProblem(s);
        int n = 200_000;
        SyntheticProblem.Sample sample = p.sample(n, 3);
        double[] y = sample.y();
        double[] x = sample.x();
        assertThat(java.util.Arrays.stream(x).allMatch(v -> v >= 0 && v < 1)).isTrue();
        RiskEvaluator ev = RiskEvaluator.withAbout(p, 1 << 16);
        double[] truth = ev.trueQualities();
        for (int m = 0; m < p.models(); m++) {
            double mean = 0;
            double expected = 0;
            for (int i = 0; i < n; i++) {
                mean += y[i * p.models() + m] / n;
            }
            for (int g = 0; g < ev.points(); g++) {
                expected += truth[g * p.models() + m] / ev.points();
            }
            assertThat(mean).as("model %d", m).isCloseTo(expected, within(4 * 0.5 / Math.sqrt(n)));
        }
        assertThat(p.sample(10, 3).x()).isEqualTo(p.sample(10, 3).x());
        assertThat(p.sample(10, 3).x()).isNotEqualTo(p.sample(10, 4).x());
    }

    @Test
    void rejectsInvalidSettings() {
        List<SyntheticSetting.Model> ok = List.of(CHEAP, A);
        assertThatThrownBy(() -> setting(1, 1.5, 1, 0.5, 0.3, ok)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beta must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> setting(1, 1, 2, 0.5, 0.3, ok))
                .hasMessageContaining("alpha * beta must be <= 1, got 2.0 * 1.0");
        assertThatThrownBy(() -> setting(0, 1, 1, 0.5, 0.3, ok)).hasMessageContaining("dimension must be in [1, 6]");
        assertThatThrownBy(() -> setting(1, 1, 1, 1.0, 0.3, ok)).hasMessageContaining("mu must be in [0, 1)");
        assertThatThrownBy(() -> setting(1, 1, 1, 0.5, 0.5, ok))
                .hasMessageContaining("model a's quality ranges over [0.0000, 1.0000], expected inside (0, 1)");
        assertThatThrownBy(() -> setting(2, 1, 1, 0.5, 0.3, ok))
                .hasMessageContaining("model a has a centre of dimension 1, expected 2");
        assertThatThrownBy(() -> setting(1, 1, 1, 0.5, 0.3, List.of(A)))
                .hasMessageContaining("needs exactly one baseline model");
        assertThatThrownBy(() -> setting(1, 1, 1, 0.5, 0.3, List.of(CHEAP, A,
                SyntheticSetting.Model.specialist("b", 0.1, 0.1, 0.5))))
                .hasMessageContaining("the ball regions of a and b (with their transition zones) overlap: centres"
                        + " 0.2500 apart, need >= r + r' + 2w = 0.5000");
        assertThatThrownBy(() -> setting(1, 1, 1, 0.5, 0.3, List.of(CHEAP, CHEAP)))
                .hasMessageContaining("model name cheap appears twice");
        assertThatThrownBy(() -> new SyntheticSetting("a b", 1, 1, 1, 0.5, 0.45, 0.3, 0.15,
                SyntheticSetting.Shape.BALL, ok)).hasMessageContaining("setting name must be");
        assertThatThrownBy(() -> SyntheticSetting.Model.specialist("a", -1, 0.1, 0.5))
                .hasMessageContaining("model a: cost must be finite and >= 0, got -1.0");
        assertThatThrownBy(() -> SyntheticSetting.Model.specialist("a", 0, 0, 0.5))
                .hasMessageContaining("radius must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> SyntheticSetting.Shape.parse("square")).hasMessageContaining("'ball' or 'box'");
    }

    @Test
    void boxesUseTheMaxNorm() {
        SyntheticSetting s = new SyntheticSetting("box", 2, 1, 1, 0.5, 0.45, 0.3, 0.1, SyntheticSetting.Shape.BOX,
                List.of(CHEAP, SyntheticSetting.Model.specialist("a", 0.05, 0.2, 0.5, 0.5)));
        SyntheticProblem p = new SyntheticProblem(s);
        // on the box's face and at its corner the specialist breaks even
        assertThat(p.quality(1, new double[]{0.7, 0.5}, 0)).isCloseTo(0.5, within(1e-12));
        assertThat(p.quality(1, new double[]{0.7, 0.7}, 0)).isCloseTo(0.5, within(1e-12));
    }
}

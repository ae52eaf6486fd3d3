package dev.carrot.experiments.risk;

import dev.carrot.train.Progress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rate check: on small one-dimensional settings the fitted exponent of the KNN router's excess risk is
 * consistent with the plug-in rate {@code beta (1 + alpha) / (2 beta + d)}, for two margin exponents, and the
 * misspecified logistic router does not attain it.
 */
class SyntheticRiskCurvesTest {
    /** Tribuo logs every training run at INFO through java.util.logging; held so the level sticks. */
    private static final Logger TRIBUO = Logger.getLogger("org.tribuo");
    /** The tolerance stated in datasets/synthetic.md: the CI widened by this much on each side. */
    private static final double TOLERANCE = 0.15;

    @BeforeAll
    static void quiet() {
        TRIBUO.setLevel(Level.WARNING);
    }

    /** n = 250 ... 64,000, 40 repeats, 16,384 evaluation points; KNN only. About 3 s per setting. */
    private static RiskCurveConfig knnOnly(SyntheticSetting s) {
        return new RiskCurveConfig(List.of(s), 250, 64_000, 40, 7, 1.0, 16_384, 0, 5, 0.2, 1e-4, TOLERANCE);
    }

    @Test
    void knnAttainsTheRateWithMarginExponentOne() {
        SyntheticSetting s = RiskCurveConfig.setting1d(); // d = 1, beta = 1, alpha = 1: exponent 2/3
        SyntheticRiskCurves.Result r = new SyntheticRiskCurves(knnOnly(s)).run(2, Progress.silent("test", 1));
        SyntheticRiskCurves.Fit f = r.fit(s.name(), SyntheticRiskCurves.RouterKind.KNN);

        assertThat(s.theoryExponent()).isEqualTo(2.0 / 3.0);
        assertThat(f.consistent()).as("fit %s vs theory %s", f.all(), s.theoryExponent()).isTrue();
        assertThat(s.theoryExponent()).isBetween(f.all().ciLow() - TOLERANCE, f.all().ciHigh() + TOLERANCE);
        // the check has power: the interval is narrow, and excludes the exponent of the other margin (1/2)
        assertThat(f.all().ciHigh() - f.all().ciLow()).isLessThan(0.25);
        assertThat(f.all().ciLow()).isGreaterThan(0.5);
        assertDecreasing(r.points(s.name(), SyntheticRiskCurves.RouterKind.KNN));
    }

    @Test
    void knnAttainsTheRateWithMarginExponentOneHalf() {
        SyntheticSetting s = RiskCurveConfig.margin1d(); // d = 1, beta = 1, alpha = 1/2: exponent 1/2
        SyntheticRiskCurves.Result r = new SyntheticRiskCurves(knnOnly(s)).run(2, Progress.silent("test", 1));
        SyntheticRiskCurves.Fit f = r.fit(s.name(), SyntheticRiskCurves.RouterKind.KNN);

        assertThat(s.theoryExponent()).isEqualTo(0.5);
        assertThat(f.consistent()).as("fit %s vs theory %s", f.all(), s.theoryExponent()).isTrue();
        assertThat(f.all().ciHigh() - f.all().ciLow()).isLessThan(0.25);
        assertThat(f.all().ciHigh()).isLessThan(2.0 / 3.0);
        assertDecreasing(r.points(s.name(), SyntheticRiskCurves.RouterKind.KNN));
    }

    @Test
    void misspecifiedLogisticRouterPlateaus() {
        SyntheticSetting s = RiskCurveConfig.setting1d();
        RiskCurveConfig c = new RiskCurveConfig(List.of(s), 250, 16_000, 2, 7, 1.0, 4_096, 2, 5, 0.2, 1e-4,
                TOLERANCE);
        SyntheticRiskCurves.Result r = new SyntheticRiskCurves(c).run(2, Progress.silent("test", 1));
        SyntheticRiskCurves.Fit logistic = r.fit(s.name(), SyntheticRiskCurves.RouterKind.LOGISTIC);
        List<SyntheticRiskCurves.Point> lp = r.points(s.name(), SyntheticRiskCurves.RouterKind.LOGISTIC);
        List<SyntheticRiskCurves.Point> kp = r.points(s.name(), SyntheticRiskCurves.RouterKind.KNN);

        assertThat(logistic.consistent()).isFalse();
        assertThat(Math.abs(logistic.all().exponent())).as("logistic exponent").isLessThan(0.15);
        // a plateau at its approximation error, far above KNN at the largest n
        assertThat(lp.get(lp.size() - 1).meanExcess()).isGreaterThan(0.01)
                .isGreaterThan(10 * kp.get(kp.size() - 1).meanExcess());
    }

    @Test
    void resultsDependOnTheSeedNotOnThreads() {
        RiskCurveConfig c = new RiskCurveConfig(List.of(RiskCurveConfig.setting1d(), RiskCurveConfig.setting2d()),
                100, 400, 2, 3, 1.0, 1_024, 2, 2, 0.2, 1e-4, TOLERANCE);
        SyntheticRiskCurves.Result one = new SyntheticRiskCurves(c).run(1, Progress.silent("test", 1));
        SyntheticRiskCurves.Result two = new SyntheticRiskCurves(c).run(2, Progress.silent("test", 1));
        SyntheticRiskCurves.Result other = new SyntheticRiskCurves(c.withSeed(4)).run(2, Progress.silent("t", 1));

        assertThat(two.runs()).isEqualTo(one.runs());
        assertThat(other.runs()).isNotEqualTo(one.runs());
        assertThat(one.runs()).hasSize(2 * 3 * 2 * 2); // settings x sizes x repeats x routers
        assertThat(one.runs()).allSatisfy(run -> assertThat(run.excessRisk()).isGreaterThanOrEqualTo(0));
    }

    private static void assertDecreasing(List<SyntheticRiskCurves.Point> pts) {
        // over every doubling of n the geometric mean falls, up to noise; over the grid by a large factor
        for (int j = 1; j < pts.size(); j++) {
            assertThat(pts.get(j).meanLog()).as("log excess at n = %d vs n = %d", pts.get(j).n(), pts.get(j - 1).n())
                    .isLessThan(pts.get(j - 1).meanLog() + 0.15);
        }
        assertThat(pts.get(pts.size() - 1).meanExcess()).isLessThan(pts.get(0).meanExcess() / 10);
    }
}

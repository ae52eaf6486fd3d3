package dev.carrot.experiments.risk;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LogLogFitTest {
    private static final int[] N = {250, 500, 1000, 2000, 4000, 8000};

    @Test
    void exactPowerLaw() {
        double[] y = new double[N.length];
        for (int i = 0; i < N.length; i++) {
            y[i] = Math.log(3.0) - 0.6 * Math.log(N[i]);
        }
        LogLogFit f = LogLogFit.fit(N, y);
        assertThat(f.exponent()).isCloseTo(0.6, within(1e-12));
        assertThat(f.intercept()).isCloseTo(Math.log(3.0), within(1e-9));
        assertThat(f.ciHigh() - f.ciLow()).isLessThan(1e-6); // rounding only
        assertThat(f.consistentWith(0.6, 0)).isTrue();
        assertThat(f.consistentWith(0.7, 0.05)).isFalse();
        assertThat(f.consistentWith(0.7, 0.15)).isTrue();
    }

    @Test
    void intervalCoversTheTruthAboutNinetyFivePercentOfTheTime() {
        SplittableRandom rng = new SplittableRandom(1);
        int covered = 0;
        int trials = 2_000;
        for (int t = 0; t < trials; t++) {
            double[] y = new double[N.length];
            for (int i = 0; i < N.length; i++) {
                y[i] = 1 - 0.5 * Math.log(N[i]) + 0.2 * gaussian(rng);
            }
            if (LogLogFit.fit(N, y).consistentWith(0.5, 0)) {
                covered++;
            }
        }
        assertThat(covered / (double) trials).isBetween(0.93, 0.97);
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> LogLogFit.fit(new int[]{1, 2}, new double[]{0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs >= 3 points, got 2");
        assertThatThrownBy(() -> LogLogFit.fit(new int[]{1, 2, 3}, new double[]{0, 0}))
                .hasMessageContaining("differ in length: 3 vs 2");
        assertThatThrownBy(() -> LogLogFit.fit(new int[]{1, 2, 3}, new double[]{0, Double.NEGATIVE_INFINITY, 0}))
                .hasMessageContaining("point 1 is (n 2, log risk -Infinity)");
    }
}

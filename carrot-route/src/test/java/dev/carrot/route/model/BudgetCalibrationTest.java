package dev.carrot.route.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BudgetCalibrationTest {
    // grid points (mu, cost, quality): the frontier has a gap between cost 1 and cost 4, and (2, 0.55) lies under the
    // chord from (1, 0.6) to (4, 0.9); (5, 0.85) is dearer and worse than (4, 0.9)
    private final BudgetCalibration cal = new BudgetCalibration(
            new double[]{0.0, 0.2, 0.4, 0.6, 0.8, 1.0},
            new double[]{5, 4, 2, 1, 0.5, 0.5},
            new double[]{0.85, 0.9, 0.55, 0.6, 0.4, 0.3});

    @Test
    void aBudgetBetweenFrontierPointsMixesThemSoThatTheExpectedCostIsTheBudget() {
        BudgetCalibration.Choice c = cal.forBudget(2.5);
        assertThat(c.reachable()).isTrue();
        assertThat(c.mu()).isEqualTo(0.6);
        assertThat(c.alternativeMu()).isEqualTo(0.2);
        assertThat(c.alternativeProbability()).isCloseTo(0.5, within(1e-12)); // (2.5 - 1) / (4 - 1)
        assertThat(c.validationCost()).isEqualTo(2.5);
        assertThat(c.validationQuality()).isCloseTo(0.75, within(1e-12));
        // a budget exactly on a hull point needs no mixing
        BudgetCalibration.Choice on = cal.forBudget(1.0);
        assertThat(on.mu()).isEqualTo(0.6);
        assertThat(on.alternativeProbability()).isZero();
        // between the two cheapest hull points
        BudgetCalibration.Choice low = cal.forBudget(0.75);
        assertThat(low.mu()).isEqualTo(0.8);
        assertThat(low.alternativeMu()).isEqualTo(0.6);
        assertThat(low.validationQuality()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void budgetsAboveTheBestPointOrBelowTheCheapestDoNotMix() {
        BudgetCalibration.Choice rich = cal.forBudget(100);
        assertThat(rich.mu()).isEqualTo(0.2);
        assertThat(rich.alternativeProbability()).isZero();
        assertThat(rich.validationQuality()).isEqualTo(0.9);
        BudgetCalibration.Choice poor = cal.forBudget(0.1);
        assertThat(poor.reachable()).isFalse();
        assertThat(poor.mu()).isEqualTo(0.8); // the cheapest point with the better quality at cost 0.5
        assertThat(poor.validationCost()).isEqualTo(0.5);
    }

    @Test
    void muForFollowsTheProbability() {
        BudgetCalibration.Choice c = cal.forBudget(2.5);
        assertThat(c.muFor(0.49)).isEqualTo(0.2);
        assertThat(c.muFor(0.51)).isEqualTo(0.6);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> cal.forBudget(-1)).hasMessageContaining("budget must be a finite number >= 0");
        assertThatThrownBy(() -> new BudgetCalibration(new double[]{0.5}, new double[]{1}, new double[]{1.5}))
                .hasMessageContaining("quality 1.5");
    }
}

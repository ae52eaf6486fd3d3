package dev.carrot.route.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FixedModelPolicyTest {
    // the router's validation curve at mu = 0, 0.5, 1: (cost 4, quality 0.8), (2, 0.7), (1, 0.5); cost scale 4
    private final BudgetCalibration router = new BudgetCalibration(new double[]{0, 0.5, 1}, new double[]{4, 2, 1},
            new double[]{0.8, 0.7, 0.5});
    // fixed models X (cost 2, quality 0.78), Y (0.5, 0.4), Z (3, 0.6)
    private final FixedModelStats stats = FixedModelStats.ofCosts(100, new double[]{0.78, 0.4, 0.6},
            new double[]{2, 0.5, 3});
    private final List<String> names = List.of("X", "Y", "Z");

    @Test
    void atEachMuTheBetterOfTheRouterAndTheBestFixedModelByExpectedUtility() {
        FixedModelPolicy p = FixedModelPolicy.fit(router, stats, stats.costUsd(names, null), 4);
        // mu 0: router 0.8 > X 0.78; mu 0.5: router 0.35 - 0.25 = 0.10 < X 0.39 - 0.25 = 0.14 (Y: 0.2 - 0.0625);
        // mu 1: router -1/4 < Y -0.5/4
        assertThat(p.choices()).containsExactly(FixedModelPolicy.ROUTER, 0, 1);
        assertThat(p.usesFixedModels()).isTrue();
        assertThat(p.rule()).isEqualTo("router_or_best_fixed");
        assertThat(p.describe(names)).containsExactly("mu 0: the router", "mu 0.5: always X", "mu 1: always Y");
    }

    @Test
    void aTieGoesToTheRouter() {
        FixedModelStats tie = FixedModelStats.ofCosts(10, new double[]{0.8, 0.1}, new double[]{9, 9});
        FixedModelPolicy p = FixedModelPolicy.fit(router, tie, tie.costUsd(List.of("a", "b"), null), 4);
        assertThat(p.choices()[0]).isEqualTo(FixedModelPolicy.ROUTER); // 0.8 against the router's 0.8 at mu 0
        assertThat(p.usesFixedModels()).isFalse();
    }

    @Test
    void aMuOffTheGridTakesTheNearestGridPointTheLowerOnATie() {
        FixedModelPolicy p = new FixedModelPolicy(stats, new double[]{0, 0.5, 1},
                new int[]{FixedModelPolicy.ROUTER, 0, 1});
        assertThat(p.fixedAt(0)).isEqualTo(FixedModelPolicy.ROUTER);
        assertThat(p.fixedAt(0.2)).isEqualTo(FixedModelPolicy.ROUTER);
        assertThat(p.fixedAt(0.25)).isEqualTo(FixedModelPolicy.ROUTER);
        assertThat(p.fixedAt(0.3)).isEqualTo(0);
        assertThat(p.fixedAt(0.75)).isEqualTo(0);
        assertThat(p.fixedAt(0.76)).isEqualTo(1);
        assertThat(p.fixedAt(1)).isEqualTo(1);
    }

    @Test
    void theBudgetCalibrationMixesAFixedModelWithARouterPoint() {
        FixedModelPolicy p = FixedModelPolicy.fit(router, stats, stats.costUsd(names, null), 4);
        BudgetCalibration cal = p.calibration(router, stats.costUsd(names, null));
        assertThat(cal.cost()).containsExactly(4, 2, 0.5);
        assertThat(cal.quality()).containsExactly(0.8, 0.78, 0.4);
        // a budget of 3 lies between X (2, 0.78) at mu 0.5 and the router at mu 0 (4, 0.8)
        BudgetCalibration.Choice c = cal.forBudget(3);
        assertThat(c.mu()).isEqualTo(0.5);
        assertThat(c.alternativeMu()).isEqualTo(0.0);
        assertThat(c.alternativeProbability()).isCloseTo(0.5, within(1e-12));
        assertThat(c.validationQuality()).isCloseTo(0.79, within(1e-12));
        // between Y (0.5, 0.4) and X (2, 0.78): two fixed models
        BudgetCalibration.Choice low = cal.forBudget(1.25);
        assertThat(low.mu()).isEqualTo(1.0);
        assertThat(low.alternativeMu()).isEqualTo(0.5);
        assertThat(low.validationQuality()).isCloseTo(0.59, within(1e-12));
    }

    @Test
    void tokenStatisticsArePricedWithThePricesInUse() {
        FixedModelStats t = FixedModelStats.ofTokens(50, new double[]{0.9, 0.5}, new double[]{1000, 2000},
                new double[]{500, 100});
        PriceTable prices = PriceTable.of(Map.of("a", new PriceTable.Price(1, 2), "b", new PriceTable.Price(10, 20)));
        double[] c = t.costUsd(List.of("a", "b"), prices);
        assertThat(c[0]).isCloseTo(0.002, within(1e-15));
        assertThat(c[1]).isCloseTo(0.022, within(1e-15));
        assertThatThrownBy(t::storedCostUsd).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        assertThatThrownBy(() -> new FixedModelPolicy(stats, new double[]{0, 0.5, 0.5}, new int[]{-1, -1, -1}))
                .hasMessageContaining("strictly ascending, got 0.5 then 0.5 at point 2");
        assertThatThrownBy(() -> new FixedModelPolicy(stats, new double[]{0, 1}, new int[]{-1, 3}))
                .hasMessageContaining("choice at point 1 is 3; expected -1 (the router) or a model index below 3");
        assertThatThrownBy(() -> new FixedModelPolicy(stats, new double[]{0, 1}, new int[]{-1}))
                .hasMessageContaining("equal, non-empty mu and choice arrays, got 2/1");
        assertThatThrownBy(() -> FixedModelStats.ofCosts(0, new double[]{0.5}, new double[]{1}))
                .hasMessageContaining("at least one prompt, got 0");
        assertThatThrownBy(() -> FixedModelStats.ofCosts(3, new double[]{1.5}, new double[]{1}))
                .hasMessageContaining("mean quality of model 0 is 1.5");
        assertThatThrownBy(() -> FixedModelStats.ofCosts(3, new double[]{0.5}, new double[]{Double.NaN}))
                .hasMessageContaining("is NaN; expected a finite number >= 0");
        assertThatThrownBy(() -> FixedModelPolicy.fit(router, stats, new double[]{1, 2}, 4))
                .hasMessageContaining("one cost per model (3), got 2");
        assertThatThrownBy(() -> FixedModelPolicy.fit(router, stats, new double[]{1, 2, 3}, 0))
                .hasMessageContaining("cost scale must be a finite number > 0");
        BudgetCalibration other = new BudgetCalibration(new double[]{0, 1}, new double[]{1, 0}, new double[]{1, 0});
        FixedModelPolicy p = FixedModelPolicy.fit(router, stats, stats.costUsd(names, null), 4);
        assertThatThrownBy(() -> p.calibration(other, new double[]{1, 2, 3}))
                .hasMessageContaining("calibration grid (2 points) is not the policy's (3 points)");
    }
}

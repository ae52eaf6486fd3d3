package dev.carrot.route;

import dev.carrot.route.model.BudgetCalibration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import dev.carrot.route.model.PriceTable;

class RouterTest {
    private static final double EPS = 1e-9;

    private final Router router = Router.of(TestRouters.small(), null);

    @Test
    void receiptsMatchHandComputedNumbers() {
        // neighbours of the query (k = 2): stored prompts 0 (sim 1) and 3 (sim 0.6)
        // quality = mean of their rows: A (1 + 0.5)/2, B (0 + 0.5)/2, C (0.5 + 0.5)/2
        // output tokens (k = 1): stored prompt 0: 1000, 200, 400; input tokens = slope * 100 = 100, 120, 150
        // cost A = 10e-6*100 + 30e-6*1000 = 0.031; B = 0.5e-6*120 + 1e-6*200 = 0.00026; C = 2e-6*150 + 4e-6*400 = 0.0019
        // mu = 0.1, scale 0.01: U_A = 0.9*0.75 - 0.1*3.1 = 0.365, U_B = 0.9*0.25 - 0.1*0.026 = 0.2224,
        // U_C = 0.9*0.5 - 0.1*0.19 = 0.431 -> C, margin 0.066
        Decision d = router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults());
        assertThat(d.model()).isEqualTo("C");
        assertThat(d.mu()).isEqualTo(0.1);
        assertThat(d.margin()).isCloseTo(0.066, within(EPS));
        assertThat(d.costModel()).isEqualTo("tokens");
        Receipt a = d.receipt("A");
        assertThat(a.quality()).isCloseTo(0.75, within(EPS));
        assertThat(a.inputTokens()).isCloseTo(100, within(EPS));
        assertThat(a.outputTokens()).isCloseTo(1000, within(EPS));
        assertThat(a.costUsd()).isCloseTo(0.031, within(EPS));
        assertThat(a.scaledCost()).isCloseTo(3.1, within(EPS));
        assertThat(a.utility()).isCloseTo(0.365, within(EPS));
        assertThat(a.marginToChosen()).isCloseTo(0.365 - 0.431, within(EPS));
        assertThat(a.status()).isEqualTo(Receipt.Status.CANDIDATE);
        Receipt b = d.receipt("B");
        assertThat(b.quality()).isCloseTo(0.25, within(EPS));
        assertThat(b.inputTokens()).isCloseTo(120, within(EPS));
        assertThat(b.costUsd()).isCloseTo(0.00026, within(EPS));
        assertThat(b.utility()).isCloseTo(0.2224, within(EPS));
        Receipt c = d.chosen();
        assertThat(c.model()).isEqualTo("C");
        assertThat(c.costUsd()).isCloseTo(0.0019, within(EPS));
        assertThat(c.utility()).isCloseTo(0.431, within(EPS));
        assertThat(c.marginToChosen()).isZero();
        assertThat(d.receipts()).extracting(Receipt::model).containsExactly("A", "B", "C");
    }

    @Test
    void muSweepsFromQualityToCost() {
        assertThat(router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults()).model()).isEqualTo("A");
        assertThat(router.route(TestRouters.query(), 100, 0.5, RouteOptions.defaults()).model()).isEqualTo("C");
        // mu = 0.9: U_B = 0.025 - 0.0234 = 0.0016 beats U_C = 0.05 - 0.171
        assertThat(router.route(TestRouters.query(), 100, 0.9, RouteOptions.defaults()).model()).isEqualTo("B");
        assertThat(router.route(TestRouters.query(), 100, 1.0, RouteOptions.defaults()).model()).isEqualTo("B");
    }

    @Test
    void withoutATokenCountTheInputTokensFallBackToTrainingMeans() {
        Decision d = router.route(TestRouters.query(), 0.1);
        assertThat(d.receipt("A").inputTokens()).isEqualTo(50);
        assertThat(d.receipt("C").inputTokens()).isEqualTo(70);
        assertThat(d.receipt("A").costUsd()).isCloseTo(10e-6 * 50 + 30e-6 * 1000, within(EPS));
    }

    @Test
    void raisingAPrice100xStopsTheModelBeingChosenWithoutRetraining() {
        Router dearC = router.withPrices(TestRouters.prices().with("C", new PriceTable.Price(200, 400)));
        for (double mu : new double[]{0.05, 0.1, 0.3, 0.5, 0.9}) {
            assertThat(dearC.route(TestRouters.query(), 100, mu, RouteOptions.defaults()).model())
                    .as("mu " + mu).isNotEqualTo("C");
        }
        // at mu = 0 price does not matter
        assertThat(dearC.route(TestRouters.query(), 100, 0, RouteOptions.defaults()).model()).isEqualTo("A");
        // the original is unchanged
        assertThat(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()).model()).isEqualTo("C");
        assertThat(dearC.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()).receipt("C").costUsd())
                .isCloseTo(0.19, within(EPS));
    }

    @Test
    void candidateSubsetRestrictsTheChoice() {
        Decision d = router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults().onlyModels(List.of("A", "B")));
        assertThat(d.model()).isEqualTo("A");
        assertThat(d.margin()).isCloseTo(0.365 - 0.2224, within(EPS));
        assertThat(d.receipt("C").status()).isEqualTo(Receipt.Status.EXCLUDED_BY_OPTIONS);
        assertThat(d.receipt("C").marginToChosen()).isNaN();
        assertThatThrownBy(() -> router.route(TestRouters.query(), 100, 0.1,
                RouteOptions.defaults().onlyModels(Set.of("Z"))))
                .hasMessageContaining("unknown model 'Z' in the candidate set; the router knows [A, B, C]");
    }

    @Test
    void costCapExcludesDearModels() {
        Decision d = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002));
        assertThat(d.model()).isEqualTo("C");
        assertThat(d.withinCostCap()).isTrue();
        assertThat(d.receipt("A").status()).isEqualTo(Receipt.Status.OVER_COST_CAP);
    }

    @Test
    void whenNothingFitsTheCheapestIsTakenAndFlaggedOrTheCallFails() {
        Decision d = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.0001));
        assertThat(d.model()).isEqualTo("B");
        assertThat(d.withinCostCap()).isFalse();
        assertThat(d.margin()).isInfinite();
        assertThatThrownBy(() -> router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults()
                .withMaxCostUsd(0.0001).onNoFit(RouteOptions.NoFit.FAIL)))
                .isInstanceOf(NoModelFitsException.class)
                .hasMessageContaining("no candidate model is predicted to cost at most 0.0001")
                .satisfies(e -> assertThat(((NoModelFitsException) e).receipts()).hasSize(3));
    }

    @Test
    void candidatesByUtilityArePutChosenFirstAndLeaveOutExcludedAndOverCapModels() {
        Decision all = router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults());
        List<String> byUtility = all.receipts().stream()
                .sorted((a, b) -> Double.compare(b.utility(), a.utility())).map(Receipt::model).toList();
        assertThat(all.candidatesByUtility()).extracting(Receipt::model).containsExactlyElementsOf(byUtility);
        assertThat(all.candidatesByUtility().get(0).status()).isEqualTo(Receipt.Status.CHOSEN);

        Decision subset = router.route(TestRouters.query(), 100, 0.1,
                RouteOptions.defaults().onlyModels(List.of("A", "B")));
        assertThat(subset.candidatesByUtility()).extracting(Receipt::model).containsExactly("A", "B");

        Decision capped = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002));
        assertThat(capped.candidatesByUtility()).extracting(Receipt::model).doesNotContain("A").startsWith("C");

        // nothing fits: the cheapest alone, never a dearer one
        Decision none = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.0001));
        assertThat(none.candidatesByUtility()).extracting(Receipt::model).containsExactly("B");
    }

    @Test
    void budgetsMapToTheBestValidatedMu() {
        Router r = Router.of(TestRouters.withCalibration(), null);
        BudgetCalibration cal = r.calibration().orElseThrow();
        // a budget as large as the dearest choice gets the best validation quality
        BudgetCalibration.Choice rich = r.budgetChoice(1.0);
        assertThat(rich.reachable()).isTrue();
        double bestQ = 0;
        for (double q : cal.quality()) {
            bestQ = Math.max(bestQ, q);
        }
        assertThat(rich.validationQuality()).isEqualTo(bestQ);
        // a budget below every point is unreachable and gets the cheapest point
        BudgetCalibration.Choice poor = r.budgetChoice(0.0);
        assertThat(poor.reachable()).isFalse();
        for (double c : cal.cost()) {
            assertThat(poor.validationCost()).isLessThanOrEqualTo(c);
        }
        Decision d = r.routeWithBudget(TestRouters.query(), 100, 1.0, RouteOptions.defaults());
        assertThat(d.budget()).contains(rich);
        assertThat(d.mu()).isEqualTo(rich.mu());
        // re-pricing recomputes the calibration: with A 100x dearer its validation cost rises
        Router dearA = r.withPrices(TestRouters.prices().with("A", new PriceTable.Price(1000, 3000)));
        assertThat(dearA.calibration().orElseThrow().cost()[0]).isGreaterThan(cal.cost()[0]);
        assertThatThrownBy(() -> router.budgetChoice(0.01)).hasMessageContaining("no budget calibration");
    }

    @Test
    void badEmbeddingsAndMuAreRejectedWithClearMessages() {
        assertThatThrownBy(() -> router.route(new float[384], 0.1))
                .hasMessageContaining("embedding dimension 384 does not match router dimension 4 (router trained with"
                        + " test-encoder)");
        assertThatThrownBy(() -> router.route(new float[]{2, 0, 0, 0}, 0.1))
                .hasMessageContaining("L2 norm 2.0");
        assertThatThrownBy(() -> router.route(new float[]{Float.NaN, 0, 0, 0}, 0.1))
                .hasMessageContaining("non-finite");
        assertThatThrownBy(() -> router.route(TestRouters.query(), 1.5))
                .hasMessageContaining("mu must be in [0, 1]");
        assertThatThrownBy(() -> router.route("text", 0.1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this router has no encoder");
    }

    @Test
    void batchRoutingEqualsOneByOne() {
        float[][] qs = {TestRouters.query(), {0, 1, 0, 0}, {0, 0, 1, 0}, {0.6f, 0.8f, 0, 0}};
        List<Decision> batch = router.routeAll(qs, 0.3, RouteOptions.defaults());
        for (int i = 0; i < qs.length; i++) {
            assertThat(batch.get(i)).isEqualTo(router.route(qs[i], 0.3));
        }
    }

    @Test
    void atAMuWhereThePolicyCallsAFixedModelEveryPromptGoesThereWithThePredictorsReceipts() {
        Router r = Router.of(TestRouters.withPolicy(), null);
        // mu = 0.1: the rule alone picks C (receiptsMatchHandComputedNumbers); the policy says always A here
        Decision d = r.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults());
        assertThat(d.model()).isEqualTo("A");
        assertThat(d.fixedModel()).contains("A");
        assertThat(d.byFixedModel()).isTrue();
        assertThat(d.chosen().model()).isEqualTo("A");
        assertThat(d.chosen().utility()).isCloseTo(0.365, within(EPS)); // what the predictors said, unchanged
        assertThat(d.margin()).isCloseTo(0.365 - 0.431, within(EPS)); // negative: the rule preferred C
        assertThat(d.receipt("C").status()).isEqualTo(Receipt.Status.CANDIDATE);
        assertThat(d.receipt("C").marginToChosen()).isCloseTo(0.066, within(EPS));
        // outside [0.05, 0.15] the router decides, exactly as without a policy
        Decision routed = r.route(TestRouters.query(), 100, 0.5, RouteOptions.defaults());
        assertThat(routed.fixedModel()).isEmpty();
        assertThat(routed).isEqualTo(router.route(TestRouters.query(), 100, 0.5, RouteOptions.defaults()));
        // a mu between grid points takes the nearest: 0.1504 -> 0.15 (A), 0.1506 -> 0.151 (the router)
        assertThat(r.route(TestRouters.query(), 100, 0.1504, RouteOptions.defaults()).fixedModel()).contains("A");
        assertThat(r.route(TestRouters.query(), 100, 0.1506, RouteOptions.defaults()).fixedModel()).isEmpty();
    }

    @Test
    void theFixedModelIsUsedOnlyWhileTheOptionsLeaveItACandidate() {
        Router r = Router.of(TestRouters.withPolicy(), null);
        Decision notA = r.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults().onlyModels(List.of("B", "C")));
        assertThat(notA.model()).isEqualTo("C");
        assertThat(notA.fixedModel()).isEmpty();
        assertThat(notA.receipt("A").status()).isEqualTo(Receipt.Status.EXCLUDED_BY_OPTIONS);
        // A is predicted to cost 0.031: a cap of 0.01 puts it over, and the rule picks among the others
        Decision capped = r.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults().withMaxCostUsd(0.01));
        assertThat(capped.model()).isEqualTo("C");
        assertThat(capped.fixedModel()).isEmpty();
        assertThat(capped.receipt("A").status()).isEqualTo(Receipt.Status.OVER_COST_CAP);
    }

    @Test
    void budgetsMixThePolicysPointsAndNewPricesRefitThePolicy() {
        Router r = Router.of(TestRouters.withPolicy(), null);
        BudgetCalibration own = r.model().calibration().orElseThrow();
        BudgetCalibration cal = r.calibration().orElseThrow();
        double costA = TestRouters.prices().require("A").cost(100, 900);
        for (int g = 0; g < cal.size(); g++) {
            boolean fixed = g >= 50 && g <= 150;
            assertThat(cal.cost()[g]).isEqualTo(fixed ? costA : own.cost()[g]);
            assertThat(cal.quality()[g]).isEqualTo(fixed ? 0.9 : own.quality()[g]);
        }
        BudgetCalibration.Choice c = r.budgetChoice(0.02);
        Decision d = r.routeWithBudget(TestRouters.query(), 100, 0.02, RouteOptions.defaults());
        assertThat(d.budget()).contains(c);
        int g = (int) Math.round(d.mu() * 1000);
        assertThat(d.fixedModel().isPresent()).isEqualTo(g >= 50 && g <= 150);
        // A 1000x dearer: the refitted policy never calls A for every prompt
        Router dearA = r.withPrices(TestRouters.prices().with("A", new PriceTable.Price(10000, 30000)));
        assertThat(dearA.policy()).isPresent();
        assertThat(dearA.policy().get().choices()).doesNotContain(0);
        assertThat(dearA.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()).fixedModel())
                .isNotEqualTo(java.util.Optional.of("A"));
    }

    @Test
    void aRouterWithoutAPolicyHasNone() {
        assertThat(router.policy()).isEmpty();
        assertThat(Router.of(TestRouters.withCalibration(), null).policy()).isEmpty();
    }
}

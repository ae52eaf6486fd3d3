package dev.carrot.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A cost cap at a confidence: {@code withMaxCostUsd(cap).atConfidence(c)} compares each model's upper cost bound
 * with the cap. On the test router (see {@link TestRouters#bounds()}), the query gets 1000, 200 and 400 predicted
 * output tokens and 100, 120 and 150 input tokens on A, B and C: C is predicted to cost 0.0019 USD, and its 90% bound
 * is (400 + 10) * 2 - 10 = 810 output tokens, 0.00354 USD.
 */
class CostCapConfidenceTest {
    private static final double EPS = 1e-12;
    private final Router router = Router.of(TestRouters.withBounds(), null);

    @Test
    void aModelWhoseUpperBoundExceedsTheCapIsExcludedThoughItsPredictionFits() {
        Decision mean = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002));
        assertThat(mean.model()).isEqualTo("C");
        assertThat(mean.receipt("C").costUsd()).isCloseTo(0.0019, within(EPS));
        assertThat(mean.receipt("C").costBoundUsd()).isNaN();
        assertThat(mean.capConfidence()).isEmpty();

        Decision bounded = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002)
                .atConfidence(0.9));
        assertThat(bounded.model()).isEqualTo("B");
        assertThat(bounded.withinCostCap()).isTrue();
        assertThat(bounded.capConfidence()).hasValue(0.9);
        Receipt c = bounded.receipt("C");
        assertThat(c.status()).isEqualTo(Receipt.Status.OVER_COST_CAP);
        assertThat(c.costUsd()).isCloseTo(0.0019, within(EPS));
        assertThat(c.costBoundUsd()).isCloseTo(2e-6 * 150 + 4e-6 * 810, within(EPS));
        // B: (200 + 10) * 1.5 - 10 = 305 output tokens
        assertThat(bounded.receipt("B").costBoundUsd()).isCloseTo(0.5e-6 * 120 + 1e-6 * 305, within(EPS));
        assertThat(bounded.receipt("B").status()).isEqualTo(Receipt.Status.CHOSEN);
        // at 50%, C's bound is its fifth score, ln 2 / 2: (410 * sqrt 2 - 10) tokens, 0.00265 USD, within the cap
        Decision half = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002)
                .atConfidence(0.5));
        assertThat(half.receipt("C").costBoundUsd()).isCloseTo(2e-6 * 150 + 4e-6 * (410 * Math.sqrt(2) - 10),
                within(EPS));
        assertThat(half.model()).isEqualTo("B");
        Decision loose = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.003)
                .atConfidence(0.5));
        assertThat(loose.model()).isEqualTo("C");
        // the router's own bound function says the same as the receipts
        double[] bound = router.costUpperBounds(TestRouters.query(), 100, 0.9);
        assertThat(bound[2]).isCloseTo(c.costBoundUsd(), within(EPS));
        // a prompt of the other group (stored prompt 2, whose C answer is 10 tokens) gets that group's margin, 3
        double[] other = router.costUpperBounds(new float[]{0, 0, 1, 0}, 100, 0.9);
        assertThat(other[2]).isCloseTo(2e-6 * 150 + 4e-6 * ((10 + 10) * 3 - 10), within(EPS));
    }

    @Test
    void aConfidenceTheValidationPromptsCannotCertifyLeavesNoModelUnderTheCap() {
        // nine validation prompts per model: 0.95 needs the 10th smallest score of 9, the bound is infinite
        Decision d = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(1.0)
                .atConfidence(0.95));
        assertThat(d.withinCostCap()).isFalse();
        assertThat(d.model()).isEqualTo("B"); // every bound is infinite: the lowest predicted cost
        assertThat(d.receipt("A").costBoundUsd()).isInfinite();
        assertThatThrownBy(() -> router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults()
                .withMaxCostUsd(0.002).atConfidence(0.9).onNoFit(RouteOptions.NoFit.FAIL)
                .onlyModels(java.util.List.of("A", "C"))))
                .isInstanceOf(NoModelFitsException.class)
                .hasMessageContaining("no candidate model's 90% upper cost bound is at most 0.002")
                .hasMessageContaining("lowest bound: 0.00354")
                .satisfies(e -> assertThat(((NoModelFitsException) e).receipts().get(2).costBoundUsd())
                        .isCloseTo(0.00354, within(EPS)));
    }

    @Test
    void boundsFollowNewPricesWithoutRetraining() {
        Router dear = router.withPrices(TestRouters.prices().with("C", new dev.carrot.route.model.PriceTable.Price(
                2, 40)));
        Decision d = dear.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(1.0)
                .atConfidence(0.9));
        assertThat(d.receipt("C").costBoundUsd()).isCloseTo(2e-6 * 150 + 40e-6 * 810, within(EPS));
    }

    @Test
    void aRouterWithoutBoundsRefusesAConfidenceAndSaysWhy() {
        Router old = Router.of(TestRouters.withCalibration(), null);
        assertThat(old.costBounds()).isEmpty();
        assertThatThrownBy(() -> old.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults()
                .withMaxCostUsd(0.002).atConfidence(0.9)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this router has no cost bounds")
                .hasMessageContaining("withMaxCostUsd(cap) alone");
        // a cap on the predicted cost still works
        assertThat(old.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002)).model())
                .isEqualTo("C");
    }

    @Test
    void optionsRejectAConfidenceWithoutACapOrOutsideZeroToOne() {
        assertThatThrownBy(() -> RouteOptions.defaults().atConfidence(0.9))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call withMaxCostUsd(cap) before atConfidence(0.9)");
        for (double c : new double[]{0, 1, -0.5, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> RouteOptions.defaults().withMaxCostUsd(0.01).atConfidence(c))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be in (0, 1)");
        }
        RouteOptions o = RouteOptions.defaults().withMaxCostUsd(0.01).atConfidence(0.9).withMaxCostUsd(0.02);
        assertThat(o.capConfidence()).hasValue(0.9);
        assertThat(o.maxCostUsd()).hasValue(0.02);
        assertThatThrownBy(() -> router.costUpperBounds(TestRouters.query(), 100, 1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBoundAndTheConfidenceTravelInTheDecisionsJsonForm() throws Exception {
        Decision d = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(0.002)
                .atConfidence(0.9));
        ObjectNode json = DecisionJson.write(d);
        assertThat(json.get("cap_confidence").asDouble()).isEqualTo(0.9);
        assertThat(json.get("receipts").get(2).get("cost_bound_usd").asDouble()).isCloseTo(0.00354, within(EPS));
        JsonNode back = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(json));
        assertThat(DecisionJson.read(back)).isEqualTo(d);
        // infinite bounds are null on the wire and infinite again when read
        Decision uncertain = router.route(TestRouters.query(), 100, 0.0, RouteOptions.defaults().withMaxCostUsd(1.0)
                .atConfidence(0.95));
        ObjectNode u = DecisionJson.write(uncertain);
        assertThat(u.get("receipts").get(0).get("cost_bound_usd").isNull()).isTrue();
        assertThat(DecisionJson.read(u)).isEqualTo(uncertain);
        // a decision written before bounds existed still reads
        ObjectNode older = DecisionJson.write(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()));
        assertThat(older.has("cap_confidence")).isFalse();
        older.get("receipts").forEach(r -> ((ObjectNode) r).remove("cost_bound_usd"));
        Decision read = DecisionJson.read(older);
        assertThat(read.capConfidence()).isEmpty();
        assertThat(read.receipt("A").costBoundUsd()).isNaN();
    }
}

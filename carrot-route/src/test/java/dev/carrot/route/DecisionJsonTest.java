package dev.carrot.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncodedPrompt;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.PromptEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one wire form of a decision, and the one tokenizer pass of routing a text. */
class DecisionJsonTest {
    private final Router router = Router.of(TestRouters.withCalibration(), null);

    @Test
    void aRoutedCallIsWrittenWithTheGatewaysReceiptFieldNames() {
        Decision d = router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults());
        String next = d.candidatesByUtility().get(1).model();
        RoutedCall c = new RoutedCall(RoutedCall.newDecisionId(), next, d.receipt(next).costUsd(), "last_user_message",
                42, d, List.of(new RoutedCall.Attempt(d.model(), RoutedCall.Outcome.FAILED,
                java.util.Optional.of("RateLimitException: slow down"), java.time.Duration.ofMillis(12)),
                new RoutedCall.Attempt(next, RoutedCall.Outcome.OK, java.util.Optional.empty(),
                        java.time.Duration.ofNanos(3_456_789))));
        assertThat(c.decisionId()).matches("carrot-[0-9a-f]{16}");
        assertThat(c.fellBack()).isTrue();
        assertThat(c.answered()).isTrue();
        assertThat(c.mu()).isEqualTo(0.1);
        JsonNode j = DecisionJson.write(c);
        assertThat(j.path("decision_id").asText()).isEqualTo(c.decisionId());
        assertThat(j.path("model").asText()).isEqualTo(next);
        assertThat(j.path("predicted_cost_usd").asDouble()).isEqualTo(d.receipt(next).costUsd());
        assertThat(j.path("routed_text").path("source").asText()).isEqualTo("last_user_message");
        assertThat(j.path("routed_text").path("chars").asInt()).isEqualTo(42);
        assertThat(j.path("decision")).isEqualTo(DecisionJson.write(d));
        assertThat(j.path("attempts")).hasSize(2);
        assertThat(j.path("attempts").get(0).path("outcome").asText()).isEqualTo("failed");
        assertThat(j.path("attempts").get(0).path("detail").asText()).isEqualTo("RateLimitException: slow down");
        assertThat(j.path("attempts").get(0).path("seconds").asDouble()).isEqualTo(0.012);
        assertThat(j.path("attempts").get(1).path("outcome").asText()).isEqualTo("ok");
        assertThat(j.path("attempts").get(1).path("seconds").asDouble()).isEqualTo(0.0035);
        assertThat(j.path("attempts").get(1).has("detail")).isFalse();
    }

    @Test
    void aDecisionRoundTripsThroughItsJsonForm() throws Exception {
        Decision plain = router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()
                .onlyModels(List.of("A", "C")));
        Decision budget = router.routeWithBudget(TestRouters.query(), 100, 0.002, RouteOptions.defaults());
        for (Decision d : List.of(plain, budget)) {
            JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(DecisionJson.write(d)));
            assertThat(DecisionJson.read(json)).isEqualTo(d);
        }
        JsonNode json = DecisionJson.write(plain);
        assertThat(json.get("model").asText()).isEqualTo(plain.model());
        assertThat(json.get("receipts").get(1).get("status").asText()).isEqualTo("excluded_by_options");
        assertThat(json.get("receipts").get(1).get("margin_to_chosen").isNull()).isTrue();
        assertThat(json.has("budget")).isFalse();
        assertThat(DecisionJson.write(budget).get("budget").get("alternative_mu").isNumber()).isTrue();
    }

    @Test
    void aFixedModelChosenByThePolicyRoundTripsAndOldJsonReadsAsNone() throws Exception {
        Router withPolicy = Router.of(TestRouters.withPolicy(), null);
        Decision fixed = withPolicy.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults());
        assertThat(fixed.fixedModel()).contains("A");
        var json = DecisionJson.write(fixed);
        assertThat(json.get("fixed_model").asText()).isEqualTo("A");
        assertThat(DecisionJson.read(new ObjectMapper().readTree(json.toString()))).isEqualTo(fixed);
        var plain = DecisionJson.write(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()));
        assertThat(plain.get("fixed_model").isNull()).isTrue();
        plain.remove("fixed_model"); // written before the policy existed
        assertThat(DecisionJson.read(plain).fixedModel()).isEmpty();
        json.put("fixed_model", 3);
        assertThatThrownBy(() -> DecisionJson.read(json)).hasMessageContaining("'fixed_model' must be a string or null");
    }

    @Test
    void aBrokenDecisionNamesTheField() {
        ObjectMapper om = new ObjectMapper();
        var json = DecisionJson.write(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()));
        json.put("mu", "high");
        assertThatThrownBy(() -> DecisionJson.read(json)).hasMessageContaining("'mu' must be a number");
        var other = DecisionJson.write(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()));
        ((com.fasterxml.jackson.databind.node.ObjectNode) other.get("receipts").get(0)).put("status", "maybe");
        assertThatThrownBy(() -> DecisionJson.read(other)).hasMessageContaining("receipts[0].status")
                .hasMessageContaining("chosen, candidate, excluded_by_options or over_cost_cap");
        assertThatThrownBy(() -> DecisionJson.read(om.createArrayNode())).hasMessageContaining("JSON object");
    }

    @Test
    void routingATextTokenizesItOnce() {
        AtomicInteger counted = new AtomicInteger();
        AtomicInteger plainCalls = new AtomicInteger();
        PromptEncoder enc = new PromptEncoder() {
            @Override
            public EncoderInfo info() {
                return TestRouters.ENCODER;
            }

            @Override
            public float[] encode(String text) {
                plainCalls.incrementAndGet();
                return TestRouters.query();
            }

            @Override
            public EncodedPrompt encodeCounted(String text) {
                counted.incrementAndGet();
                return new EncodedPrompt(TestRouters.query(), 100);
            }

            @Override
            public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int countTokens(String text) {
                plainCalls.incrementAndGet();
                return 100;
            }

            @Override
            public void close() {
            }
        };
        Router r = Router.of(TestRouters.withCalibration(), enc);
        Decision byText = r.route("any prompt", 0.1);
        r.routeWithBudget("any prompt", 0.002, RouteOptions.defaults());
        assertThat(counted.get()).isEqualTo(2);
        assertThat(plainCalls.get()).isZero();
        // the same decision as from the embedding and its token count
        assertThat(byText).isEqualTo(router.route(TestRouters.query(), 100, 0.1, RouteOptions.defaults()));
    }
}

package dev.carrot.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.InputTokenModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Data with token counts and a price table (SPROUT's shape): real routerbench prompts and scores, with input tokens
 * that follow each model's tokenizer (a known multiple of the prompt's length) and output tokens that depend on the
 * prompt and the model. The trainer must learn the input-token factors, predict output tokens, price both, export
 * routers that re-price without retraining, and reproduce its own predictions.
 */
class TokenCostTest {
    @TempDir
    Path tmp;

    static final double[] FACTOR = {1.0, 1.1, 1.25, 0.9};

    @Test
    void trainsTokenBasedCostsThatCanBeRepriced() throws Exception {
        RoutingDataset rb = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 8);
        List<String> models = List.of("gpt-4-1106-preview", "gpt-3.5-turbo-1106", "claude-v1",
                "mistralai/mistral-7b-chat");
        RoutingDataset.Builder b = RoutingDataset.builder(models);
        for (int i = 0; i < rb.size(); i++) {
            int tokens = Fixtures.encoder().countTokens(rb.prompt(i));
            double[] q = new double[4];
            int[] in = new int[4];
            int[] out = new int[4];
            boolean code = rb.task(i).orElse("").equals("mbpp");
            for (int m = 0; m < 4; m++) {
                q[m] = rb.quality(i, rb.modelIndex(models.get(m)));
                in[m] = (int) Math.round(FACTOR[m] * tokens + 3);
                out[m] = (code ? 300 : 20) * (m + 1) + (i % 7);
            }
            b.add(rb.promptId(i), rb.prompt(i), rb.split(i), rb.task(i).orElse(null), q, in, out, null);
        }
        RoutingDataset data = b.build("routerbench sample with token counts");
        Map<String, PriceTable.Price> p = new LinkedHashMap<>();
        p.put(models.get(0), new PriceTable.Price(10, 30));
        p.put(models.get(1), new PriceTable.Price(1, 2));
        p.put(models.get(2), new PriceTable.Price(8, 24));
        p.put(models.get(3), new PriceTable.Price(0.2, 0.2));
        PriceTable prices = PriceTable.of(p);

        TrainerConfig cfg = TrainerConfig.defaults().withVariants(List.of(Variant.KNN,
                Variant.LOGISTIC)).withL2Grid(1e-3).withThreads(2);
        TrainJob.Report r = new TrainJob(cfg, Fixtures.encoder(), tmp, Optional.empty(), TrainJobTest.CREATED)
                .run(data, Optional.of(prices), Map.of());
        assertThat(r.training().costKind()).isEqualTo(CarrotTrainer.CostKind.TOKENS);
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(s.get("cost_kind").asText()).isEqualTo("tokens");
        assertThat(s.get("export_parity").get("logistic").get("max_scaled_cost_difference").asDouble())
                .isLessThanOrEqualTo(1e-5);

        var model = r.training().variant(Variant.KNN).model();
        InputTokenModel in = (InputTokenModel) ((CostModel.Tokens) model.cost()).inputTokens();
        for (int m = 0; m < 4; m++) {
            assertThat(in.slope()[m]).as("input-token factor of " + models.get(m)).isCloseTo(FACTOR[m], within(0.01));
            assertThat(in.intercept()[m]).isCloseTo(3, within(1.0));
        }
        try (Router router = Router.load(tmp.resolve("routers/knn"))) {
            String codePrompt = "Write a python function to find the first repeated character in a given string.";
            var d = router.route(codePrompt, 0.0, RouteOptions.defaults());
            var gpt4 = d.receipt(models.get(0));
            int t = Fixtures.encoder().countTokens(codePrompt);
            assertThat(gpt4.inputTokens()).isCloseTo(FACTOR[0] * t + 3, within(2.0));
            assertThat(gpt4.costUsd()).isCloseTo(10e-6 * gpt4.inputTokens() + 30e-6 * gpt4.outputTokens(),
                    within(1e-12));
            // re-pricing: the dearest model made 100x dearer is never chosen at mu > 0
            Router dear = router.withPrices(prices.with(models.get(0), new PriceTable.Price(1000, 3000)));
            for (double mu : new double[]{0.1, 0.5, 0.9}) {
                assertThat(dear.route(codePrompt, mu, RouteOptions.defaults()).model()).isNotEqualTo(models.get(0));
            }
            assertThat(dear.calibration()).isPresent();
            assertThat(dear.calibration().get().cost()[0]).isGreaterThan(router.calibration().get().cost()[0]);
        }
    }
}

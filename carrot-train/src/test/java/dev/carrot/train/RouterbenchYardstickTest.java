package dev.carrot.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.RoutingDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import dev.carrot.train.eval.EvalJob;

/**
 * The yardstick on the whole of routerbench_subset: the paper's KNN router must match our Python re-implementation
 * of the authors' pipeline (area 0.846 within 0.005, quality 0.879 at lambda 0), and budgets must land near their
 * target on test. Embeds all 3,150 prompts (about a minute, then cached). The reference pipeline has no fixed-model
 * policy, so neither has the router checked here (the policy's own numbers are in the README).
 */
class RouterbenchYardstickTest {
    @TempDir
    Path tmp;

    @Test
    void knnRouterMatchesTheReferencePipelineAndBudgetsHoldOnTest() throws Exception {
        RoutingDataset data = Fixtures.load(Fixtures.routerbenchFile());
        TrainerConfig cfg = TrainerConfig.defaults().withVariants(List.of(Variant.KNN))
                .withThreads(2).withFixedModels(false);
        new TrainJob(cfg, Fixtures.encoder(), tmp, Optional.of(DatasetDescriptor.load("routerbench_subset")),
                TrainJobTest.CREATED).withEvalOptions(new dev.carrot.train.eval.EvalJob.Options(200, 42))
                .run(data, Optional.empty(), Map.of());
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(s.get("n_train").asInt()).isEqualTo(2205);
        assertThat(s.get("n_test").asInt()).isEqualTo(945);
        JsonNode knn = s.get("routers").get(0);
        assertThat(knn.get("area").asDouble()).isCloseTo(0.846, within(0.005));
        assertThat(knn.get("quality_at_lambda0").asDouble()).isCloseTo(0.879, within(0.002));
        assertThat(s.get("reference").get("knn_vs_reference").get("area_difference").asDouble())
                .isCloseTo(0, within(0.005));

        JsonNode cal = new ObjectMapper().readTree(tmp.resolve("eval/eval.json").toFile()).get("calibration").get(0);
        // stated tolerance: the realised test cost is within 10% of the budget for at least 70% of 25 budgets
        // spread from the cheapest to the dearest validation cost, and within 5% at the median
        assertThat(cal.get("share_within_10_percent").asDouble()).isGreaterThanOrEqualTo(0.70);
        assertThat(cal.get("median_abs_relative_cost_error").asDouble()).isLessThan(0.05);
    }
}

package dev.carrot.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** routerdc_7model has no costs: routers are trained for quality and the evaluation says it reports quality only. */
class QualityOnlyTest {
    @TempDir
    Path tmp;

    @Test
    void trainsQualityOnlyRoutersAndSaysSo() throws Exception {
        RoutingDataset full = Fixtures.load(Fixtures.routerdcFile());
        RoutingDataset data = Fixtures.sample(full, 40);
        TrainerConfig cfg = TrainerConfig.defaults().withVariants(List.of(Variant.KNN,
                Variant.LOGISTIC)).withL2Grid(1e-3).withThreads(2);
        TrainJob.Report r = new TrainJob(cfg, Fixtures.encoder(), tmp, Optional.empty(), TrainJobTest.CREATED)
                .run(data, Optional.empty(), Map.of());
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(s.get("has_cost").asBoolean()).isFalse();
        assertThat(s.get("note").asText()).contains("quality only");
        assertThat(s.get("best_single").get("cost").isNull()).isTrue();
        assertThat(s.get("oracle").get("cost").isNull()).isTrue();
        for (JsonNode router : s.get("routers")) {
            assertThat(router.get("area").isNull()).isTrue();
            assertThat(router.get("cost_to_match_best").isNull()).isTrue();
            assertThat(router.get("quality_at_lambda0").asDouble()).isBetween(0.2, 0.9);
        }
        List<String> csv = Files.readAllLines(tmp.resolve("curves.csv"));
        assertThat(csv).hasSize(1 + 2 + 7 + 1); // one point per router, singles, oracle; no cost column values
        assertThat(csv.get(1)).matches("knn,0,,0\\.\\d+");
        assertThat(r.training().costKind()).isEqualTo(CarrotTrainer.CostKind.NONE);
        try (Router router = Router.load(tmp.resolve("router"))) {
            var d = router.route("Question: Which gas do plants absorb from the air?\nAnswer:", 0.7);
            assertThat(d.costModel()).isEqualTo("none");
            assertThat(d.chosen().costUsd()).isZero();
            // without costs every mu routes alike: the policy is one choice, the router or the best model
            var policy = router.policy().orElseThrow();
            assertThat(policy.size()).isEqualTo(1);
            assertThat(d.fixedModel().isPresent()).isEqualTo(policy.usesFixedModels());
        }
    }
}

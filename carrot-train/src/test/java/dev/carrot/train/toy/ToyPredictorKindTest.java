package dev.carrot.train.toy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.PredictorKinds;
import dev.carrot.train.Fixtures;
import dev.carrot.train.Matrices;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import dev.carrot.train.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adding a predictor kind takes one predictor class ({@link MeanPredictor}, with its reader), one trainer class
 * ({@link MeanTrainer}) and one registration (a line in {@code META-INF/services}): the whole job then trains it,
 * exports it, checks the export, evaluates it, and {@code Router.load} routes with it.
 */
class ToyPredictorKindTest {
    @TempDir
    Path tmp;

    @Test
    void aNewKindTrainsExportsLoadsAndRoutes() throws Exception {
        assertThat(PredictorKinds.names()).contains("toy-mean", "knn", "linear", "blend");
        RoutingDataset data = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 12);
        Variant toy = new Variant("toy", new MeanTrainer(), new MeanTrainer());
        TrainJob.Report r = new TrainJob(TrainerConfig.defaults().withVariants(List.of(toy)).withThreads(2),
                Fixtures.encoder(), tmp, Optional.empty(), TrainJob.creationTime())
                .run(data, Optional.empty(), Map.of("test", "ToyPredictorKindTest"));

        JsonNode manifest = new ObjectMapper().readTree(tmp.resolve("routers/toy/manifest.json").toFile());
        assertThat(manifest.path("quality").path("kind").asText()).isEqualTo("toy-mean");
        assertThat(manifest.path("cost").path("cost_usd").path("kind").asText()).isEqualTo("toy-mean");
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(summary.path("export_parity").path("toy").path("max_quality_difference").asDouble()).isZero();

        int m = data.modelCount();
        RoutingDataset trainView = TrainJob.trainingView(data);
        int[] fitted = trainView.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        double[] meanQ = Matrices.columnMeans(trainView.qualityMatrix(), m, fitted);
        double[] meanC = Matrices.columnMeans(trainView.costMatrix(), m, fitted);
        try (Router router = Router.load(tmp.resolve("routers/toy"))) {
            assertThat(router.model().cost()).isInstanceOf(CostModel.Direct.class);
            Router.Prediction p = router.predict(Fixtures.encoder().encode("What is 2 + 2?"), 8);
            for (int j = 0; j < m; j++) {
                assertThat(p.quality()[j]).isEqualTo((float) meanQ[j]);
                assertThat(p.costUsd()[j]).isEqualTo((float) meanC[j]);
            }
            // the same prediction for any prompt: the best mean quality at mu = 0
            int best = 0;
            for (int j = 1; j < m; j++) {
                if ((float) meanQ[j] > (float) meanQ[best]) {
                    best = j;
                }
            }
            assertThat(router.route("Translate 'bonjour' into English.", 0.0).model())
                    .isEqualTo(data.models().get(best));
        }
    }
}

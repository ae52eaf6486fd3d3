package dev.carrot.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.model.CostModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import dev.carrot.route.model.BlendPredictor;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.StackPredictor;

/** The whole job on a sample of routerbench_subset: outputs, export parity, determinism, routing from the artifact. */
class TrainJobTest {
    static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    static Path tmp;

    static RoutingDataset data;
    static TrainJob.Report report;

    static TrainerConfig config() {
        return TrainerConfig.defaults().withL2Grid(1e-4, 1e-2).withThreads(2);
    }

    @BeforeAll
    static void train() throws IOException {
        data = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 6);
        report = new TrainJob(config(), Fixtures.encoder(), tmp.resolve("run1"),
                Optional.of(DatasetDescriptor.load("routerbench_subset")), CREATED)
                .run(data, Optional.empty(), Map.of("test", "TrainJobTest"));
    }

    @Test
    void writesEveryOutput() throws IOException {
        Path out = tmp.resolve("run1");
        for (String f : List.of("curves.csv", "summary.json", "curves.png", "router/manifest.json",
                "routers/knn/manifest.json", "routers/logistic/manifest.json", "routers/blend/manifest.json",
                "routers/stack/manifest.json")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".staging"));
        }
        byte[] png = Files.readAllBytes(out.resolve("curves.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        List<String> csv = Files.readAllLines(out.resolve("curves.csv"));
        assertThat(csv.get(0)).isEqualTo("router,lambda,cost_per_query,quality");
        // 4 routers x 1001 lambdas, 11 single models, the oracle
        assertThat(csv).hasSize(1 + 4 * 1001 + 11 + 1);
        assertThat(csv).anyMatch(l -> l.startsWith("model:gpt-4-1106-preview,,"));
        assertThat(csv.get(csv.size() - 1)).startsWith("oracle,,");

        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(s.get("n_train").asInt()).isEqualTo(data.indicesOf("train", "validation").length);
        assertThat(s.get("n_test").asInt()).isEqualTo(data.indicesOf("test").length);
        assertThat(s.get("best_single").get("model").asText()).isNotEmpty();
        assertThat(s.get("oracle").get("quality").asDouble()).isGreaterThanOrEqualTo(s.get("best_single")
                .get("quality").asDouble());
        assertThat(s.get("routers")).hasSize(4);
        for (JsonNode r : s.get("routers")) {
            assertThat(r.get("area").asDouble()).isBetween(0.3, 1.0);
            assertThat(r.has("quality_at_lambda0")).isTrue();
            assertThat(r.has("cost_to_match_best")).isTrue();
        }
        assertThat(s.get("cost_kind").asText()).isEqualTo("direct");
        assertThat(s.get("reference").get("published").get("routers").get("knn").get("area").asDouble())
                .isEqualTo(0.846);
        assertThat(s.get("reference").get("same_test_prompts").asBoolean()).isFalse();
    }

    @Test
    void runsThePapersEvaluationWithBaselinesIntervalsTasksAndCalibration() throws IOException {
        Path eval = tmp.resolve("run1/eval");
        for (String f : List.of("curves.csv", "curves.png", "curves.svg", "metrics.csv", "per_task.csv",
                "per_task.png", "per_task.svg", "calibration.csv", "calibration.png", "calibration.svg",
                "eval.json")) {
            assertThat(eval.resolve(f)).as(f).isRegularFile();
        }
        String curves = Files.readString(eval.resolve("curves.csv"));
        assertThat(curves).contains("random-mix(").contains("routerbench-style(").contains("two-model(")
                .contains("shuffled(");
        List<String> metrics = Files.readAllLines(eval.resolve("metrics.csv"));
        assertThat(metrics.get(0)).isEqualTo("router,metric,value,ci_low,ci_high,defined_fraction");
        assertThat(metrics).anyMatch(l -> l.startsWith("knn,area,"))
                .anyMatch(l -> l.startsWith("knn,quality_at_10%_of_dearest_cost,"));
        JsonNode e = new ObjectMapper().readTree(eval.resolve("eval.json").toFile());
        assertThat(e.get("main_router").asText()).isEqualTo(report.defaultVariant());
        assertThat(e.get("per_task").fieldNames()).toIterable().containsExactlyInAnyOrder("arc-challenge", "mbpp",
                "winogrande");
        assertThat(e.get("calibration")).hasSize(4);
        for (JsonNode c : e.get("calibration")) {
            assertThat(c.get("median_abs_relative_cost_error").asDouble()).isLessThan(1.0);
        }
    }

    @Test
    void exportedRoutersReproduceTheTrainersPredictions() throws IOException {
        JsonNode parity = new ObjectMapper().readTree(tmp.resolve("run1/summary.json").toFile()).get("export_parity");
        for (String v : List.of("knn", "logistic", "blend", "stack")) {
            assertThat(parity.get(v).get("max_quality_difference").asDouble()).isLessThanOrEqualTo(1e-5);
            assertThat(parity.get(v).get("max_scaled_cost_difference").asDouble()).isLessThanOrEqualTo(1e-5);
        }
        // and the predictors are what the variant names say
        var knn = report.training().variant(Variant.KNN).model();
        assertThat(knn.quality()).isInstanceOf(KnnPredictor.class);
        assertThat(((CostModel.Direct) knn.cost()).costUsd()).isInstanceOf(KnnPredictor.class);
        var logistic = report.training().variant(Variant.LOGISTIC).model();
        assertThat(((LinearPredictor) logistic.quality()).link()).isEqualTo(LinearPredictor.Link.SIGMOID);
        assertThat(report.training().variant(Variant.BLEND).model().quality())
                .isInstanceOf(BlendPredictor.class);
        assertThat(report.training().variant(Variant.STACK).model().quality())
                .isInstanceOf(StackPredictor.class);
        assertThat(knn.calibration()).isPresent();
        assertThat(knn.provenance().datasetSha256()).contains(data.provenance().contentSha256());
        assertThat(knn.provenance().created()).contains(CREATED);
        assertThat(knn.provenance().trainerConfig().orElseThrow().get("seed").asLong()).isEqualTo(42);
    }

    /**
     * The L2 penalty reaches the solvers: each point of the grid scores differently out of fold (before the fix, Tribuo's
     * SGD gave identical losses, to 16 digits, for every penalty).
     */
    @Test
    void everyPenaltyOfTheGridGivesItsOwnLoss() {
        Map<String, Object> hyper = report.training().variant(Variant.LOGISTIC).hyper();
        @SuppressWarnings("unchecked")
        Map<String, Double> quality = (Map<String, Double>) hyper.get("quality_cv_logloss_by_l2");
        @SuppressWarnings("unchecked")
        Map<String, Double> cost = (Map<String, Double>) hyper.get("cost_cv_standardised_mse_by_l2");
        assertThat(quality).hasSize(2);
        assertThat(cost).hasSize(2);
        assertThat(Math.abs(quality.get("1.0E-4") - quality.get("0.01"))).isGreaterThan(1e-4);
        assertThat(Math.abs(cost.get("1.0E-4") - cost.get("0.01"))).isGreaterThan(1e-4);
        assertThat(hyper.get("quality_solver")).isEqualTo("lbfgs");
    }

    /** The default router is the variant with the best score on prompts its predictors did not see. */
    @Test
    void theDefaultRouterHasTheBestHeldOutScore() throws IOException {
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("run1/summary.json").toFile());
        assertThat(s.get("default_router_chosen_by").asText()).startsWith("held-out score");
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (CarrotTrainer.VariantResult v : report.training().variants()) {
            assertThat(v.heldOutScore()).as(v.variant().id()).isBetween(0.3, 1.0);
            assertThat(v.hyper().get("held_out_area")).isEqualTo(v.heldOutScore());
            if (v.heldOutScore() > bestScore) {
                bestScore = v.heldOutScore();
                best = v.variant().id();
            }
        }
        assertThat(report.defaultVariant()).isEqualTo(best);
        assertThat(s.get("default_router").asText()).isEqualTo(best);
    }

    @Test
    void theSameDataConfigAndSeedGiveByteIdenticalArtifacts() throws IOException {
        new TrainJob(config(), Fixtures.encoder(), tmp.resolve("run2"),
                Optional.of(DatasetDescriptor.load("routerbench_subset")), CREATED)
                .run(data, Optional.empty(), Map.of("test", "TrainJobTest"));
        // DIR/routers is a link into the run's generation (TrainOutput): compare what it shows
        Path a = tmp.resolve("run1/routers").toRealPath();
        Path b = tmp.resolve("run2/routers").toRealPath();
        List<Path> files;
        try (Stream<Path> s = Files.walk(a)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path f : files) {
            assertThat(Files.readAllBytes(b.resolve(a.relativize(f)))).as(a.relativize(f).toString())
                    .isEqualTo(Files.readAllBytes(f));
        }
    }

    @Test
    void theDefaultArtifactRoutesTextAndBudgetsLandNearTheirTarget() throws IOException {
        try (Router r = Router.load(tmp.resolve("run1/router"))) {
            assertThat(r.models()).isEqualTo(data.models());
            Decision d = r.route("Write a Python function that returns the n-th Fibonacci number.", 0.0);
            assertThat(d.receipts()).hasSize(11);
            assertThat(data.models()).contains(d.model());
            Decision cheap = r.route("Write a Python function that returns the n-th Fibonacci number.", 1.0);
            assertThat(cheap.chosen().costUsd()).isLessThanOrEqualTo(d.chosen().costUsd());
            var cal = r.calibration().orElseThrow();
            double target = (cal.cost()[0] + cal.cost()[cal.size() - 1]) / 2;
            var choice = r.budgetChoice(target);
            assertThat(choice.reachable()).isTrue();
            assertThat(choice.validationCost()).isLessThanOrEqualTo(target);
        }
    }

    @Test
    void theTestCurvesGoThroughThePolicysFixedModels() throws IOException {
        Map<String, double[]> single = new java.util.HashMap<>();
        Map<String, Map<Double, double[]>> curve = new java.util.HashMap<>();
        List<String> lines = Files.readAllLines(tmp.resolve("run1/curves.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f[0].startsWith("model:")) {
                single.put(f[0].substring(6), new double[]{Double.parseDouble(f[2]), Double.parseDouble(f[3])});
            } else if (!f[1].isEmpty()) {
                curve.computeIfAbsent(f[0], k -> new java.util.HashMap<>()).put(Double.parseDouble(f[1]),
                        new double[]{Double.parseDouble(f[2]), Double.parseDouble(f[3])});
            }
        }
        int fixedPoints = 0;
        for (var v : report.training().variants()) {
            var policy = v.model().policy().orElseThrow();
            assertThat(v.hyper()).containsKey("policy");
            double[] grid = policy.mu();
            for (int g = 0; g < grid.length; g++) {
                int j = policy.fixedAt(grid[g]);
                if (j >= 0) {
                    fixedPoints++;
                    double[] at = curve.get(v.variant().id()).get(grid[g]);
                    double[] model = single.get(data.models().get(j));
                    assertThat(at[0]).as(v.variant().id() + " cost at " + grid[g]).isCloseTo(model[0],
                            org.assertj.core.api.Assertions.within(1e-9 * model[0]));
                    assertThat(at[1]).as(v.variant().id() + " quality at " + grid[g]).isCloseTo(model[1],
                            org.assertj.core.api.Assertions.within(1e-9));
                }
            }
        }
        assertThat(fixedPoints).as("grid points where some policy calls a fixed model").isPositive();
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("run1/summary.json").toFile());
        for (JsonNode r : s.get("routers")) {
            JsonNode gap = r.get("largest_single_model_gap");
            assertThat(data.models()).contains(gap.get("model").asText());
            assertThat(gap.get("gap").asDouble()).isCloseTo(gap.get("model_quality").asDouble()
                    - gap.get("curve_quality").asDouble(), org.assertj.core.api.Assertions.within(1e-12));
        }
        try (Router r = Router.load(tmp.resolve("run1/router"))) {
            var policy = r.policy().orElseThrow();
            for (double mu : policy.mu()) {
                int j = policy.fixedAt(mu);
                if (j >= 0) {
                    Decision d = r.route("What is the capital of France?", mu);
                    assertThat(d.fixedModel()).contains(data.models().get(j));
                    assertThat(d.model()).isEqualTo(data.models().get(j));
                    break;
                }
            }
        }
    }
}

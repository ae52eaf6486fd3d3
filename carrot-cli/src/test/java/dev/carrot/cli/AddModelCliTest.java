package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.model.BlendPredictor;
import dev.carrot.train.Embedded;
import dev.carrot.train.Fixtures;
import dev.carrot.train.Progress;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import dev.carrot.train.add.ModelColumns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code carrot add-model} on routers trained on a sample of routerbench_subset without GPT-4: the model is added
 * back from its rows on 120 training prompts, to a KNN, a logistic and a blend router; a copy of Yi-34B (cheap and
 * good: the routers call it at moderate prices) added to the KNN router is routed like Yi; careless invocations are
 * refused with exit code 2 and a message.
 */
class AddModelCliTest {
    static final String YI = "zero-one-ai/Yi-34B-Chat";
    static final String GPT4 = "gpt-4-1106-preview";

    @TempDir
    static Path tmp;
    static RoutingDataset data;
    static Path trained;
    static RoutingDataset testSplit;
    static Embedded test;

    record Run(int code, String out, String err) {
    }

    static Run carrot(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CarrotCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void train() throws IOException {
        // a router without GPT-4 (the one extended) and the full retrain with all of GPT-4's labels (the yardstick)
        data = TrainJob.trainingView(Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 4));
        trained = tmp.resolve("without-gpt-4");
        TrainerConfig cfg = TrainerConfig.defaults().withL2Grid(1e-3).withThreads(2);
        new TrainJob(cfg, Fixtures.encoder(), trained, Optional.empty(), java.time.Instant.EPOCH)
                .withEvalOptions(new dev.carrot.train.eval.EvalJob.Options(20, 1))
                .run(ModelColumns.without(data, GPT4), Optional.empty(), Map.of());
        new TrainJob(cfg, Fixtures.encoder(), tmp.resolve("full"), Optional.empty(), java.time.Instant.EPOCH)
                .withEvalOptions(new dev.carrot.train.eval.EvalJob.Options(20, 1))
                .run(data, Optional.empty(), Map.of());
        testSplit = data.select(data.indicesOf(RoutingDataset.TEST), "test");
        try (Progress p = Progress.start("embedding", testSplit.size())) {
            test = Embedded.of(testSplit, Fixtures.encoder(), false, p);
        }
    }

    /**
     * The rows of {@code model} on {@code n} training prompts spread evenly over the training prompts, as JSON Lines,
     * named {@code as}. Not the first {@code n}: routerbench's first prompts are MMLU questions behind one shared
     * few-shot prefix longer than MiniLM's 256 word pieces, so they all have one embedding and would label one point.
     */
    static Path rows(String model, String as, int n, String file) throws IOException {
        int[] train = data.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        int j = data.modelIndex(model);
        ObjectMapper om = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int r = train[(int) ((long) i * train.length / n)];
            ObjectNode o = om.createObjectNode();
            o.put("prompt_id", data.promptId(r));
            o.put("prompt", data.prompt(r));
            o.put("model", as);
            o.put("score", data.quality(r, j));
            o.put("cost_usd", data.cost(r, j));
            lines.add(om.writeValueAsString(o));
        }
        Path p = tmp.resolve(file);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void addsAModelToEachKindOfRouter() throws Exception {
        Path gpt4 = rows(GPT4, GPT4, 120, "gpt4.jsonl");
        for (String variant : List.of("knn", "logistic", "blend")) {
            Path out = tmp.resolve("added-" + variant);
            Run r = carrot("add-model", "--router", trained.resolve("routers/" + variant).toString(), "--data",
                    gpt4.toString(), "--name", GPT4, "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("added " + GPT4);
            try (Router router = Router.load(out)) {
                assertThat(router.models()).hasSize(11).endsWith(GPT4);
                JsonNode added = router.model().provenance().get("added_models").orElseThrow();
                assertThat(added).hasSize(1);
                assertThat(added.get(0).get("model").asText()).isEqualTo(GPT4);
                assertThat(added.get(0).get("labelled_prompts").asInt()).isEqualTo(120);
                assertThat(added.get(0).get("command").get("command").asText()).isEqualTo("carrot add-model");
                assertThat(router.model().provenance().variant()).contains(variant);
                if (variant.equals("blend")) {
                    assertThat(router.model().quality()).isInstanceOf(BlendPredictor.class);
                }
                if (variant.equals("logistic")) {
                    assertThat(router.calibration()).isEmpty();
                    assertThat(r.out()).contains("budget calibration is dropped");
                } else {
                    assertThat(router.calibration()).isPresent();
                    // the calibration is on the distinct stored prompts the labelled ones matched (the report's count)
                    java.util.regex.Matcher stored = java.util.regex.Pattern
                            .compile("from 120 labelled prompts \\((\\d+) of them stored prompts").matcher(r.out());
                    assertThat(stored.find()).as(r.out()).isTrue();
                    assertThat(router.model().calibrationData().orElseThrow().rows())
                            .isEqualTo(Integer.parseInt(stored.group(1)));
                }
                var d = router.route("Which of these is a mammal? (A) shark (B) dolphin (C) trout", 0.2);
                assertThat(router.models()).contains(d.model());
                // GPT-4 is the best model on routerbench by 0.10 (0.879 on test against Yi's 0.779): at mu = 0 the
                // router with it added calls it on test prompts, and recovers at least half of the test quality a
                // full retrain with all of GPT-4's labels gains over the router without it
                int toGpt4 = 0;
                float[] x = new float[test.dimension()];
                for (int i = 0; i < test.rows(); i++) {
                    System.arraycopy(test.vectors(), i * x.length, x, 0, x.length);
                    toGpt4 += router.route(x, 0).model().equals(GPT4) ? 1 : 0;
                }
                assertThat(toGpt4).as("test prompts routed to the added GPT-4 at mu = 0 (" + variant + ")")
                        .isPositive();
                double without;
                double full;
                try (Router w = Router.load(trained.resolve("routers/" + variant));
                     Router f = Router.load(tmp.resolve("full/routers/" + variant))) {
                    without = qualityAt0(w);
                    full = qualityAt0(f);
                }
                double addedQuality = qualityAt0(router);
                assertThat(full - without).as("test quality at mu = 0 a full retrain gains from GPT-4 (" + variant
                        + ")").isGreaterThan(0.05);
                assertThat((addedQuality - without) / (full - without))
                        .as("share of that gain the added GPT-4 recovers (" + variant + ")").isGreaterThanOrEqualTo(0.5);
            }
        }
    }

    /** The mean test quality of the models the router calls at mu = 0. */
    static double qualityAt0(Router router) {
        float[] x = new float[test.dimension()];
        double q = 0;
        for (int i = 0; i < test.rows(); i++) {
            System.arraycopy(test.vectors(), i * x.length, x, 0, x.length);
            q += testSplit.quality(i, data.modelIndex(router.route(x, 0).model())) / test.rows();
        }
        return q;
    }

    @Test
    void aCopyOfYiIsRoutedLikeYi() throws Exception {
        Path copy = rows(YI, "yi-copy", 120, "yi-copy.jsonl");
        Path out = tmp.resolve("with-copy");
        Run r = carrot("add-model", "--router", trained.resolve("routers/knn").toString(), "--data", copy.toString(),
                "--name", "yi-copy", "--out", out.toString(), "--no-calibration");
        assertThat(r.code()).as(r.err()).isZero();
        RoutingDataset t = testSplit;
        Embedded emb = test;
        try (Router router = Router.load(out)) {
            int g = router.models().indexOf(YI);
            int c = router.models().indexOf("yi-copy");
            List<String> originals = router.models().subList(0, 10);
            List<String> swapped = new ArrayList<>(originals);
            swapped.set(g, "yi-copy");
            double diff = 0;
            double[] apart = new double[originals.size()];
            int same = 0;
            int decisions = 0;
            int toYi = 0;
            float[] x = new float[emb.dimension()];
            for (int i = 0; i < t.size(); i++) {
                System.arraycopy(emb.vectors(), i * x.length, x, 0, x.length);
                var p = router.predict(x, -1);
                diff += Math.abs(p.quality()[g] - p.quality()[c]) / t.size();
                for (int j = 0; j < apart.length; j++) {
                    apart[j] += Math.abs(p.quality()[g] - p.quality()[j]) / t.size();
                }
                for (double mu : new double[]{0, 0.1, 0.3}) {
                    String a = router.route(x, -1, mu, RouteOptions.defaults().onlyModels(originals)).model();
                    String b = router.route(x, -1, mu, RouteOptions.defaults().onlyModels(swapped)).model();
                    decisions++;
                    toYi += a.equals(YI) ? 1 : 0;
                    same += (a.equals(YI) ? "yi-copy" : a).equals(b) ? 1 : 0;
                }
            }
            // the agreement means something: Yi is called in a good share of the decisions without the copy
            assertThat(toYi).as("decisions calling Yi without the copy").isGreaterThan(decisions / 10);
            // the copy's predictions lie closer to Yi's than half the way to the nearest other model's (mixtral's,
            // 0.057 away); not nearer: most of this sample's labelled prompts sit in two groups of identical
            // embeddings (a shared few-shot prefix), so the labels cannot say which of a group's rows they are
            double nearest = Double.POSITIVE_INFINITY;
            for (int j = 0; j < apart.length; j++) {
                nearest = j == g ? nearest : Math.min(nearest, apart[j]);
            }
            assertThat(diff).as("mean |quality(copy) - quality(Yi)| against the nearest other model's " + nearest)
                    .isLessThan(nearest / 2);
            assertThat(same).as("decisions that agree, Yi's going to the copy")
                    .isGreaterThanOrEqualTo((int) Math.ceil(0.95 * decisions));
        }
    }

    @Test
    void carelessInvocationsAreRefused() throws Exception {
        Path gpt4 = rows(GPT4, GPT4, 60, "gpt4-60.jsonl");
        Path knn = trained.resolve("routers/knn");
        Run wrongName = carrot("add-model", "--router", knn.toString(), "--data", gpt4.toString(), "--name", "gpt-4",
                "--out", tmp.resolve("x1").toString());
        assertThat(wrongName.code()).isEqualTo(2);
        assertThat(wrongName.err()).contains("holds rows of model '" + GPT4 + "', not 'gpt-4'");

        Path yi = rows(YI, YI, 60, "yi.jsonl");
        Run present = carrot("add-model", "--router", knn.toString(), "--data", yi.toString(), "--name", YI,
                "--out", tmp.resolve("x2").toString());
        assertThat(present.code()).isEqualTo(2);
        assertThat(present.err()).contains("'" + YI + "' is already in the router");

        Run inPlace = carrot("add-model", "--router", knn.toString(), "--data", gpt4.toString(), "--name", GPT4,
                "--out", knn.toString());
        assertThat(inPlace.code()).isEqualTo(2);
        assertThat(inPlace.err()).contains("is the router being extended").contains("--force");

        Path notRouter = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(notRouter.resolve("notes.txt"), "mine");
        Run mine = carrot("add-model", "--router", knn.toString(), "--data", gpt4.toString(), "--name", GPT4,
                "--out", notRouter.toString(), "--force");
        assertThat(mine.code()).isNotZero();
        assertThat(mine.err()).contains("not a router artifact");
        assertThat(notRouter.resolve("notes.txt")).hasContent("mine");

        Run noRouter = carrot("add-model", "--router", tmp.resolve("nothing").toString(), "--data", gpt4.toString(),
                "--name", GPT4);
        assertThat(noRouter.code()).isEqualTo(2);
        assertThat(noRouter.err()).contains("neither a router artifact");

        // a bad cell deep in the file: the message names the file, the row, the column and the value
        List<String> good = Files.readAllLines(gpt4, StandardCharsets.UTF_8);
        Path bad = tmp.resolve("bad.jsonl");
        Files.write(bad, List.of(good.get(0), good.get(1), good.get(2).replaceFirst("\"score\":[^,]+", "\"score\":1.5")),
                StandardCharsets.UTF_8);
        Run badScore = carrot("add-model", "--router", knn.toString(), "--data", bad.toString(), "--name", GPT4,
                "--out", tmp.resolve("x3").toString());
        assertThat(badScore.code()).isNotZero();
        assertThat(badScore.err()).contains("bad.jsonl").contains("row 3").contains("column 'score'").contains("1.5")
                .contains("expected a number in [0, 1]");

        Path csv = tmp.resolve("bad-cost.csv");
        Files.write(csv, List.of("prompt_id,prompt,model,score,cost_usd", data.promptId(0) + ",hello," + GPT4 + ",1,0.001",
                data.promptId(1) + ",there," + GPT4 + ",0,-0.5"), StandardCharsets.UTF_8);
        Run badCost = carrot("add-model", "--router", knn.toString(), "--data", csv.toString(), "--name", GPT4,
                "--out", tmp.resolve("x4").toString());
        assertThat(badCost.code()).isNotZero();
        assertThat(badCost.err()).contains("bad-cost.csv").contains("row 2").contains("column 'cost_usd'")
                .contains("-0.5");

        Path noCost = tmp.resolve("no-cost.csv");
        Files.write(noCost, List.of("prompt_id,prompt,model,score", data.promptId(0) + ",hello," + GPT4 + ",1"),
                StandardCharsets.UTF_8);
        Run missing = carrot("add-model", "--router", knn.toString(), "--data", noCost.toString(), "--name", GPT4,
                "--out", tmp.resolve("x5").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("cost_usd");

        Run badPrice = carrot("add-model", "--router", knn.toString(), "--data", gpt4.toString(), "--name", GPT4,
                "--prices", "cheap", "--out", tmp.resolve("x6").toString());
        assertThat(badPrice.code()).isEqualTo(2);
        assertThat(badPrice.err()).contains("--prices 'cheap'").contains("INPUT,OUTPUT");
        for (String x : List.of("x1", "x3", "x4", "x5", "x6")) {
            assertThat(tmp.resolve(x)).as(x).doesNotExist();
        }
    }
}

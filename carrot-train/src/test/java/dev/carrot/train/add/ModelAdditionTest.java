package dev.carrot.train.add;

import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Decision;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.Router;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PredictorWriter;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.PromptView;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.Embedded;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ModelAddition} on a synthetic world whose truth is known: a copy of an existing model is routed like it, a
 * model unlike the others is told apart, the calibration is recomputed or dropped, and careless input is refused
 * with messages that say what to do.
 */
class ModelAdditionTest {
    static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    static SyntheticWorld world;
    static SyntheticWorld.Prompts stored;
    static SyntheticWorld.Prompts validation;
    static SyntheticWorld.Prompts test;
    static float[] q;
    static float[] c;
    static RouterModel knn;

    @BeforeAll
    static void build() {
        world = new SyntheticWorld(1);
        stored = world.prompts(900, 2);
        validation = world.prompts(150, 3);
        test = world.prompts(300, 4);
        q = SyntheticWorld.scores(SyntheticWorld.SKILL, stored, 5);
        c = SyntheticWorld.costs(SyntheticWorld.PRICE, stored);
        knn = SyntheticWorld.knnRouter(stored, q, c, validation, SyntheticWorld.scores(SyntheticWorld.SKILL,
                validation, 6), SyntheticWorld.costs(SyntheticWorld.PRICE, validation));
    }

    /** The copy of model {@code m} on {@code n} stored prompts: its very scores and costs. */
    static SyntheticWorld.Input copyOf(int m, int n, long seed) {
        int k = SyntheticWorld.MODELS.size();
        int[] rows = SyntheticWorld.sample(stored.n(), n, seed);
        double[] y = new double[n];
        double[] cost = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = q[rows[i] * k + m];
            cost[i] = c[rows[i] * k + m];
        }
        return SyntheticWorld.input("copy", stored, rows, y, cost);
    }

    static ModelAddition.Result add(RouterModel router, SyntheticWorld.Input in, ModelAddition.Options o) {
        return new ModelAddition(o).add(router, in.data(), in.emb(), Optional.empty(), Map.of(), CREATED);
    }

    static double meanAbsDifference(RouterModel model, int a, int b) {
        Router r = Router.of(model, null);
        double s = 0;
        for (int i = 0; i < test.n(); i++) {
            var p = r.predict(test.row(i), -1);
            s += Math.abs(p.quality()[a] - p.quality()[b]);
        }
        return s / test.n();
    }

    @Test
    void aCopyOfAModelIsRoutedLikeIt() {
        ModelAddition.Result r = add(knn, copyOf(1, 100, 11), ModelAddition.Options.defaults());
        RouterModel m = r.model();
        assertThat(m.models()).containsExactly("alpha", "beta", "gamma", "delta", "copy");
        double diff = meanAbsDifference(m, 1, 4);
        assertThat(diff).as("mean |quality(copy) - quality(beta)| on test prompts").isLessThan(0.01);
        // with beta left out, the copy takes beta's place in (almost) every decision
        Router router = Router.of(m, null);
        RouteOptions withBeta = RouteOptions.defaults().onlyModels(List.of("alpha", "beta", "gamma", "delta"));
        RouteOptions withCopy = RouteOptions.defaults().onlyModels(List.of("alpha", "copy", "gamma", "delta"));
        int decisions = 0;
        int same = 0;
        int beta = 0;
        for (double mu : new double[]{0, 0.2, 0.5}) {
            for (int i = 0; i < test.n(); i++) {
                String a = router.route(test.row(i), -1, mu, withBeta).model();
                String b = router.route(test.row(i), -1, mu, withCopy).model();
                decisions++;
                beta += a.equals("beta") ? 1 : 0;
                same += (a.equals("beta") ? "copy" : a).equals(b) ? 1 : 0;
            }
        }
        assertThat(beta).as("decisions for beta").isGreaterThan(100);
        assertThat(same).as("decisions that agree, beta's going to the copy").isGreaterThanOrEqualTo(
                (int) Math.ceil(0.97 * decisions));
    }

    @Test
    void withoutTheStructureAcrossModelsACopyIsNotRecognised() {
        // the ablation that sees only the new model's labels: the copy test above would fail for it
        ModelAddition.Result r = add(knn, copyOf(1, 100, 11), ModelAddition.Options.defaults()
                .withMethod(ModelAddition.Method.LABELS_ONLY));
        assertThat(meanAbsDifference(r.model(), 1, 4)).isGreaterThan(0.03);
    }

    /** A new model's scores on every stored prompt, and its rows on {@code n} of them as add-model's input. */
    record NewModel(float[] all, SyntheticWorld.Input in) {
    }

    /** A new model of {@code skill} (per task), labelled on {@code n} stored prompts sampled with {@code seed}. */
    static NewModel newModel(double[][] skill, int n, long seed) {
        int[] rows = SyntheticWorld.sample(stored.n(), n, seed);
        float[] all = SyntheticWorld.scores(skill, stored, seed + 1);
        double[] y = new double[n];
        double[] cost = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = all[rows[i]];
            cost[i] = 1e-6 * stored.length()[rows[i]];
        }
        return new NewModel(all, SyntheticWorld.input("new", stored, rows, y, cost));
    }

    @Test
    void aModelUnlikeTheOthersIsToldApart() {
        // strong on the task where most existing models are weak, weak elsewhere
        NewModel nm = newModel(new double[][]{{0.2, 0.2, 0.95}}, 100, 21);
        float[] all = nm.all();
        SyntheticWorld.Input in = nm.in();
        RouterModel m = add(knn, in, ModelAddition.Options.defaults()).model();
        // what the router would predict had it every label of the new model (a full retrain stores them all)
        int k = SyntheticWorld.MODELS.size();
        float[] fullQ = new float[stored.n() * (k + 1)];
        for (int i = 0; i < stored.n(); i++) {
            System.arraycopy(q, i * k, fullQ, i * (k + 1), k);
            fullQ[i * (k + 1) + k] = all[i];
        }
        RouterModel full = m.toBuilder().quality(new KnnPredictor(20, k + 1, fullQ)).calibration(null)
                .calibrationData(null).build();
        double[] a = taskMeans(m, k);
        double[] f = taskMeans(full, k);
        for (int t = 0; t < 3; t++) {
            assertThat(a[t]).as("mean predicted quality on task " + t + ", added vs all labels")
                    .isCloseTo(f[t], org.assertj.core.data.Offset.offset(0.15));
        }
        assertThat(a[2]).isGreaterThan(a[0] + 0.3);
    }

    @Test
    void anAddedModelSurvivesTheArtifactRoundTripAndIsRouted(@TempDir Path tmp) throws IOException {
        // the model of aModelUnlikeTheOthersIsToldApart: the best on task 2 by far, so mu = 0 must pick it there
        SyntheticWorld.Input in = newModel(new double[][]{{0.2, 0.2, 0.99}}, 120, 23).in();
        RouterModel added = add(knn, in, ModelAddition.Options.defaults()).model();
        Path dir = tmp.resolve("router");
        RouterArtifact.write(added, dir);
        RouterModel loaded = RouterArtifact.read(dir);
        assertThat(loaded.models()).containsExactly("alpha", "beta", "gamma", "delta", "new");
        assertThat(loaded.provenance().get("added_models").orElseThrow().get(0).get("model").asText())
                .isEqualTo("new");
        assertThat(loaded.calibration()).isPresent();
        Router before = Router.of(added, null);
        Router after = Router.of(loaded, null);
        int toNew = 0;
        int task2 = 0;
        for (int i = 0; i < test.n(); i++) {
            var p = before.predict(test.row(i), -1);
            var q = after.predict(test.row(i), -1);
            assertThat(q.quality()).as("quality of test prompt %d after the round trip", i)
                    .containsExactly(p.quality(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(q.costUsd()).as("cost of test prompt %d after the round trip", i)
                    .containsExactly(p.costUsd(), org.assertj.core.data.Offset.offset(1e-12));
            Decision a = before.route(test.row(i), 0);
            Decision b = after.route(test.row(i), 0);
            assertThat(b.model()).isEqualTo(a.model());
            if (test.task()[i] == 2) {
                task2++;
                toNew += b.model().equals("new") ? 1 : 0;
            }
        }
        assertThat(toNew).as("task-2 test prompts routed to the new model at mu = 0, of %d", task2)
                .isGreaterThan(task2 / 2);
        // and a budget still routes with the recomputed calibration of the loaded router
        assertThat(after.budgetChoice(1e-3).validationQuality()).isEqualTo(before.budgetChoice(1e-3)
                .validationQuality());
    }

    /** The model's mean predicted quality for output {@code j} on each task's test prompts. */
    static double[] taskMeans(RouterModel model, int j) {
        Router r = Router.of(model, null);
        double[] sum = new double[3];
        int[] count = new int[3];
        for (int i = 0; i < test.n(); i++) {
            sum[test.task()[i]] += r.predict(test.row(i), -1).quality()[j];
            count[test.task()[i]]++;
        }
        for (int t = 0; t < 3; t++) {
            sum[t] /= count[t];
        }
        return sum;
    }

    @Test
    void theBudgetCalibrationIsRecomputedOnTheLabelledPrompts() {
        ModelAddition.Result r = add(knn, copyOf(2, 60, 31), ModelAddition.Options.defaults());
        assertThat(r.model().calibration()).isPresent();
        assertThat(r.model().calibrationData().orElseThrow().rows()).isEqualTo(60);
        assertThat(r.model().calibrationData().orElseThrow().models()).isEqualTo(5);
        assertThat(r.warnings()).anyMatch(w -> w.contains("recomputed on 60 labelled prompts"));
        // routing with a budget works, and a larger budget buys at least as much quality on validation
        Router router = Router.of(r.model(), null);
        double lo = router.budgetChoice(1e-4).validationQuality();
        double hi = router.budgetChoice(2e-3).validationQuality();
        assertThat(hi).isGreaterThanOrEqualTo(lo);
    }

    @Test
    void tooFewLabelledPromptsDropTheCalibrationWithAWarning() {
        ModelAddition.Result r = add(knn, copyOf(2, 20, 32), ModelAddition.Options.defaults());
        assertThat(r.model().calibration()).isEmpty();
        assertThat(r.warnings()).anyMatch(w -> w.contains("budget calibration is dropped") && w.contains("only 20"));
        assertThatThrownBy(() -> Router.of(r.model(), null).budgetChoice(1e-3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no budget calibration");
    }

    @Test
    void provenanceRecordsEachAddition() {
        RouterModel once = add(knn, copyOf(0, 40, 41), ModelAddition.Options.defaults()).model();
        SyntheticWorld.Input second = copyOf(3, 40, 42);
        RoutingDataset renamed = rename(second.data(), "copy2");
        RouterModel twice = new ModelAddition(ModelAddition.Options.defaults()).add(once, renamed, second.emb(),
                Optional.empty(), Map.of("command", "test"), CREATED).model();
        JsonNode added = twice.provenance().get("added_models").orElseThrow();
        assertThat(added).hasSize(2);
        assertThat(added.get(0).get("model").asText()).isEqualTo("copy");
        assertThat(added.get(1).get("model").asText()).isEqualTo("copy2");
        assertThat(added.get(1).get("labelled_prompts").asInt()).isEqualTo(40);
        assertThat(added.get(1).get("fits").has("quality")).isTrue();
        assertThat(added.get(1).get("fits").has("cost.cost_usd")).isTrue();
        assertThat(twice.provenance().variant()).contains("knn");
        assertThat(twice.models()).endsWith("copy", "copy2");
    }

    @Test
    void aLogisticRouterLearnsACopyFromAPriorOnTheOtherModelsWeights() {
        int m = SyntheticWorld.MODELS.size();
        int d = SyntheticWorld.DIM;
        SplittableRandom rnd = new SplittableRandom(51);
        float[] w = new float[m * d];
        float[] b = new float[m];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (3 * rnd.nextGaussian());
        }
        RouterModel logistic = SyntheticWorld.logisticRouter(w, b);
        // the new model's answers follow model 2's true probabilities, on prompts the router never saw
        SyntheticWorld.Prompts p = world.prompts(80, 52);
        double[] y = new double[p.n()];
        for (int i = 0; i < p.n(); i++) {
            double z = b[2];
            for (int j = 0; j < d; j++) {
                z += w[2 * d + j] * p.x()[i * d + j];
            }
            y[i] = rnd.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        int[] rows = java.util.stream.IntStream.range(0, p.n()).toArray();
        SyntheticWorld.Input in = SyntheticWorld.input("like-gamma", p, rows, y, null);
        double full = meanAbsDifference(add(logistic, in, ModelAddition.Options.defaults()).model(), 2, 4);
        double own = meanAbsDifference(add(logistic, in, ModelAddition.Options.defaults()
                .withMethod(ModelAddition.Method.LABELS_ONLY)).model(), 2, 4);
        assertThat(full).as("prior centred on the other models (labels alone: %.4f)", own).isLessThan(0.08);
        assertThat(own).as("labels alone (with the prior: %.4f)", full).isGreaterThan(2 * full);
    }

    // ------------------------------------------------------------------------------------------ careless input

    @Test
    void aModelAlreadyInTheRouterIsRefused() {
        SyntheticWorld.Input in = copyOf(1, 50, 61);
        RoutingDataset named = rename(in.data(), "beta");
        assertThatThrownBy(() -> new ModelAddition(ModelAddition.Options.defaults()).add(knn, named, in.emb(),
                Optional.empty(), Map.of(), CREATED)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'beta' is already in the router");
    }

    @Test
    void labelsOnPromptsTheRouterDoesNotStoreAreRefusedForKnn() {
        SyntheticWorld.Prompts fresh = world.prompts(50, 71);
        double[] y = new double[50];
        double[] cost = new double[50];
        java.util.Arrays.fill(cost, 1e-4);
        SyntheticWorld.Input in = SyntheticWorld.input("new", fresh, java.util.stream.IntStream.range(0, 50).toArray(),
                y, cost);
        assertThatThrownBy(() -> add(knn, in, ModelAddition.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only 0 of the 50 prompts")
                .hasMessageContaining("score the new model on prompts of the router's training data");
    }

    @Test
    void aDirectCostRouterNeedsTheNewModelsCosts() {
        SyntheticWorld.Input in = copyOf(1, 50, 81);
        SyntheticWorld.Input noCost = SyntheticWorld.input("copy", stored, SyntheticWorld.sample(stored.n(), 50, 81),
                new double[50], null);
        assertThatThrownBy(() -> add(knn, noCost, ModelAddition.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no cost_usd column");
        assertThat(in.data().hasCost()).isTrue();
    }

    @Test
    void aTokenPricedRouterNeedsThePrice() {
        RouterModel tokens = knn.toBuilder().cost(new CostModel.Tokens(new dev.carrot.route.model.InputTokenModel(
                        new double[4], new double[]{1, 1, 1, 1}, new double[]{100, 100, 100, 100}),
                        new KnnPredictor(20, 4, c)))
                .prices(PriceTable.of(Map.of("alpha", new PriceTable.Price(1, 2), "beta", new PriceTable.Price(1, 2),
                        "gamma", new PriceTable.Price(1, 2), "delta", new PriceTable.Price(1, 2))))
                .calibration(null).calibrationData(null).build();
        SyntheticWorld.Input in = copyOf(1, 50, 91);
        assertThatThrownBy(() -> add(tokens, in, ModelAddition.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output_tokens");
    }

    @Test
    void predictorKindsItCannotExtendAreRefusedBeforeAnyWork() {
        Predictor other = new Predictor() {
            @Override
            public String kind() {
                return "mystery";
            }

            @Override
            public int outputs() {
                return 4;
            }

            @Override
            public String describe() {
                return "mystery(v1)";
            }

            @Override
            public void predict(PromptView prompt, double[] out) {
                java.util.Arrays.fill(out, 0.5);
            }

            @Override
            public void write(PredictorWriter out) {
            }
        };
        RouterModel odd = RouterModel.builder().models(SyntheticWorld.MODELS).encoder(SyntheticWorld.ENCODER)
                .quality(other).build();
        assertThatThrownBy(() -> ModelAddition.checkExtensible(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kind 'mystery'").hasMessageContaining("carrot train");
        SyntheticWorld.Input in = copyOf(1, 50, 101);
        assertThatThrownBy(() -> add(odd, in, ModelAddition.Options.defaults()))
                .hasMessageContaining("kind 'mystery'");
    }

    @Test
    void dataWithSeveralModelsIsRefused() {
        RoutingDataset.Builder b = RoutingDataset.builder(List.of("x", "y"));
        b.add("p1", "prompt 1", "train", null, new double[]{1, 0}, null, null, new double[]{1e-4, 1e-4});
        RoutingDataset two = b.build("two models");
        Embedded emb = new Embedded(SyntheticWorld.ENCODER, stored.row(0), null);
        assertThatThrownBy(() -> new ModelAddition(ModelAddition.Options.defaults()).add(knn, two, emb,
                Optional.empty(), Map.of(), CREATED)).hasMessageContaining("rows for 2 models");
    }

    static RoutingDataset rename(RoutingDataset d, String name) {
        RoutingDataset.Builder b = RoutingDataset.builder(List.of(name));
        for (int i = 0; i < d.size(); i++) {
            b.add(d.promptId(i), d.prompt(i), d.split(i), null, new double[]{d.quality(i, 0)}, null, null,
                    d.hasCost() ? new double[]{d.cost(i, 0)} : null);
        }
        return b.build(d.provenance().source());
    }
}

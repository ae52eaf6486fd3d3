package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Paired comparisons between routers on the same test prompts, on synthetic outcomes where the answer is known: a
 * copy of the KNN router differs from it by exactly 0 in every resample, a router that guesses is told apart from it,
 * and a router that differs from it on a few prompts gets a much narrower paired than unpaired interval. And the
 * deployable single model is the one best on validation, not the one best on test.
 */
class PairedComparisonTest {
    @TempDir
    static Path tmp;

    static final List<String> MODELS = List.of("strong", "medium", "weak");
    static final int N = 600;
    static final int M = 3;
    static double[] tq = new double[N * M];
    static double[] tc = new double[N * M];
    static ObjectNode summary;
    static JsonNode eval;
    static EvalJob.Input in;

    @BeforeAll
    static void evaluate() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        double[] knn = new double[N * M];
        double[] guess = new double[N * M];
        double[] close = new double[N * M];
        double[] costs = {0.01, 0.002, 0.0005};
        for (int i = 0; i < N; i++) {
            double difficulty = r.nextDouble();
            for (int j = 0; j < M; j++) {
                double skill = 1.0 - 0.3 * j; // strong 1.0, medium 0.7, weak 0.4
                double pRight = Math.max(0, Math.min(1, skill - 0.6 * difficulty + 0.2));
                tq[i * M + j] = r.nextDouble() < pRight ? 1 : 0;
                tc[i * M + j] = costs[j] * (0.5 + r.nextDouble());
                // an informed router: sees the outcome through noise
                knn[i * M + j] = Math.max(0, Math.min(1, 0.5 * tq[i * M + j] + 0.5 * pRight
                        + 0.1 * r.nextGaussian()));
                guess[i * M + j] = r.nextDouble();
            }
            boolean differs = i % 20 == 0; // 5% of prompts
            for (int j = 0; j < M; j++) {
                close[i * M + j] = differs ? r.nextDouble() : knn[i * M + j];
            }
        }
        double[] predC = new double[N * M];
        for (int i = 0; i < N; i++) {
            System.arraycopy(costs, 0, predC, i * M, M);
        }
        // validation says "medium" is best, though "strong" is best on test: the deployable model is "medium"
        double[] validationQ = {0.70, 0.75, 0.40};
        in = new EvalJob.Input("toy", 2000, MODELS, tq, tc, true, null, new double[]{0.8, 0.6, 0.3},
                costs.clone(), 0.01, List.of(
                new EvalJob.Routed("knn", knn, predC, Optional.empty()),
                new EvalJob.Routed("same", knn.clone(), predC.clone(), Optional.empty()),
                new EvalJob.Routed("guess", guess, predC.clone(), Optional.empty()),
                new EvalJob.Routed("close", close, predC.clone(), Optional.empty())), validationQ);
        summary = new EvalJob(new EvalJob.Options(500, 5)).runWithSummary(in, tmp,
                List.of("knn", "same", "guess", "close"), new ObjectMapper().createObjectNode(), Optional.empty(),
                System.nanoTime());
        eval = new ObjectMapper().readTree(tmp.resolve("eval/eval.json").toFile());
    }

    static JsonNode router(String name) {
        for (JsonNode r : summary.get("routers")) {
            if (r.get("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no router " + name);
    }

    @Test
    void aCopyOfTheKnnRouterDiffersByExactlyZeroInEveryResample() {
        JsonNode vs = router("same").get("vs_knn");
        assertThat(vs.get("area_diff").asDouble()).isEqualTo(0.0);
        assertThat(vs.get("ci_low").asDouble()).isEqualTo(0.0);
        assertThat(vs.get("ci_high").asDouble()).isEqualTo(0.0);
        for (String metric : List.of("area", "quality_at_lambda0", "cost_to_match_best", "cost_to_match_deployable")) {
            JsonNode d = vs.get("metrics").get(metric);
            assertThat(d.get("ci_low").asDouble()).as(metric).isEqualTo(0.0);
            assertThat(d.get("ci_high").asDouble()).as(metric).isEqualTo(0.0);
        }
        // the same two routers resampled independently: an interval around 0 of clearly positive width
        assertThat(vs.get("unpaired_ci_low").asDouble()).isLessThan(-0.005);
        assertThat(vs.get("unpaired_ci_high").asDouble()).isGreaterThan(0.005);
        assertThat(vs.get("excludes_zero").asBoolean()).isFalse();
        assertThat(vs.get("resamples").asInt()).isEqualTo(500);
    }

    @Test
    void aRouterThatGuessesIsToldApartFromTheKnnRouter() {
        JsonNode vs = router("guess").get("vs_knn");
        assertThat(vs.get("area_diff").asDouble()).isLessThan(-0.02);
        assertThat(vs.get("ci_high").asDouble()).isLessThan(0);
        assertThat(vs.get("ci_low").asDouble()).isLessThanOrEqualTo(vs.get("area_diff").asDouble());
        assertThat(vs.get("excludes_zero").asBoolean()).isTrue();
        assertThat(vs.get("metrics").get("quality_at_lambda0").get("ci_high").asDouble()).isLessThan(0);
        // the KNN router is the reference: it has no comparison of its own
        assertThat(router("knn").has("vs_knn")).isFalse();
    }

    @Test
    void pairingNarrowsTheIntervalOfRoutersThatAgreeOnMostPrompts() {
        JsonNode vs = router("close").get("vs_knn");
        double paired = vs.get("ci_high").asDouble() - vs.get("ci_low").asDouble();
        double unpaired = vs.get("unpaired_ci_high").asDouble() - vs.get("unpaired_ci_low").asDouble();
        assertThat(paired).isGreaterThan(0);
        assertThat(paired).isLessThan(0.5 * unpaired);
        assertThat(vs.get("ci_low").asDouble()).isLessThanOrEqualTo(vs.get("area_diff").asDouble());
        assertThat(vs.get("ci_high").asDouble()).isGreaterThanOrEqualTo(vs.get("area_diff").asDouble());
    }

    @Test
    void theDeployableModelIsTheBestOnValidationWithItsTestQualityAndCost() {
        JsonNode d = summary.get("deployable_single");
        assertThat(d.get("model").asText()).isEqualTo("medium");
        assertThat(d.get("chosen_on").asText()).isEqualTo("validation");
        assertThat(summary.get("best_single").get("model").asText()).isEqualTo("strong");
        double q = 0;
        double c = 0;
        for (int i = 0; i < N; i++) {
            q += tq[i * M + 1] / N;
            c += tc[i * M + 1] / N;
        }
        assertThat(d.get("quality").asDouble()).isCloseTo(q, within(1e-12));
        assertThat(d.get("cost").asDouble()).isCloseTo(c, within(1e-12));
        assertThat(eval.get("deployable_single").get("model").asText()).isEqualTo("medium");
        // the informed router reaches the medium model's quality well below its cost, from its own curve
        double[] knnCost = new double[1001];
        double[] knnQuality = new double[1001];
        int k = 0;
        for (String line : csvLines("curves.csv")) {
            String[] f = line.split(",");
            if (f[0].equals("knn")) {
                knnCost[k] = Double.parseDouble(f[2]);
                knnQuality[k++] = Double.parseDouble(f[3]);
            }
        }
        assertThat(k).isEqualTo(1001);
        double expected = Metrics.costToMatch(knnCost, knnQuality, q, c);
        assertThat(router("knn").get("cost_to_match_deployable").asDouble()).isCloseTo(expected, within(1e-9))
                .isLessThan(1.0);
        assertThat(router("knn").get("cost_to_match_best").asDouble()).isNotEqualTo(expected);
    }

    @Test
    void evalOutputsCarryThePairedDifferencesAndTheDeployableMatch() throws Exception {
        List<String> paired = Files.readAllLines(tmp.resolve("eval/paired.csv"));
        assertThat(paired.get(0)).isEqualTo("router,baseline,metric,difference,ci_low,ci_high,unpaired_ci_low,"
                + "unpaired_ci_high,defined_fraction,resamples");
        assertThat(paired).contains("same,knn,area,0,0,0," + field(paired, "same", "area", 6) + ","
                + field(paired, "same", "area", 7) + ",1,500");
        // baselines are compared too (in eval/ only)
        assertThat(paired).anyMatch(l -> l.startsWith("shuffled(knn),knn,area,"));
        assertThat(Files.readAllLines(tmp.resolve("eval/metrics.csv"))).anyMatch(l -> l.startsWith(
                "knn,cost_to_match_deployable,"));
        String text = EvalJob.describe(eval);
        assertThat(text).contains("deployable single model (best on validation prompts): medium")
                .contains("vs knn").contains("guess");
        String fromSummary = EvalJob.describeSummary(summary);
        assertThat(fromSummary).contains("best single model on test (in hindsight): strong")
                .contains("deployable single model (best on validation): medium")
                .containsPattern("same +[0-9.]+ +\\+0\\.0000 \\[\\+0\\.0000, \\+0\\.0000\\]")
                .containsPattern("guess +[0-9.]+ +-0\\.[0-9]{4} \\[-0\\.[0-9]{4}, -0\\.[0-9]{4}\\]\\*");
    }

    @Test
    void anotherReferenceIsNamedAsTheBaselineAndItsCopyDiffersByExactlyZero() throws Exception {
        Path dir = tmp.resolve("vs-guess");
        JsonNode e = new EvalJob(new EvalJob.Options(500, 5)).run(in, dir, "guess");
        assertThat(e.get("paired")).isNotEmpty().allSatisfy(p -> assertThat(p.get("baseline").asText())
                .isEqualTo("guess"));
        assertThat(e.get("paired")).noneMatch(p -> p.get("router").asText().equals("guess"));
        // knn vs guess is the negation of guess vs knn, resample by resample
        JsonNode knnVsGuess = e.get("paired").get(0);
        assertThat(knnVsGuess.get("router").asText()).isEqualTo("knn");
        JsonNode guessVsKnn = router("guess").get("vs_knn");
        assertThat(knnVsGuess.get("area").get("difference").asDouble())
                .isCloseTo(-guessVsKnn.get("area_diff").asDouble(), within(1e-12));
        assertThat(knnVsGuess.get("area").get("ci_low").asDouble())
                .isCloseTo(-guessVsKnn.get("ci_high").asDouble(), within(1e-12));
        List<String> paired = Files.readAllLines(dir.resolve("paired.csv"));
        assertThat(paired).anyMatch(l -> l.startsWith("same,guess,area,"))
                .noneMatch(l -> l.startsWith("guess,guess,"));
        assertThat(EvalJob.describe(e)).contains("  vs ref [95% CI, paired]")
                .contains("vs ref (guess): paired bootstrap");
        // a name that is no router's: no paired comparisons, as without a KNN router
        JsonNode none = new EvalJob(new EvalJob.Options(20, 5)).run(in, tmp.resolve("vs-none"), "oracle");
        assertThat(none.has("paired")).isFalse();
    }

    private static String field(List<String> csv, String router, String metric, int column) {
        return csv.stream().filter(l -> l.startsWith(router + ",knn," + metric + ",")).findFirst().orElseThrow()
                .split(",")[column];
    }

    private static List<String> csvLines(String file) {
        try {
            return Files.readAllLines(tmp.resolve(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void identicalReplicatesGiveAZeroIntervalAndMismatchedOnesAreRefused() {
        double[] a = {0.1, 0.3, 0.2, 0.5};
        Bootstrap.Difference d = Bootstrap.Difference.of(0.25, a, 0.25, a.clone());
        assertThat(d.lo()).isZero();
        assertThat(d.hi()).isZero();
        assertThat(d.unpairedHi()).isGreaterThan(0);
        assertThat(d.excludesZero()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bootstrap.Difference.of(0, a, 0, new double[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 and 3");
    }
}

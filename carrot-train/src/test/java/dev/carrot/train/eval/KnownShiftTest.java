package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Paired differences whose true value is known. Each base model has twins of the same cost on every prompt: one
 * scores exactly 0.1 more on every prompt, the other 0.2 more on every other prompt (0.1 more on average). A router
 * that makes the KNN router's choices but takes the first twin has every point of its curve exactly 0.1 above: its
 * area differs by 0.1 in every resample, so the paired interval is [0.1, 0.1] while independent resamples would blur
 * it. The router that takes the second twin differs by 0.1 on the full test set and by a resample's share of the even
 * prompts in each replicate: a proper interval around 0.1 that excludes 0.
 */
class KnownShiftTest {
    @TempDir
    static Path tmp;

    // per base model: itself, its constant twin (+0.1), its alternating twin (+0.2 on even prompts)
    static final List<String> MODELS = List.of("cheap", "cheap+const", "cheap+alt", "dear", "dear+const", "dear+alt");
    static final int N = 500;
    static final int M = MODELS.size();
    static final double SHIFT = 0.1;
    static JsonNode summary;

    @BeforeAll
    static void evaluate() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        double[] tq = new double[N * M];
        double[] tc = new double[N * M];
        double[] knnQ = new double[N * M];
        double[] knnC = new double[N * M];
        double[][] twinQ = {new double[N * M], new double[N * M]};
        double[][] twinC = {new double[N * M], new double[N * M]};
        for (int i = 0; i < N; i++) {
            double hard = r.nextDouble();
            for (int b = 0; b < 2; b++) {
                int base = i * M + 3 * b;
                double q = Math.max(0, Math.min(0.8, (b == 0 ? 0.5 : 0.75) - 0.4 * hard + 0.2 * r.nextGaussian()));
                double c = (b == 0 ? 0.001 : 0.01) * (0.5 + r.nextDouble());
                tq[base] = q;
                tq[base + 1] = q + SHIFT;
                tq[base + 2] = q + (i % 2 == 0 ? 2 * SHIFT : 0);
                for (int t = 0; t < 3; t++) {
                    tc[base + t] = c;
                }
                // the KNN router sees the base models only, through noise; the twins are never its choice
                double pq = q + 0.15 * r.nextGaussian();
                double pc = c * Math.exp(0.3 * r.nextGaussian());
                for (int t = 0; t < 3; t++) {
                    knnQ[base + t] = t == 0 ? pq : -1;
                    knnC[base + t] = t == 0 ? pc : 1e3;
                    // the shifted routers: the same predictions, moved to one twin
                    for (int s = 0; s < 2; s++) {
                        twinQ[s][base + t] = t == s + 1 ? pq : -1;
                        twinC[s][base + t] = t == s + 1 ? pc : 1e3;
                    }
                }
            }
        }
        double[] mean = new double[M];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                mean[j] += tc[i * M + j] / N;
            }
        }
        EvalJob.Input in = new EvalJob.Input("shifted", 1000, MODELS, tq, tc, true, null,
                new double[]{0.4, 0.5, 0.5, 0.6, 0.7, 0.7}, mean, 0.01, List.of(
                new EvalJob.Routed("knn", knnQ, knnC, Optional.empty()),
                new EvalJob.Routed("const", twinQ[0], twinC[0], Optional.empty()),
                new EvalJob.Routed("alt", twinQ[1], twinC[1], Optional.empty())),
                new double[]{0.4, 0.5, 0.5, 0.6, 0.7, 0.7});
        summary = new EvalJob(new EvalJob.Options(1000, 3)).runWithSummary(in, tmp, List.of("knn", "const", "alt"),
                new ObjectMapper().createObjectNode(), Optional.empty(), System.nanoTime());
    }

    static JsonNode vsKnn(String router) {
        for (JsonNode r : summary.get("routers")) {
            if (r.get("name").asText().equals(router)) {
                return r.get("vs_knn");
            }
        }
        throw new AssertionError("no router " + router);
    }

    @Test
    void theSummaryGivesEachRouterButKnnItsAreaDifferenceWithAPaired95PercentInterval() {
        for (JsonNode r : summary.get("routers")) {
            String name = r.get("name").asText();
            if (name.equals("knn")) {
                assertThat(r.has("vs_knn")).isFalse();
                continue;
            }
            JsonNode vs = r.get("vs_knn");
            for (String f : List.of("area_diff", "ci_low", "ci_high")) {
                assertThat(vs.get(f).isNumber()).as(name + " " + f).isTrue();
            }
            assertThat(vs.get("area_diff").asDouble()).isCloseTo(r.get("area").asDouble() - summary.get("routers")
                    .get(0).get("area").asDouble(), within(1e-12));
            assertThat(vs.get("resamples").asInt()).isEqualTo(1000);
        }
    }

    @Test
    void aRouterShiftedByAConstantOnEveryPromptDiffersByExactlyThatInEveryResample() {
        JsonNode vs = vsKnn("const");
        assertThat(vs.get("area_diff").asDouble()).isCloseTo(SHIFT, within(1e-9));
        assertThat(vs.get("ci_low").asDouble()).isCloseTo(SHIFT, within(1e-9));
        assertThat(vs.get("ci_high").asDouble()).isCloseTo(SHIFT, within(1e-9));
        JsonNode q0 = vs.get("metrics").get("quality_at_lambda0");
        assertThat(q0.get("difference").asDouble()).isCloseTo(SHIFT, within(1e-9));
        assertThat(q0.get("ci_low").asDouble()).isCloseTo(SHIFT, within(1e-9));
        assertThat(q0.get("ci_high").asDouble()).isCloseTo(SHIFT, within(1e-9));
        // resampling the two routers independently: the same difference, blurred by the prompts' spread
        assertThat(vs.get("unpaired_ci_high").asDouble() - vs.get("unpaired_ci_low").asDouble()).isGreaterThan(0.02);
        assertThat(vs.get("excludes_zero").asBoolean()).isTrue();
    }

    @Test
    void aRouterShiftedOnHalfThePromptsGetsAnIntervalAroundTheShiftThatExcludesZero() {
        JsonNode vs = vsKnn("alt");
        double lo = vs.get("ci_low").asDouble();
        double hi = vs.get("ci_high").asDouble();
        assertThat(vs.get("area_diff").asDouble()).isCloseTo(SHIFT, within(1e-9));
        assertThat(lo).isLessThan(SHIFT).isGreaterThan(0);
        assertThat(hi).isGreaterThan(SHIFT);
        // a resample's share of even prompts has standard deviation 0.5 / sqrt(500): the difference's is 0.2 times
        // that, 0.0045, and a 95% interval is about 4 of them wide
        assertThat(hi - lo).isBetween(0.012, 0.024);
        assertThat(hi - lo).isLessThan(vs.get("unpaired_ci_high").asDouble() - vs.get("unpaired_ci_low").asDouble());
        assertThat(vs.get("excludes_zero").asBoolean()).isTrue();
    }
}

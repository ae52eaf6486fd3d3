package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The evaluation on synthetic outcomes where the right answers are known: a router that knows which prompts the cheap
 * model gets right, against the baselines.
 */
class EvalJobTest {
    @TempDir
    Path tmp;

    @Test
    void baselinesAndIntervalsBehaveAsTheyMust() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        int n = 400;
        int m = 2; // 0: strong and dear, 1: weak and cheap
        double[] tq = new double[n * m];
        double[] tc = new double[n * m];
        double[] pq = new double[n * m];
        String[] tasks = new String[n];
        for (int i = 0; i < n; i++) {
            boolean easy = r.nextDouble() < 0.6;
            tq[i * m] = r.nextDouble() < 0.9 ? 1 : 0;
            tq[i * m + 1] = easy ? 1 : 0;
            tc[i * m] = 0.01;
            tc[i * m + 1] = 0.001;
            pq[i * m] = 0.9;
            pq[i * m + 1] = easy ? 0.95 : 0.05; // knows the easy prompts
            tasks[i] = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c";
        }
        EvalJob.Input in = new EvalJob.Input("toy", 1000, List.of("strong", "weak"), tq, tc, true, tasks,
                new double[]{0.9, 0.6}, new double[]{0.01, 0.001}, 0.01,
                List.of(new EvalJob.Routed("smart", pq, tc.clone(), Optional.empty())));
        ObjectNode s = new EvalJob(new EvalJob.Options(300, 1)).run(in, tmp);

        JsonNode metrics = s.get("metrics");
        JsonNode smart = find(metrics, "smart");
        JsonNode shuffled = find(metrics, "shuffled(smart)");
        JsonNode mix = find(metrics, "random-mix(weak..strong)");
        // the router that knows the prompts beats its own choices shuffled across prompts, and random mixing
        assertThat(smart.get("area").get("value").asDouble()).isGreaterThan(shuffled.get("area").get("value")
                .asDouble() + 0.05);
        assertThat(smart.get("area").get("value").asDouble()).isGreaterThan(mix.get("area").get("value").asDouble());
        for (JsonNode row : metrics) {
            JsonNode a = row.get("area");
            assertThat(a.get("ci_low").asDouble()).isLessThanOrEqualTo(a.get("value").asDouble() + 1e-12);
            assertThat(a.get("ci_high").asDouble()).isGreaterThanOrEqualTo(a.get("value").asDouble() - 1e-12);
        }
        // random mixing runs from the cheap model to the strong one, on the straight line between them
        List<String> csv = Files.readAllLines(tmp.resolve("curves.csv"));
        double weakQ = 0;
        double strongQ = 0;
        for (int i = 0; i < n; i++) {
            weakQ += tq[i * m + 1] / n;
            strongQ += tq[i * m] / n;
        }
        String first = csv.stream().filter(l -> l.startsWith("random-mix(weak..strong),0,")).findFirst()
                .orElseThrow();
        String last = csv.stream().filter(l -> l.startsWith("random-mix(weak..strong),1,")).findFirst()
                .orElseThrow();
        assertThat(Double.parseDouble(first.split(",")[3])).isCloseTo(weakQ, within(1e-9));
        assertThat(Double.parseDouble(last.split(",")[3])).isCloseTo(strongQ, within(1e-9));
        assertThat(csv).anyMatch(l -> l.startsWith("two-model(weak|strong),"));
        assertThat(csv).anyMatch(l -> l.startsWith("routerbench-style(smart)"));
        // per task: three tasks, each with its metrics and the spider figure
        assertThat(s.get("per_task").size()).isEqualTo(3);
        assertThat(s.get("per_task").get("a").get("smart").get("quality_over_best_at_30%_of_best_cost").asDouble())
                .isGreaterThan(0.3);
        for (String f : List.of("metrics.csv", "curves.png", "curves.svg", "per_task.csv", "per_task.png",
                "per_task.svg", "eval.json")) {
            assertThat(tmp.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.readString(tmp.resolve("curves.svg"))).contains("<svg");
    }

    private static JsonNode find(JsonNode metrics, String name) {
        for (JsonNode r : metrics) {
            if (r.get("router").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no metrics for " + name);
    }
}

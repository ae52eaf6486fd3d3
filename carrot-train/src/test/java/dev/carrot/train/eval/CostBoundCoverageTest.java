package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The evaluation counts how often the realised cost is within a router's bounds: overall, per model, per task. */
class CostBoundCoverageTest {
    @TempDir
    Path tmp;

    @Test
    void coverageIsTheShareOfPairsWithinTheBound() throws Exception {
        int n = 100;
        int m = 2;
        double[] tq = new double[n * m];
        double[] tc = new double[n * m];
        double[] pq = new double[n * m];
        String[] tasks = new String[n];
        double[] loose = new double[n * m];
        double[] tight = new double[n * m];
        for (int i = 0; i < n; i++) {
            tasks[i] = i < 40 ? "a" : "b";
            for (int j = 0; j < m; j++) {
                tq[i * m + j] = (i + j) % 2;
                tc[i * m + j] = 0.001 * (j + 1) * (1 + i % 5);
                pq[i * m + j] = 0.5;
                loose[i * m + j] = Double.POSITIVE_INFINITY;
                // model 0: within the bound on task a only (40 of 100); model 1: on every prompt (equal counts)
                tight[i * m + j] = j == 0 ? (i < 40 ? tc[i * m] : 0.5 * tc[i * m]) : tc[i * m + 1];
            }
        }
        EvalJob.Bounds bounds = new EvalJob.Bounds(new double[]{0.5, 0.9}, new double[][]{tight, loose});
        EvalJob.Input in = new EvalJob.Input("toy", 500, List.of("x", "y"), tq, tc, true, tasks,
                new double[]{0.5, 0.5}, new double[]{0.001, 0.002}, 0.002,
                List.of(new EvalJob.Routed("r", pq, tc.clone(), Optional.empty(), Optional.empty(),
                        Optional.of(bounds))));
        ObjectNode s = new EvalJob(new EvalJob.Options(0, 1)).run(in, tmp);
        JsonNode at50 = s.get("cost_bounds").get(0);
        assertThat(at50.get("confidence").asDouble()).isEqualTo(0.5);
        assertThat(at50.get("coverage").asDouble()).isCloseTo((40 + 100) / 200.0, within(1e-12));
        assertThat(at50.get("lowest_model").asText()).isEqualTo("x");
        assertThat(at50.get("lowest_model_coverage").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(at50.get("highest_model_coverage").asDouble()).isEqualTo(1.0);
        assertThat(at50.get("coverage_by_task").get("a").asDouble()).isEqualTo(1.0);
        assertThat(at50.get("coverage_by_task").get("b").asDouble()).isCloseTo(0.5, within(1e-12));
        JsonNode at90 = s.get("cost_bounds").get(1);
        assertThat(at90.get("coverage").asDouble()).isEqualTo(1.0);
        assertThat(at90.get("infinite_bounds").asLong()).isEqualTo(200);
        List<String> csv = Files.readAllLines(tmp.resolve("cost_bounds.csv"));
        assertThat(csv.get(0)).isEqualTo("router,task,model,confidence,pairs,coverage,infinite_bounds,"
                + "mean_finite_bound_usd,mean_cost_usd,mean_predicted_cost_usd");
        assertThat(csv).contains("r,(all),x,0.5,100,0.4,0,0.0021,0.003,0.003", "r,(all),(all models),0.9,200,1,200,,,",
                "r,b,(all models),0.5,120,0.5,0,,,");
        assertThat(EvalJob.describe(s)).contains("r: realised cost within the 90% upper cost bound for 100.0% of 200");
    }
}

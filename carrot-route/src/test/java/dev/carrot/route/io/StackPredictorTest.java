package dev.carrot.route.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.Router;
import dev.carrot.route.TestRouters;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PromptView;
import dev.carrot.route.model.RouterModel;
import dev.carrot.route.model.StackPredictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The stack kind: each model's own weights over its parts, saved and read back with equal predictions. */
class StackPredictorTest {
    @TempDir
    Path tmp;

    private static Predictor logistic() {
        float[] w = new float[3 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.cos(i + 1);
        }
        return new LinearPredictor(3, 4, w, new float[]{0.2f, -0.1f, 0.0f}, LinearPredictor.Link.SIGMOID);
    }

    @Test
    void eachModelHasItsOwnWeights() {
        Predictor a = logistic();
        Predictor b = new LinearPredictor(3, 4, new float[12], new float[]{1, 2, 3}, LinearPredictor.Link.IDENTITY);
        float[] weights = {1, 0, 0.25f, 0.75f, 0, 1}; // model 0 all a, model 1 a quarter of a, model 2 all b
        StackPredictor s = new StackPredictor(weights, List.of(a, b));
        PromptView view = new PromptView(null, 0).set(new float[]{0, 0, 0.6f, 0.8f}, Double.NaN, null);
        double[] pa = new double[3];
        double[] pb = new double[3];
        double[] ps = new double[3];
        a.predict(view, pa);
        b.predict(view, pb);
        s.predict(view, ps);
        assertThat(ps[0]).isCloseTo(pa[0], within(1e-12));
        assertThat(ps[1]).isCloseTo(0.25 * pa[1] + 0.75 * 2, within(1e-7));
        assertThat(ps[2]).isCloseTo(3, within(1e-12));
        assertThat(s.parts()).containsExactly(a, b);
        assertThat(s.weights()).containsExactly(weights);
    }

    @Test
    void roundTripKeepsEveryPredictionAndWritesTheKind() throws IOException {
        RouterModel base = TestRouters.withCalibration();
        RouterModel m = base.toBuilder().quality(new StackPredictor(new float[]{0.2f, 0.8f, 0.5f, 0.5f, 1f, 0f},
                List.of(base.quality(), logistic()))).build();
        Path dir = tmp.resolve("router");
        RouterArtifact.write(m, dir);
        RouterModel back = RouterArtifact.read(dir);
        assertThat(back.quality()).isInstanceOf(StackPredictor.class);
        assertThat(((StackPredictor) back.quality()).parts().get(0)).isInstanceOf(KnnPredictor.class);
        RouterArtifactTest.assertSamePredictions(Router.of(m, null), Router.of(back, null));
        JsonNode q = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile()).path("quality");
        assertThat(q.path("kind").asText()).isEqualTo("stack");
        assertThat(q.path("parts").asInt()).isEqualTo(2);
        assertThat(q.path("part0").path("kind").asText()).isEqualTo("knn");
        assertThat(q.path("part1").path("kind").asText()).isEqualTo("linear");
    }

    @Test
    void invalidStacksAreRefused() {
        Predictor a = logistic();
        assertThatThrownBy(() -> new StackPredictor(new float[3], List.of(a)))
                .hasMessageContaining("at least two parts, got 1");
        assertThatThrownBy(() -> new StackPredictor(new float[5], List.of(a, a)))
                .hasMessageContaining("weights length 5, expected outputs x parts = 3 x 2");
        assertThatThrownBy(() -> new StackPredictor(new float[]{0, 1, Float.NaN, 0, 1, 0}, List.of(a, a)))
                .hasMessageContaining("finite");
        Predictor two = new LinearPredictor(2, 4, new float[8], new float[2], LinearPredictor.Link.IDENTITY);
        assertThatThrownBy(() -> new StackPredictor(new float[6], List.of(a, two)))
                .hasMessageContaining("same outputs, got 3 and 2");
    }
}

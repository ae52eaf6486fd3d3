package dev.carrot.route;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.Truncation;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.RouterModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A router trained with tail truncation tells apart prompts behind one long shared prefix, and {@link Router#load}
 * starts the built-in encoder it was trained with on the same side (not the default head, which would be refused).
 */
class TailTruncationRouterTest {
    @TempDir
    Path tmp;

    static final String PREFIX = "Answer the question after these worked examples. ".repeat(60);
    static final List<String> QUESTIONS = List.of(" What is the boiling point of water at sea level in Celsius?",
            " Which planet in the solar system has the most moons?", " Who wrote the play Hamlet?");

    @Test
    void promptsBehindOneLongPrefixAreRoutedApartByTheirQuestions() throws IOException {
        float[] stored = new float[3 * 384];
        try (PromptEncoder head = Encoders.miniLm();
             PromptEncoder tail = Encoders.miniLm(new EncoderOptions().withTruncation(Truncation.TAIL))) {
            // under the head, the three prompts are one point
            assertThat(head.encode(PREFIX + QUESTIONS.get(1))).containsExactly(head.encode(PREFIX + QUESTIONS.get(0)));
            for (int i = 0; i < 3; i++) {
                System.arraycopy(tail.encode(PREFIX + QUESTIONS.get(i)), 0, stored, i * 384, 384);
            }
            // model i is right on question i only
            float[] quality = {1, 0, 0, 0, 1, 0, 0, 0, 1};
            RouterModel m = TestRouters.builder().encoder(tail.info()).prices(null).cost(new CostModel.None())
                    .knnEmbeddings(stored).quality(new KnnPredictor(1, 3, quality)).build();
            RouterArtifact.write(m, tmp.resolve("router"));
        }
        try (Router r = Router.load(tmp.resolve("router"))) {
            assertThat(r.model().encoder().truncation()).isEqualTo(Truncation.TAIL);
            for (int i = 0; i < 3; i++) {
                assertThat(r.route(PREFIX + QUESTIONS.get(i), 0).model()).as(QUESTIONS.get(i))
                        .isEqualTo(TestRouters.MODELS.get(i));
            }
        }
    }
}

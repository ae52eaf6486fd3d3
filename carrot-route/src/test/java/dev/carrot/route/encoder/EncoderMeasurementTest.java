package dev.carrot.route.encoder;

import dev.carrot.route.encoder.internal.ModelSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rough numbers for the encoder, NOT a benchmark (no forks, little warm-up; carrot-bench has the JMH ones). Off by
 * default: {@code mvn -B -q -pl carrot-route test -Dtest=EncoderMeasurementTest -Dcarrot.measure=true}.
 */
@EnabledIfSystemProperty(named = "carrot.measure", matches = "true")
class EncoderMeasurementTest {

    private static final System.Logger LOG = System.getLogger(EncoderMeasurementTest.class.getName());
    private static final String[] WORDS = ("the a of to and in is for on with that by this be are as at from it an or "
            + "explain write translate summarise compute prove function python java list sort number prime matrix "
            + "derivative integral history war europe city river capital poem story email letter cat dog model "
            + "network data table query sql error bug memory thread lock cache router cost price token").split(" ");

    private static String sentence(SplittableRandom random, int words) {
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < words; w++) {
            text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.append('?').toString();
    }

    @Test
    void measure() {
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            ModelSources.miniLm(null);
            long t1 = System.nanoTime();
            ModelSources.miniLm(EncoderTestSupport.testCacheDir());
            LOG.log(Level.INFO, String.format("read + SHA-256 of the built-in model: %.0f ms from the jar, %.0f ms "
                    + "from the extracted copy", (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6));
        }
        long loadStart = System.nanoTime();
        EncoderOptions options = new EncoderOptions().withCacheDir(EncoderTestSupport.testCacheDir())
                .withIntraOpThreads(Integer.getInteger("carrot.measure.threads", 0));
        try (PromptEncoder encoder = Encoders.miniLm(options)) {
            long loadMillis = (System.nanoTime() - loadStart) / 1_000_000;
            SplittableRandom random = new SplittableRandom(42);
            String prompt = sentence(random, 30);
            for (int i = 0; i < 50; i++) {
                encoder.encode(prompt);
            }
            int reps = 200;
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                encoder.encode(prompt);
            }
            double singleMs = (System.nanoTime() - start) / 1e6 / reps;

            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                texts.add(sentence(random, 5 + random.nextInt(40)));
            }
            encoder.encodeAll(texts.subList(0, 64));
            AtomicReference<BatchStats> stats = new AtomicReference<>();
            start = System.nanoTime();
            encoder.encodeAll(texts, stats::set);
            double batchSeconds = (System.nanoTime() - start) / 1e9;

            start = System.nanoTime();
            for (String text : texts) {
                encoder.encode(text);
            }
            double oneByOneSeconds = (System.nanoTime() - start) / 1e9;

            BatchStats s = stats.get();
            LOG.log(Level.INFO, String.format(
                    "MiniLM load %d ms; encode(30 words, %d pieces) %.2f ms; encodeAll(%d texts of 5-45 words) %.0f "
                            + "texts/s (%.2f s, %d batches, padding waste %.1f%% sorted vs %.1f%% unsorted); one by one "
                            + "%.0f texts/s (not a benchmark)",
                    loadMillis, encoder.countTokens(prompt), singleMs, texts.size(), texts.size() / batchSeconds,
                    batchSeconds, s.batches(), 100 * s.paddingWaste(), 100 * s.unsortedPaddingWaste(),
                    texts.size() / oneByOneSeconds));

            assertThat(s.texts()).isEqualTo(texts.size());
        }
    }
}

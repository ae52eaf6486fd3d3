package dev.carrot.route.encoder;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Behaviour of the ONNX encoder beyond parity: truncation, batching, validation, threads. */
class OnnxEncoderTest {

    private static final List<String> MIXED = List.of(
            "hi",
            "Explain the difference between a mutex and a semaphore in operating systems, with an example and a short "
                    + "discussion of priority inversion and how real-time kernels avoid it.",
            "",
            "What is 2 + 2?",
            "Write a haiku about autumn leaves falling on a quiet pond.",
            "word ".repeat(300),
            "Translate 'good morning' into French.",
            "Summarise the plot of Hamlet in two sentences, then list the main characters.",
            "a b c d e f g",
            "SELECT name, COUNT(*) FROM users GROUP BY name HAVING COUNT(*) > 1;");

    private final PromptEncoder encoder = EncoderTestSupport.miniLm();

    @Test
    void longTextIsTruncatedToMaxTokensButCountedInFull() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append("token").append(i % 97).append(' ');
        }
        String longText = text.toString();
        int count = encoder.countTokens(longText);
        assertThat(count).isGreaterThan(5000);

        float[] vector = encoder.encode(longText);
        assertThat(vector).hasSize(384);
        assertThat(EncoderTestSupport.dot(vector, vector)).isCloseTo(1.0, within(1e-5));

        // Truncation keeps the first 254 pieces: appending more text changes nothing.
        float[] longer = encoder.encode(longText + " completely different ending about volcanoes");
        assertThat(longer).containsExactly(vector, within(1e-6f));

        AtomicReference<BatchStats> stats = new AtomicReference<>();
        encoder.encodeAll(List.of(longText, "short"), stats::set);
        assertThat(stats.get().truncated()).isEqualTo(1);
        assertThat(stats.get().tokens()).isEqualTo(256 + encoder.countTokens("short"));
    }

    @Test
    void encodeCountedIsEncodeAndCountTokensInOnePass() {
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            longText.append("word").append(i).append(' ');
        }
        for (String text : List.of("", "hello world", "naïve café — ñ 東京", longText.toString())) {
            EncodedPrompt e = encoder.encodeCounted(text);
            assertThat(e.vector()).containsExactly(encoder.encode(text));
            assertThat(e.tokens()).isEqualTo(encoder.countTokens(text));
        }
        assertThatThrownBy(() -> encoder.encodeCounted(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countTokensIncludesSpecialTokens() {
        assertThat(encoder.countTokens("")).isEqualTo(2);
        assertThat(encoder.countTokens("hello world")).isEqualTo(4);
    }

    @Test
    void encodeAllAgreesWithEncodeAndKeepsOrder() {
        float[][] batch = encoder.encodeAll(MIXED);
        assertThat(batch.length).isEqualTo(MIXED.size());
        for (int i = 0; i < MIXED.size(); i++) {
            float[] single = encoder.encode(MIXED.get(i));
            assertThat(batch[i]).as("text %d", i).containsExactly(single, within(1e-5f));
        }
        List<String> reversed = new ArrayList<>(MIXED);
        Collections.reverse(reversed);
        float[][] reversedBatch = encoder.encodeAll(reversed);
        for (int i = 0; i < MIXED.size(); i++) {
            assertThat(reversedBatch[MIXED.size() - 1 - i]).containsExactly(batch[i], within(1e-5f));
        }
    }

    @Test
    void smallBatchesSortByLengthAndReportPadding() {
        EncoderOptions options = new EncoderOptions().withBatchSize(3);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            texts.add(i % 2 == 0 ? "short prompt " + i : "a much longer prompt that goes on and on, number " + i
                    + " of the sequence, with more words to pad the others");
        }
        AtomicReference<BatchStats> stats = new AtomicReference<>();
        try (PromptEncoder small = Encoders.miniLm(options)) {
            float[][] vectors = small.encodeAll(texts, stats::set);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(vectors[i]).containsExactly(encoder.encode(texts.get(i)), within(1e-5f));
            }
        }
        BatchStats s = stats.get();
        assertThat(s.texts()).isEqualTo(12);
        assertThat(s.cached()).isZero();
        assertThat(s.batches()).isEqualTo(4);
        assertThat(s.paddedTokens()).isEqualTo(s.tokens()); // two lengths, batches of 3 never mix after sorting
        assertThat(s.unsortedPaddedTokens()).isGreaterThan(s.paddedTokens());
        assertThat(s.paddingWaste()).isZero();
        assertThat(s.unsortedPaddingWaste()).isGreaterThan(0.2);
    }

    @Test
    void emptyListGivesEmptyResult() {
        AtomicReference<BatchStats> stats = new AtomicReference<>();
        assertThat(encoder.encodeAll(List.of(), stats::set)).isEmpty();
        assertThat(stats.get()).isEqualTo(BatchStats.EMPTY);
    }

    @Test
    void nullTextIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> encoder.encode(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text is null");
        assertThatThrownBy(() -> encoder.countTokens(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text is null");
        assertThatThrownBy(() -> encoder.encodeAll(Arrays.asList("ok", null, "fine")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("texts[1] is null");
        assertThatThrownBy(() -> encoder.encodeAll(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("texts is null");
    }

    @Test
    void eightThreadsGetExactlyTheSingleThreadedVectors() throws Exception {
        float[][] expected = new float[MIXED.size()][];
        for (int i = 0; i < MIXED.size(); i++) {
            expected[i] = encoder.encode(MIXED.get(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<float[][]>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                jobs.add(() -> {
                    float[][] got = new float[MIXED.size()][];
                    for (int k = 0; k < MIXED.size() * 2; k++) {
                        int i = (k + offset) % MIXED.size();
                        got[i] = encoder.encode(MIXED.get(i));
                    }
                    return got;
                });
            }
            for (Future<float[][]> future : pool.invokeAll(jobs)) {
                float[][] got = future.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < MIXED.size(); i++) {
                    assertThat(got[i]).as("text %d", i).containsExactly(expected[i]);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedEncoderRefusesWork() {
        PromptEncoder fresh = Encoders.miniLm(new EncoderOptions().withIntraOpThreads(1));
        assertThat(fresh.encode("still open")).hasSize(384);
        fresh.close();
        fresh.close(); // idempotent
        assertThatThrownBy(() -> fresh.encode("closed"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    @Test
    void maxTokensOverrideChangesTruncation() {
        try (PromptEncoder short16 = Encoders.miniLm(new EncoderOptions().withMaxTokens(16))) {
            assertThat(short16.info().maxTokens()).isEqualTo(16);
            assertThat(short16.info().onnxSha256()).isEqualTo(encoder.info().onnxSha256());
            assertThat(short16.info().fingerprint()).isNotEqualTo(encoder.info().fingerprint());
            String text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen";
            // 14 pieces + [CLS]/[SEP] fit exactly; what follows is cut.
            assertThat(short16.encode(text + " sixteen seventeen"))
                    .containsExactly(short16.encode(text + " and something else entirely"), within(1e-6f));
            assertThat(short16.countTokens(text + " sixteen seventeen")).isEqualTo(19);
        }
    }

    @Test
    void tailTruncationReadsTheLastPiecesAndKeepsTheSpecialTokens() {
        String ending = " Which planet is the largest? Answer:";
        // two prompts behind one long shared prefix that end differently, and one whose last 254 pieces are the
        // first one's although it starts otherwise ("alpha" and "beta" are one word piece each)
        String a = "alpha ".repeat(400) + ending;
        String b = "alpha ".repeat(400) + " Which planet is the smallest? Answer:";
        String c = "beta ".repeat(100) + "alpha ".repeat(300) + ending;
        try (PromptEncoder tail = Encoders.miniLm(new EncoderOptions().withTruncation(Truncation.TAIL))) {
            assertThat(tail.info().truncation()).isEqualTo(Truncation.TAIL);
            assertThat(tail.info().fingerprint()).isEqualTo(encoder.info().fingerprint() + "/tail");
            assertThat(tail.info().differenceFrom(encoder.info())).contains(EncoderInfo.Difference.TRUNCATION);
            // the head reads the shared prefix only: one vector for all three
            assertThat(encoder.encode(b)).containsExactly(encoder.encode(a), within(1e-6f));
            assertThat(EncoderTestSupport.dot(encoder.encode(c), encoder.encode(a))).isLessThan(0.99);
            // the tail reads the question: a and b differ, a and c (the same last pieces) agree
            float[] ta = tail.encode(a);
            assertThat(EncoderTestSupport.dot(tail.encode(b), ta)).isLessThan(0.999);
            assertThat(tail.encode(c)).containsExactly(ta, within(1e-5f));
            // [CLS] + the last 254 pieces + [SEP] is what the model reads: the same as encoding those pieces' text
            String last = "alpha ".repeat(254 - tail.countTokens(ending) + 2) + ending;
            assertThat(tail.countTokens(last)).isEqualTo(256);
            assertThat(tail.encode(last)).containsExactly(ta, within(1e-5f));
            assertThat(encoder.encode(last)).containsExactly(ta, within(1e-5f));
            // counting and batching do not depend on the side; a short prompt is read whole either way
            assertThat(tail.countTokens(a)).isEqualTo(encoder.countTokens(a));
            float[][] all = tail.encodeAll(List.of(a, "short prompt", b));
            assertThat(all[0]).containsExactly(ta, within(1e-5f));
            assertThat(all[1]).containsExactly(encoder.encode("short prompt"), within(1e-5f));
            assertThat(all[2]).containsExactly(tail.encode(b), within(1e-5f));
        }
    }
}

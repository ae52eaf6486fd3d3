package dev.carrot.route;

import dev.carrot.route.encoder.EncodedPrompt;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * One long prompt must not kill a service: the tokenizer sees at most a bounded head of any text (a 50 MB text made
 * DJL's tokenizer abort the JVM), the embedding is the one of the head, and the token count of the rest is estimated.
 */
class LongPromptTest {
    private static final String UNIT = "lorem ipsum dolor sit amet ";
    private static PromptEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = Encoders.miniLm();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static String repeat(long chars) {
        return UNIT.repeat((int) (chars / UNIT.length()));
    }

    @Test
    void aHundredMegabytePromptIsRoutedAndItsTokensEstimated() {
        String huge = repeat(100_000_000);
        EncodedPrompt e = encoder.encodeCounted(huge);
        // the model reads the first 256 word pieces, which a few thousand characters already hold
        assertThat(e.vector()).containsExactly(encoder.encode(huge.substring(0, 4000)), within(1e-6f));
        int perUnit = encoder.countTokens(UNIT + UNIT) - encoder.countTokens(UNIT);
        double exact = 2 + (double) perUnit * (huge.length() / UNIT.length());
        assertThat((double) e.tokens()).isCloseTo(exact, within(exact * 1e-3));
        assertThat(encoder.countTokens(huge)).isEqualTo(e.tokens());
        try (Router router = Router.of(RouterConcurrencyTest.model(encoder.info()), encoder)) {
            Decision d = router.route(huge, 0.3);
            assertThat(d.receipts()).hasSize(5);
            assertThat(d.chosen().inputTokens()).isCloseTo(exact, within(exact * 1e-3)); // slope 1, intercept 0
        }
    }

    @Test
    void aBatchWithAFiftyMegabyteTextEncodesEachLikeEncode() {
        String big = repeat(50_000_000);
        List<String> texts = List.of("short one", big, "another short prompt");
        float[][] v = encoder.encodeAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(v[i]).containsExactly(encoder.encode(texts.get(i)), within(1e-5f));
        }
    }

    @Test
    void tokensBeyondTheBoundAreEstimatedClosely() {
        String[] words = {"route", "the", "prompt", "to", "a", "cheaper", "model", "when", "quality", "allows",
                "internationalisation", "x", "naïve", "東京", "3.14159", "don't"};
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 60_000) {
            sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        String text = sb.toString();
        // the exact count, from pieces below the bound split at spaces (word pieces never cross a space)
        int exact = 2;
        for (int from = 0; from < text.length(); ) {
            int to = Math.min(text.length(), from + 10_000);
            while (to < text.length() && text.charAt(to) != ' ') {
                to++;
            }
            exact += encoder.countTokens(text.substring(from, to)) - 2;
            from = to;
        }
        assertThat((double) encoder.countTokens(text)).isCloseTo(exact, within(exact * 0.02));
        // below the bound the count is exact
        String shorter = text.substring(0, 10_000);
        assertThat(encoder.countTokens(shorter)).isEqualTo(encoder.encodeCounted(shorter).tokens());
    }
}

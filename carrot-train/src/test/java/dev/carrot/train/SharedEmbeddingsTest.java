package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.Truncation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Prompts of different text with the very same vector are counted, and the advice names the remedy. */
class SharedEmbeddingsTest {
    static final EncoderInfo ENC = new EncoderInfo("t", 2, "0".repeat(64), 16, Pooling.MEAN, true);

    static SharedEmbeddings of(List<String> prompts, float[] vectors) {
        RoutingDataset.Builder b = RoutingDataset.builder(List.of("m"));
        for (int i = 0; i < prompts.size(); i++) {
            b.add("p" + i, prompts.get(i), RoutingDataset.TRAIN, null, new double[]{1}, null, null, null);
        }
        return SharedEmbeddings.of(b.build("test"), new Embedded(ENC, vectors, null));
    }

    @Test
    void promptsOfOtherTextWithOneVectorAreCountedAndTheTailIsSuggested() {
        // rows 0-2: three texts, one vector; rows 3-4: one text twice (a duplicate, not a shared embedding); row 5 alone
        SharedEmbeddings s = of(List.of("a", "b", "c", "d", "d", "e"),
                new float[]{1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0.6f, 0.8f});
        assertThat(s).isEqualTo(new SharedEmbeddings(3, 1, 3, 6));
        assertThat(s.advice(256, Truncation.HEAD)).hasValue("3 of 6 prompts (50%) share their embedding with prompts"
                + " of other text, in 1 group (the largest 3): their first 256 word pieces are the same, so the router"
                + " sees one point for each group; if they differ at the end (a question after a shared few-shot"
                + " prefix), train with --truncation tail");
        assertThat(s.advice(256, Truncation.TAIL)).hasValueSatisfying(a -> assertThat(a)
                .contains("their last 256 word pieces").doesNotContain("--truncation"));
        // below 5% nothing is said
        SharedEmbeddings none = of(List.of("a", "b"), new float[]{1, 0, 0, 1});
        assertThat(none.prompts()).isZero();
        assertThat(none.advice(256, Truncation.HEAD)).isEmpty();
    }
}

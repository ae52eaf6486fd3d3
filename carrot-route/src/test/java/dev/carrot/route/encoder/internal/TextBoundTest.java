package dev.carrot.route.encoder.internal;

import dev.carrot.route.encoder.Truncation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The part of a long text the tokenizer is given: its head, or for tail truncation its tail. */
class TextBoundTest {
    @Test
    void theHeadOrTheTailOfALongTextAndAShortTextWhole() {
        TextBound b = new TextBound(10);
        assertThat(b.part("short", Truncation.HEAD)).isEqualTo("short");
        assertThat(b.part("short", Truncation.TAIL)).isEqualTo("short");
        assertThat(b.part("0123456789abcdef", Truncation.HEAD)).isEqualTo("0123456789");
        assertThat(b.part("0123456789abcdef", Truncation.TAIL)).isEqualTo("6789abcdef");
        // never half a surrogate pair: the cut moves to keep the pair out whole
        String smile = "\uD83D\uDE00";
        assertThat(b.head("012345678" + smile + "xyz")).isEqualTo("012345678");
        assertThat(b.tail("xyz" + smile + "012345678")).isEqualTo("012345678");
        assertThat(b.tail("xyz" + smile + "01234567")).isEqualTo(smile + "01234567");
        // the estimate scales by the part's pieces per character, whichever part it is
        assertThat(b.estimate("0123456789abcdefghij", "abcdefghij", 12, 2)).isEqualTo(22);
    }
}

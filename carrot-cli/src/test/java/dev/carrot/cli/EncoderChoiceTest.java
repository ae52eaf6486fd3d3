package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.Truncation;
import dev.carrot.train.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands that extend a router embed as it was trained: its encoder, token limit and truncation side. */
class EncoderChoiceTest {
    @TempDir
    Path tmp;

    /** The options as picocli sets them from {@code args}. */
    static EncoderChoice parse(String... args) {
        @CommandLine.Command(name = "x")
        class Holder {
            @CommandLine.Mixin
            EncoderChoice encoders;
        }
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        return h.encoders;
    }

    @Test
    void theRoutersTruncationUnlessOneIsGiven() {
        EncoderInfo head = Fixtures.encoder().info();
        EncoderInfo tail = head.withTruncation(Truncation.TAIL);
        String cache = tmp.toString();
        try (PromptEncoder e = parse("--cache-dir", cache).openCachedFor(tail)) {
            assertThat(e.info()).isEqualTo(tail);
        }
        try (PromptEncoder e = parse("--cache-dir", cache).openCachedFor(head)) {
            assertThat(e.info()).isEqualTo(head);
        }
        // given explicitly, the side wins (and a router trained otherwise then refuses the encoder by name)
        try (PromptEncoder e = parse("--cache-dir", cache, "--truncation", "head").openCachedFor(tail)) {
            assertThat(e.info().truncation()).isEqualTo(Truncation.HEAD);
            assertThat(e.info().differenceFrom(tail)).contains(EncoderInfo.Difference.TRUNCATION);
        }
    }
}

package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepoPathsTest {

    @TempDir
    Path base;

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b.c", "data/train-00000-of-00001.parquet", "a..b", ".hidden", "a/.b/c",
            "with space/é.txt"})
    void acceptsOrdinaryRepoPaths(String path) throws HfHubException {
        assertThat(RepoPaths.unsafeReason(path)).isEmpty();
        Path resolved = RepoPaths.resolveUnder(base, path, "test");
        assertThat(resolved.startsWith(base)).as(resolved.toString()).isTrue();
        assertThat(resolved).isNotEqualTo(base);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "/etc/passwd", "a\\b", "C:x", "c:/x", "a//b", "a/", "./a", "a/./b", "..",
            "../x", "a/../b", "a/../../b", "a\u0000b", "a\nb"})
    void refusesPathsThatCouldEscape(String path) {
        assertThat(RepoPaths.unsafeReason(path)).isPresent();
        assertThatThrownBy(() -> RepoPaths.resolveUnder(base, path, "the file list of datasets/a/b"))
                .isInstanceOfSatisfying(HfHubException.class, e ->
                        assertThat(e.kind()).isEqualTo(HfHubException.Kind.UNSAFE_PATH))
                .hasMessageContaining("the file list of datasets/a/b");
    }

    @Test
    void checksRevisions() {
        assertThat(RepoPaths.checkRevision("main")).isEqualTo("main");
        assertThat(RepoPaths.checkRevision("refs/convert/parquet")).isEqualTo("refs/convert/parquet");
        assertThat(RepoPaths.checkRevision("v1.0")).isEqualTo("v1.0");
        for (String bad : new String[] {"", " ", "../x", "a b", "/main", "main/", "a//b", "a\\b"}) {
            assertThatThrownBy(() -> RepoPaths.checkRevision(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> RepoPaths.checkRevision(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void encodesUrlSegmentsLikePythonsQuote() {
        assertThat(RepoPaths.encodeSegment("refs/convert/parquet")).isEqualTo("refs%2Fconvert%2Fparquet");
        assertThat(RepoPaths.encodeSegment("main")).isEqualTo("main");
        assertThat(RepoPaths.encodePath("data/with space+plus#.txt")).isEqualTo("data/with%20space%2Bplus%23.txt");
        assertThat(RepoPaths.encodePath("é/a~b_c-d.e")).isEqualTo("%C3%A9/a~b_c-d.e");
    }

    @Test
    void printableEscapesControlCharactersAndCutsLongText() {
        assertThat(RepoPaths.printable("a\nb\u0000")).isEqualTo("a\\u000ab\\u0000");
        assertThat(RepoPaths.printable("x".repeat(1000))).hasSize(303).endsWith("...");
    }
}

package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expected values are what Python's {@code fnmatch.fnmatch(path, pattern)} answers on Linux. */
class GlobsTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "data/train-*.parquet | data/train-00000-of-00002.parquet | true",
        "data/train-*.parquet | data/test-00000-of-00001.parquet  | false",
        "data/train-*.parquet | data/train-x/nested.parquet       | true",
        "*.parquet            | a.parquet                         | true",
        "*.parquet            | data/a.parquet                    | true",
        "*.parquet            | a.parquet.bak                     | false",
        "**/*.json            | a/b.json                          | true",
        "**/*.json            | b.json                            | false",
        "data/**              | data/x/y/z.bin                    | true",
        "*                    | anything/at/all                   | true",
        "file?.txt            | file1.txt                         | true",
        "file?.txt            | file10.txt                        | false",
        "file?.txt            | file/.txt                         | true",
        "[ab].txt             | a.txt                             | true",
        "[ab].txt             | c.txt                             | false",
        "[!ab].txt            | c.txt                             | true",
        "[!ab].txt            | a.txt                             | false",
        "[a-c]x               | bx                                | true",
        "[]]x                 | ]x                                | true",
        "a[b                  | a[b                               | true",
        "a+b(c){2}$.txt       | a+b(c){2}$.txt                    | true",
        "a.txt                | abtxt                             | false",
        "*.PARQUET            | a.parquet                         | false",
        "data/                | data/x/y                          | true",
        "data/                | data2/x                           | false",
        "README.md            | README.md                         | true",
        "README.md            | docs/README.md                    | false",
    })
    void matchesLikeFnmatch(String pattern, String path, boolean expected) {
        assertThat(Globs.matchesAny(Globs.compileAll(List.of(pattern)), path)).isEqualTo(expected);
    }

    @Test
    void anyPatternOfTheListMayMatch() {
        var patterns = Globs.compileAll(Arrays.asList("*.md", "data/*.parquet"));
        assertThat(Globs.matchesAny(patterns, "README.md")).isTrue();
        assertThat(Globs.matchesAny(patterns, "data/x.parquet")).isTrue();
        assertThat(Globs.matchesAny(patterns, "data/x.csv")).isFalse();
    }

    @Test
    void rejectsNoPatternsAndBlankPatterns() {
        assertThatThrownBy(() -> Globs.compileAll(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one glob pattern");
        assertThatThrownBy(() -> Globs.compileAll(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Globs.compileAll(Arrays.asList("*.md", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
    }
}

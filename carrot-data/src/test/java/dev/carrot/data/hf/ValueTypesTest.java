package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

    private static final String SHA = "a".repeat(64);
    private static final String OID = "b".repeat(40);

    @Test
    void repoNamesItsCacheFolderLikeHuggingfaceHub() {
        HfRepo sprout = HfRepo.dataset("CARROT-LLM-Routing/SPROUT");
        assertThat(sprout.cacheFolderName()).isEqualTo("datasets--CARROT-LLM-Routing--SPROUT");
        assertThat(sprout.displayName()).isEqualTo("datasets/CARROT-LLM-Routing/SPROUT");
        assertThat(HfRepo.model("sentence-transformers/all-MiniLM-L6-v2").cacheFolderName())
                .isEqualTo("models--sentence-transformers--all-MiniLM-L6-v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "a/b/c", "-a/b", "a/b-", "a--b/c", "a/b..c", "a/b.git", "a/", "/b", "a b/c"})
    void repoRejectsIdsTheHubWouldReject(String id) {
        assertThatThrownBy(() -> HfRepo.dataset(id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + id + "'").hasMessageContaining("org/name");
    }

    @Test
    void fileValidatesAndNamesItsBlob() {
        HfFile lfs = new HfFile("data/x.parquet", Path.of("/c/x"), 10, Optional.of(SHA), Optional.of(OID));
        assertThat(lfs.etag()).contains(SHA);
        assertThat(lfs.isLfs()).isTrue();
        HfFile small = new HfFile("README.md", Path.of("/c/r"), 3, Optional.empty(), Optional.of(OID));
        assertThat(small.etag()).contains(OID);
        assertThat(small.isLfs()).isFalse();

        assertThatThrownBy(() -> new HfFile("../x", Path.of("/c"), 1, Optional.empty(), Optional.of(OID)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../x'");
        assertThatThrownBy(() -> new HfFile("x", Path.of("/c"), -1, Optional.empty(), Optional.of(OID)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new HfFile("x", Path.of("/c"), 1, Optional.of("ABC"), Optional.of(OID)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ABC'");
        assertThatThrownBy(() -> new HfFile("x", Path.of("/c"), 1, Optional.empty(), Optional.of("123")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'123'");
    }

    @Test
    void snapshotCopiesItsFilesAndLooksThemUp() {
        List<HfFile> files = new ArrayList<>();
        files.add(new HfFile("a", Path.of("/s/a"), 2, Optional.empty(), Optional.of(OID)));
        files.add(new HfFile("b/c", Path.of("/s/b/c"), 5, Optional.of(SHA), Optional.of(OID)));
        HfSnapshot snapshot = new HfSnapshot(HfRepo.dataset("o/n"), "main", OID, Path.of("/s"), files);
        files.clear();

        assertThat(snapshot.files()).hasSize(2);
        assertThat(snapshot.file("b/c")).map(HfFile::size).contains(5L);
        assertThat(snapshot.file("nope")).isEmpty();
        assertThat(snapshot.totalBytes()).isEqualTo(7);
        assertThat(snapshot.localPaths()).containsExactly(Path.of("/s/a"), Path.of("/s/b/c"));
        assertThatThrownBy(() -> snapshot.files().add(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new HfSnapshot(HfRepo.dataset("o/n"), "main", "main", Path.of("/s"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'main'");
    }

    @Test
    void retryBackoffDoublesUpToTheMaximum() {
        RetryPolicy policy = RetryPolicy.DEFAULT;
        assertThat(List.of(policy.backoff(1), policy.backoff(2), policy.backoff(3), policy.backoff(5),
                policy.backoff(9))).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(16), Duration.ofSeconds(16));
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    }

    @Test
    void exceptionCarriesItsKindAndStatus() {
        HfHubException e = new HfHubException(HfHubException.Kind.FORBIDDEN, 403, "no", null);
        assertThat(e.kind()).isEqualTo(HfHubException.Kind.FORBIDDEN);
        assertThat(e.statusCode()).hasValue(403);
        assertThat(new HfHubException(HfHubException.Kind.UNSAFE_PATH, "x").statusCode()).isEmpty();
    }
}

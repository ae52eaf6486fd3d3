package dev.carrot.data;

import dev.carrot.data.hf.DownloadListener;
import dev.carrot.data.hf.HfConfig;
import dev.carrot.data.internal.CacheDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --data zeroeval}: the dataset inside carrot-data's jar, read from a checked copy in carrot's cache. */
class EmbeddedDatasetTest {
    private static final String SHA256 = "6d23bb15239dca55025e33f44a9ca37a74521e59c70a974e57e92988dd57598e";

    @TempDir
    Path tmp;

    private DatasetLoader loader(Path cacheDir) {
        // a Hub that cannot be reached: the embedded dataset never needs it
        return new DatasetLoader(new DatasetLoader.Options(new HfConfig(URI.create("http://127.0.0.1:9"),
                tmp.resolve("hub")), Optional.empty(), new SplitPolicy(), DownloadListener.silent())
                .withCacheDir(cacheDir));
    }

    @Test
    void zeroevalIsAKnownDatasetThatShipsInsideTheJar() throws Exception {
        DatasetDescriptor d = DatasetDescriptor.find("zeroeval").orElseThrow();
        assertThat(d.source().type()).isEqualTo(DatasetDescriptor.SOURCE_EMBEDDED);
        assertThat(d.source().sha256()).contains(SHA256);
        assertThat(d.models()).hasSize(23).contains("gpt-4o-2024-05-13", "gemma-2-9b-it");
        assertThat(DatasetDescriptor.known()).extracting(DatasetDescriptor::name).contains("zeroeval");
        // its README (source, licence, derivation) ships beside it
        assertThat(getClass().getResource("/dev/carrot/data/embedded/zeroeval_23model/README.md")).isNotNull();
    }

    @Test
    void loadsFromACheckedCopyInTheCacheWithTheReadmesCounts() throws Exception {
        Path cache = tmp.resolve("cache");
        RoutingDataset d = loader(cache).load("zeroeval");
        assertThat(d.size()).isEqualTo(2840);
        assertThat(d.modelCount()).isEqualTo(23);
        assertThat(d.indicesOf(RoutingDataset.TEST)).hasSize(567);
        assertThat(d.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION)).hasSize(2273);
        assertThat(d.hasTokens()).isTrue();
        assertThat(d.provenance().dropped()).isEmpty();
        assertThat(d.provenance().source()).isEqualTo("embedded:datasets/zeroeval_23model/zeroeval_23model.parquet");
        assertThat(d.provenance().files()).singleElement()
                .satisfies(f -> assertThat(f.sha256()).isEqualTo(SHA256));

        Path copy = cache.resolve("datasets").resolve(SHA256).resolve("zeroeval_23model.parquet");
        assertThat(copy).isRegularFile();
        assertThat(Hashing.sha256(copy)).isEqualTo(SHA256);
        try (var s = Files.list(copy.getParent())) {
            assertThat(s).as("no temporary files left").containsExactly(copy);
        }
        assertThat(loader(cache).resolve("zeroeval").local()).contains(copy);
    }

    @Test
    void aDamagedCopyIsReplaced() throws Exception {
        Path cache = tmp.resolve("cache");
        Path copy = cache.resolve("datasets").resolve(SHA256).resolve("zeroeval_23model.parquet");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, "not parquet");
        RoutingDataset d = loader(cache).load("zeroeval");
        assertThat(d.size()).isEqualTo(2840);
        assertThat(Hashing.sha256(copy)).isEqualTo(SHA256);
    }

    @Test
    void anUnwritableCacheIsNamedWithTheFix() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> loader(notADir).load("zeroeval"))
                .hasMessageContaining(notADir.toString())
                .hasMessageContaining("set CARROT_CACHE_DIR (or --cache-dir) to a writable folder");
    }

    /** The cases of carrot-route's CarrotHomeTest: the two modules find the same folder. */
    @Test
    void theCacheDirFollowsCarrotHomesRules() {
        assertThat(cacheDir(Map.of("carrot.cache.dir", "/tmp/from-property", "user.home", "/home/u"),
                Map.of("CARROT_CACHE_DIR", "/tmp/from-env", "XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/tmp/from-property"));
        assertThat(cacheDir(Map.of("user.home", "/home/u"),
                Map.of("CARROT_CACHE_DIR", "/tmp/from-env", "XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/tmp/from-env"));
        assertThat(cacheDir(Map.of("user.home", "/home/u"), Map.of("XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/xdg/carrot"));
        assertThat(cacheDir(Map.of("user.home", "/home/u"), Map.of())).isEqualTo(Path.of("/home/u/.cache/carrot"));
        assertThat(cacheDir(Map.of("user.home", "/home/u", "carrot.cache.dir", " "),
                Map.of("XDG_CACHE_HOME", "relative/dir", "CARROT_CACHE_DIR", "")))
                .isEqualTo(Path.of("/home/u/.cache/carrot"));
        assertThat(cacheDir(Map.of("carrot.cache.dir", "some/dir/../cache"), Map.of())).isAbsolute()
                .endsWithRaw(Path.of("some", "cache"));
        assertThatThrownBy(() -> cacheDir(Map.of(), Map.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("user.home is not set").hasMessageContaining("carrot.cache.dir");
    }

    private static Path cacheDir(Map<String, String> properties, Map<String, String> env) {
        return CacheDir.resolve(properties::get, env::get);
    }
}

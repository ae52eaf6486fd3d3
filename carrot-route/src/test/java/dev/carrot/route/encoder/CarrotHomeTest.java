package dev.carrot.route.encoder;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CarrotHomeTest {

    private static Path resolve(Map<String, String> properties, Map<String, String> env) {
        return CarrotHome.cacheDir(properties::get, env::get);
    }

    @Test
    void propertyWinsOverEverything() {
        Path dir = resolve(Map.of("carrot.cache.dir", "/tmp/from-property", "user.home", "/home/u"),
                Map.of("CARROT_CACHE_DIR", "/tmp/from-env", "XDG_CACHE_HOME", "/xdg"));
        assertThat(dir).isEqualTo(Path.of("/tmp/from-property"));
    }

    @Test
    void environmentVariableComesNext() {
        Path dir = resolve(Map.of("user.home", "/home/u"),
                Map.of("CARROT_CACHE_DIR", "/tmp/from-env", "XDG_CACHE_HOME", "/xdg"));
        assertThat(dir).isEqualTo(Path.of("/tmp/from-env"));
    }

    @Test
    void xdgCacheHomeThenHome() {
        assertThat(resolve(Map.of("user.home", "/home/u"), Map.of("XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/xdg/carrot"));
        assertThat(resolve(Map.of("user.home", "/home/u"), Map.of()))
                .isEqualTo(Path.of("/home/u/.cache/carrot"));
        // XDG says relative values are invalid and must be ignored; blank values count as unset.
        assertThat(resolve(Map.of("user.home", "/home/u", "carrot.cache.dir", " "),
                Map.of("XDG_CACHE_HOME", "relative/dir", "CARROT_CACHE_DIR", "")))
                .isEqualTo(Path.of("/home/u/.cache/carrot"));
    }

    @Test
    void relativeValuesBecomeAbsolute() {
        Path dir = resolve(Map.of("carrot.cache.dir", "some/dir/../cache"), Map.of());
        assertThat(dir).isAbsolute().endsWithRaw(Path.of("some", "cache"));
    }

    @Test
    void missingHomeIsAClearError() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("user.home is not set").hasMessageContaining("carrot.cache.dir");
    }

    @Test
    void subdirectoriesMustBeRelative() {
        assertThat(CarrotHome.cacheDir("embeddings")).isEqualTo(CarrotHome.cacheDir().resolve("embeddings"));
        assertThatThrownBy(() -> CarrotHome.cacheDir("/abs"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is absolute");
        assertThatThrownBy(() -> CarrotHome.cacheDir(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blank");
    }
}

package dev.carrot.route.encoder;

import ai.djl.util.Utils;
import dev.carrot.route.encoder.internal.DjlEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** DJL runs offline, never phones home, and takes its native library from the tokenizers jar. */
class DjlOfflineTest {

    @Test
    void djlIsOfflineWithTrackingOffAndItsCacheUnderCarrots() {
        EncoderTestSupport.miniLm(); // DJL configured and loaded
        assertThat(Utils.isOfflineMode()).isTrue();
        if (System.getenv(DjlEnvironment.TRACKING_OPT_OUT) == null) {
            assertThat(System.getProperty(DjlEnvironment.TRACKING_OPT_OUT)).isEqualTo("true");
        }
        if (System.getenv(DjlEnvironment.CACHE_DIR) == null) {
            assertThat(Utils.getCacheDir()).isEqualTo(CarrotHome.cacheDir().resolve("djl"));
        }
    }

    @Test
    void nativeLibraryWasExtractedFromTheJarAndNothingWasFetched() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && "amd64".equals(System.getProperty("os.arch")),
                "checks the linux-x86_64 library through /proc/self/maps");
        EncoderTestSupport.miniLm();
        Optional<Path> loaded = DjlEnvironment.loadedTokenizersLibrary();
        assertThat(loaded).as("libtokenizers.so mapped into this process").isPresent();
        Path djlCache = Utils.getCacheDir().toAbsolutePath();
        assertThat(loaded.get()).startsWith(djlCache);

        // Same bytes as the library inside the tokenizers jar: extracted, not downloaded.
        assertThat(sha256(Files.newInputStream(loaded.get())))
                .isEqualTo(sha256(Utils.class.getClassLoader()
                        .getResourceAsStream("native/lib/linux-x86_64/cpu/libtokenizers.so")));

        assumeTrue(djlCache.startsWith(CarrotHome.cacheDir()), "DJL's cache is the user's own (" + djlCache
                + "); its other contents are not ours to check");
        try (Stream<Path> files = Files.walk(djlCache)) {
            List<Path> regular = files.filter(Files::isRegularFile).collect(Collectors.toList());
            assertThat(regular).as("everything in DJL's cache").containsExactly(loaded.get());
        }
    }

    private static String sha256(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            assertThat(in).isNotNull();
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.carrot.route.encoder.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.Utils;
import dev.carrot.route.encoder.EncoderException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Optional;

/**
 * Makes DJL (used only for its HuggingFace tokenizer) run offline and quietly.
 *
 * <p>Settings, verified in DJL 0.38.0's source ({@code api/src/main/java/ai/djl/util/Utils.java},
 * {@code Ec2Utils.java} and {@code extensions/tokenizers/.../jni/LibUtils.java}):
 * <ul>
 *   <li>{@code ai.djl.offline=true} (env {@code DJL_OFFLINE} wins over it): {@code Utils.isOfflineMode()}; offline,
 *       {@code LibUtils} uses the {@code cpu} flavour and never downloads a CUDA build, and
 *       {@code Ec2Utils.callHome} returns at once;</li>
 *   <li>{@code OPT_OUT_TRACKING=true} (env or system property, read by {@code Utils.getEnvOrSystemProperty}):
 *       {@code Ec2Utils.callHome}, called by every {@code HuggingFaceTokenizer.newInstance}, never sends telemetry;</li>
 *   <li>{@code DJL_CACHE_DIR} (env or system property; there is no {@code ai.djl.cache_dir}):
 *       {@code Utils.getCacheDir()}; the tokenizers library is extracted from the jar's
 *       {@code native/lib/<os-arch>/cpu/} into {@code <DJL_CACHE_DIR>/tokenizers/<version>-cpu-<os-arch>/}.</li>
 * </ul>
 * A value the user already set, as environment variable or system property, is left alone.
 */
public final class DjlEnvironment {

    /** System property read by {@code Utils.isOfflineMode()}. */
    public static final String OFFLINE_PROPERTY = "ai.djl.offline";
    /** Environment variable read by {@code Utils.isOfflineMode()}; it wins over the property. */
    public static final String OFFLINE_ENV = "DJL_OFFLINE";
    /** Environment variable or system property read by {@code Ec2Utils.callHome}. */
    public static final String TRACKING_OPT_OUT = "OPT_OUT_TRACKING";
    /** Environment variable or system property read by {@code Utils.getCacheDir()}. */
    public static final String CACHE_DIR = "DJL_CACHE_DIR";

    private static final System.Logger LOG = System.getLogger(DjlEnvironment.class.getName());

    private DjlEnvironment() {
    }

    /**
     * Sets DJL's offline mode, tracking opt-out and cache directory unless the user set them. Call before the first use
     * of a DJL class.
     *
     * @param carrotCacheDir carrot's cache directory; DJL's goes to {@code carrotCacheDir/djl}
     */
    public static void prepare(Path carrotCacheDir) {
        // "offline" is DJL's legacy property, honoured when neither of the current names is set.
        if (System.getProperty("offline") == null) {
            setIfAbsent(OFFLINE_PROPERTY, OFFLINE_ENV, "true");
        }
        setIfAbsent(TRACKING_OPT_OUT, TRACKING_OPT_OUT, "true");
        setIfAbsent(CACHE_DIR, CACHE_DIR, carrotCacheDir.resolve("djl").toAbsolutePath().toString());
        String djl = System.getenv(CACHE_DIR) != null ? System.getenv(CACHE_DIR) : System.getProperty(CACHE_DIR);
        requireWritable(Path.of(djl), carrotCacheDir);
    }

    /**
     * DJL extracts the tokenizers library into its cache on first use; a folder it cannot write makes DJL fail with
     * "Failed to load Huggingface native library" and a long trace. Say what is wrong instead, unless the library is
     * already there (a read-only cache that holds it works).
     */
    private static void requireWritable(Path djlCache, Path carrotCacheDir) {
        Path tokenizers = djlCache.resolve("tokenizers");
        try {
            if (Files.isDirectory(tokenizers)) {
                try (var s = Files.list(tokenizers)) {
                    if (s.findAny().isPresent()) {
                        return;
                    }
                }
            }
            Files.createDirectories(tokenizers);
            Path probe = Files.createTempFile(tokenizers, ".write-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            String reason = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                    : ": " + e.getMessage());
            throw new EncoderException("carrot's cache folder " + carrotCacheDir + " cannot be written (" + reason
                    + " at " + tokenizers + "): the tokenizer's native library is extracted there on first use. Set "
                    + "CARROT_CACHE_DIR (or --cache-dir) to a writable folder", e);
        }
    }

    private static void setIfAbsent(String property, String env, String value) {
        if (System.getenv(env) == null && System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Finds the {@code libtokenizers} file this process has mapped, from {@code /proc/self/maps} (Linux only).
     *
     * @return the loaded library, empty when not loaded yet or not on Linux
     */
    public static Optional<Path> loadedTokenizersLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        String name = System.mapLibraryName("tokenizers");
        try {
            List<String> lines = Files.readAllLines(maps);
            for (String line : lines) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith(name)) {
                    return Optional.of(Path.of(line.substring(slash)));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "cannot read /proc/self/maps to locate " + name, e);
        }
        return Optional.empty();
    }

    /** Logs, once per JVM, where the tokenizers native library came from. Call after a tokenizer was created. */
    static void reportNativeLibrary() {
        NativeLibraryReport.touch();
    }

    private static String describe() {
        Path djlCache = Utils.getCacheDir().toAbsolutePath();
        String jar = jarOf(HuggingFaceTokenizer.class);
        Optional<Path> lib = loadedTokenizersLibrary();
        String where;
        if (lib.isEmpty()) {
            where = "tokenizers native library loaded (path not visible on this OS; DJL extracts it under " + djlCache + ")";
        } else if (lib.get().startsWith(djlCache)) {
            where = "tokenizers native library " + lib.get() + " extracted from " + jar + " (no download)";
        } else {
            where = "tokenizers native library " + lib.get() + " (outside DJL's cache " + djlCache
                    + "; RUST_LIBRARY_PATH override?)";
        }
        return where + "; DJL offline=" + Utils.isOfflineMode() + ", " + TRACKING_OPT_OUT + "="
                + Utils.getEnvOrSystemProperty(TRACKING_OPT_OUT) + ", DJL cache " + djlCache;
    }

    private static String jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "the classpath";
        }
        try {
            return Path.of(source.getLocation().toURI()).getFileName().toString();
        } catch (URISyntaxException | RuntimeException e) {
            return source.getLocation().toString();
        }
    }

    /** Class-initialisation-once holder: the JVM guarantees the report is computed and logged exactly once. */
    private static final class NativeLibraryReport {
        private static final String LINE = describe();

        static {
            LOG.log(Level.INFO, LINE);
        }

        static void touch() {
            // Initialises the class.
        }
    }
}

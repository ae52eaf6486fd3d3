package dev.carrot.data.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * carrot's cache directory, found by the rules of carrot-route's {@code dev.carrot.route.encoder.CarrotHome} (which
 * carrot-data cannot import): the system property {@code carrot.cache.dir}, the environment variable
 * {@code CARROT_CACHE_DIR}, {@code $XDG_CACHE_HOME/carrot} when that is an absolute path, else
 * {@code ~/.cache/carrot}. The two must agree: EmbeddedDatasetTest checks the cases of carrot-route's
 * CarrotHomeTest.
 */
public final class CacheDir {
    /** System property naming carrot's cache directory. */
    public static final String PROPERTY = "carrot.cache.dir";
    /** Environment variable naming carrot's cache directory (used when the property is not set). */
    public static final String ENV = "CARROT_CACHE_DIR";

    private CacheDir() {
    }

    /** The cache directory, absolute and normalised (it may not exist yet). */
    public static Path resolve() {
        return resolve(System::getProperty, System::getenv);
    }

    /** The same rules over the given look-ups (for tests). */
    public static Path resolve(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String fromProperty = properties.apply(PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return toPath(fromProperty, "system property " + PROPERTY);
        }
        String fromEnv = environment.apply(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return toPath(fromEnv, "environment variable " + ENV);
        }
        String xdg = environment.apply("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg.trim()).isAbsolute()) {
            return toPath(xdg, "environment variable XDG_CACHE_HOME").resolve("carrot");
        }
        String home = properties.apply("user.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("cannot locate carrot's cache directory: user.home is not set; set the"
                    + " system property " + PROPERTY + " or the environment variable " + ENV);
        }
        return toPath(home, "system property user.home").resolve(".cache").resolve("carrot");
    }

    private static Path toPath(String value, String source) {
        try {
            return Path.of(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalStateException(source + " is '" + value + "', which is not a valid path; expected a"
                    + " directory path", e);
        }
    }
}

package dev.carrot.route.encoder;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where carrot keeps files it can recompute: extracted native libraries, the embedding cache and so on.
 *
 * <p>The cache directory is, in order of precedence:
 * <ol>
 *   <li>the system property {@value #CACHE_DIR_PROPERTY},</li>
 *   <li>the environment variable {@value #CACHE_DIR_ENV},</li>
 *   <li>{@code $XDG_CACHE_HOME/carrot} when {@code XDG_CACHE_HOME} is set to an absolute path,</li>
 *   <li>{@code ~/.cache/carrot}.</li>
 * </ol>
 * The directory is not created here; whoever writes into it creates what it needs.
 */
public final class CarrotHome {

    /** System property naming carrot's cache directory. */
    public static final String CACHE_DIR_PROPERTY = "carrot.cache.dir";

    /** Environment variable naming carrot's cache directory (used when the property is not set). */
    public static final String CACHE_DIR_ENV = "CARROT_CACHE_DIR";

    private CarrotHome() {
    }

    /**
     * Returns carrot's cache directory as an absolute, normalised path.
     *
     * @return the cache directory (it may not exist yet)
     * @throws IllegalStateException if the configured value is not a valid path
     */
    public static Path cacheDir() {
        return cacheDir(System::getProperty, System::getenv);
    }

    /**
     * Returns {@code subdirectory} inside carrot's cache directory, for example {@code cacheDir("embeddings")}.
     *
     * @param subdirectory a relative path
     * @return the resolved path (it may not exist yet)
     */
    public static Path cacheDir(String subdirectory) {
        if (subdirectory == null || subdirectory.isBlank()) {
            throw new IllegalArgumentException("subdirectory is '" + subdirectory + "'; expected a non-blank relative path");
        }
        Path sub = Path.of(subdirectory);
        if (sub.isAbsolute()) {
            throw new IllegalArgumentException("subdirectory '" + subdirectory + "' is absolute; expected a path relative to "
                    + cacheDir());
        }
        return cacheDir().resolve(sub).normalize();
    }

    /** Same rules as {@link #cacheDir()}, reading properties and environment through the given look-ups (for tests). */
    static Path cacheDir(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String fromProperty = properties.apply(CACHE_DIR_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return toPath(fromProperty, "system property " + CACHE_DIR_PROPERTY);
        }
        String fromEnv = environment.apply(CACHE_DIR_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return toPath(fromEnv, "environment variable " + CACHE_DIR_ENV);
        }
        String xdg = environment.apply("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            Path xdgPath = toPath(xdg, "environment variable XDG_CACHE_HOME");
            // The XDG spec says relative values are invalid and must be ignored.
            if (Path.of(xdg.trim()).isAbsolute()) {
                return xdgPath.resolve("carrot");
            }
        }
        String home = properties.apply("user.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("cannot locate carrot's cache directory: user.home is not set; set the system property "
                    + CACHE_DIR_PROPERTY + " or the environment variable " + CACHE_DIR_ENV);
        }
        return toPath(home, "system property user.home").resolve(".cache").resolve("carrot");
    }

    private static Path toPath(String value, String source) {
        try {
            return Path.of(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalStateException(source + " is '" + value + "', which is not a valid path; expected a directory path", e);
        }
    }
}

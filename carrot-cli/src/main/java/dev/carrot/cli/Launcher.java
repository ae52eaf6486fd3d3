package dev.carrot.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.regex.Pattern;

/** How carrot is run here, so that the commands it suggests can be pasted as they are. */
final class Launcher {
    /** Set by the {@code carrot} launcher script to the path it was started by ({@code carrot} when on PATH). */
    static final String PROPERTY = "carrot.launcher";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@+,-]+");

    private Launcher() {
    }

    /**
     * The command that starts carrot, as typed in the working directory: the launcher script (relative when it is
     * below the working directory), found from {@value #PROPERTY} or beside the jar or classes folder this class
     * came from ({@code carrot-cli/target/carrot}); {@code carrot} when there is none.
     */
    static String command() {
        Path launcher = null;
        String p = System.getProperty(PROPERTY);
        try {
            if (p != null && !p.isBlank() && !p.contains("/")) {
                return quote(p); // found on PATH
            } else if (p != null && !p.isBlank()) {
                launcher = Path.of(p);
            } else {
                CodeSource src = Launcher.class.getProtectionDomain().getCodeSource();
                if (src != null && src.getLocation() != null && "file".equals(src.getLocation().getProtocol())) {
                    Path candidate = Path.of(src.getLocation().toURI()).resolveSibling("carrot");
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        launcher = candidate;
                    }
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) { // InvalidPathException too {
            launcher = null;
        }
        if (launcher == null) {
            return "carrot";
        }
        Path abs = launcher.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path shown = abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
        return quote(shown.getParent() == null ? "./" + shown : shown.toString());
    }

    /** {@code s} as one POSIX shell word: as it is when that is safe, else in single quotes. */
    static String quote(String s) {
        if (!s.isEmpty() && PLAIN.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}

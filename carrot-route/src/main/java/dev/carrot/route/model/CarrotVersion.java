package dev.carrot.route.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** carrot's version, as Maven built it. */
public final class CarrotVersion {
    /** For example {@code 0.1.0-SNAPSHOT}; {@code unknown} if the build did not record it. */
    public static final String VERSION = read();

    private CarrotVersion() {
    }

    private static String read() {
        try (InputStream in = CarrotVersion.class.getResourceAsStream("/dev/carrot/route/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}

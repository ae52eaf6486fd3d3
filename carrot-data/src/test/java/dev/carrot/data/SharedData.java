package dev.carrot.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real routing data beside the project ({@code ../shared/datasets}). Tests that need it skip, with a message,
 * when it is absent.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder: system property {@code carrot.shared.dir}, else a {@code shared/} next to a parent dir. */
    public static Path sharedDir() {
        String prop = System.getProperty("carrot.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("datasets"))) {
                return candidate;
            }
        }
        return null;
    }

    /** A file under {@code shared/datasets}, or the test is skipped. */
    public static Path dataset(String relative) {
        Path dir = sharedDir();
        Path file = dir == null ? null : dir.resolve("datasets").resolve(relative);
        Assumptions.assumeTrue(file != null && Files.isRegularFile(file),
                "skipped: shared dataset " + relative + " not found (expected ../shared/datasets beside the project,"
                        + " or -Dcarrot.shared.dir)");
        return file;
    }

    public static Path routerbench() {
        return dataset("routerbench_subset/routerbench_subset.parquet");
    }

    public static Path routerdc() {
        return dataset("routerdc_7model/routerdc_7model.parquet");
    }
}

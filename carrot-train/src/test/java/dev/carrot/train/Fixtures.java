package dev.carrot.train;

import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.train.embed.CachingPromptEncoder;
import dev.carrot.route.encoder.PromptEncoder;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Shared fixtures of carrot-train's tests: the real datasets beside the project (tests skip, with a message, when
 * they are absent), samples of them, and one cached encoder for the test JVM.
 */
public final class Fixtures {
    private static PromptEncoder encoder;

    private Fixtures() {
    }

    /** The shared folder: system property {@code carrot.shared.dir}, else a {@code shared/} next to a parent dir. */
    public static Path sharedDir() {
        String prop = System.getProperty("carrot.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolveSibling("shared").resolve("datasets"))) {
                return p.resolveSibling("shared");
            }
        }
        return null;
    }

    /** A file under {@code shared/datasets}, or the test is skipped. */
    public static Path dataset(String relative) {
        Path dir = sharedDir();
        Path file = dir == null ? null : dir.resolve("datasets").resolve(relative);
        Assumptions.assumeTrue(file != null && Files.isRegularFile(file), "skipped: shared dataset " + relative
                + " not found (expected ../shared/datasets beside the project, or -Dcarrot.shared.dir)");
        return file;
    }

    public static Path routerbenchFile() {
        return dataset("routerbench_subset/routerbench_subset.parquet");
    }

    public static Path routerdcFile() {
        return dataset("routerdc_7model/routerdc_7model.parquet");
    }

    public static RoutingDataset load(Path file) {
        try {
            return new DatasetLoader(DatasetLoader.Options.defaults()).load(file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code step}-th prompt of the train, validation and test splits, in dataset order. */
    public static RoutingDataset sample(RoutingDataset d, int step) {
        RoutingDataset s = d.splits(RoutingDataset.TRAIN, RoutingDataset.VALIDATION, RoutingDataset.TEST);
        int[] rows = IntStream.range(0, s.size()).filter(i -> i % step == 0).toArray();
        return s.select(rows, "test sample: every " + step + "th prompt");
    }

    /** One all-MiniLM-L6-v2 encoder with the persistent cache, shared by the tests of this JVM. */
    public static synchronized PromptEncoder encoder() {
        if (encoder == null) {
            EncoderOptions o = new EncoderOptions();
            encoder = CachingPromptEncoder.inCacheDir(Encoders.miniLm(o), o);
            Runtime.getRuntime().addShutdownHook(new Thread(encoder::close));
        }
        return encoder;
    }
}

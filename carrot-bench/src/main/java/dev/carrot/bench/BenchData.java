package dev.carrot.bench;

import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.CarrotHome;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.train.embed.CachingPromptEncoder;
import dev.carrot.route.encoder.PromptEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The data the benchmarks run on, shared by every benchmark group: the real routerbench_subset and routerdc_7model
 * prompts, their all-MiniLM-L6-v2 embeddings, and synthetic unit vectors where real ones run out.
 *
 * <p>Embeddings come through carrot's persistent embedding cache ({@code -Dcarrot.cache.dir}), and every matrix
 * built here is also kept as a raw little-endian float32 file under {@code <cache>/bench}, so a benchmark fork
 * starts in well under a second once the first run has filled it. The datasets are read from
 * {@code -Dcarrot.datasets.dir} (or the environment variable {@code CARROT_DATASETS_DIR}), by default
 * {@code ../shared/datasets} found from the working directory (run from the project root).
 */
public final class BenchData {
    public static final int DIM = 384;
    private static final String DATASETS_PROPERTY = "carrot.datasets.dir";

    private BenchData() {
    }

    /** The folder holding {@code routerbench_subset/} and {@code routerdc_7model/}. */
    public static Path datasetsDir() {
        String p = System.getProperty(DATASETS_PROPERTY, System.getenv("CARROT_DATASETS_DIR"));
        if (p != null) {
            return Path.of(p);
        }
        String shared = System.getProperty("carrot.shared.dir");
        if (shared != null && Files.isDirectory(Path.of(shared, "datasets", "routerbench_subset"))) {
            return Path.of(shared, "datasets");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            for (Path c : List.of(d.resolve("../shared/datasets"), d.resolve("shared/datasets"))) {
                if (Files.isDirectory(c.resolve("routerbench_subset"))) {
                    return c.normalize();
                }
            }
        }
        throw new IllegalStateException("cannot find the shared datasets (routerbench_subset, routerdc_7model) from "
                + Path.of("").toAbsolutePath() + "; run from the project root or set -D" + DATASETS_PROPERTY
                + "=/path/to/shared/datasets");
    }

    static Path parquet(String name) {
        Path p = datasetsDir().resolve(name).resolve(name + ".parquet");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("dataset file " + p + " is missing; set -D" + DATASETS_PROPERTY);
        }
        return p;
    }

    /** Whether the shared datasets can be found (tests skip without them). */
    public static boolean datasetsPresent() {
        try {
            datasetsDir();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** A loaded dataset ({@code routerbench_subset} or {@code routerdc_7model}). */
    public static RoutingDataset dataset(String name) {
        try {
            return new DatasetLoader(DatasetLoader.Options.defaults()).load(parquet(name).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in MiniLM behind carrot's persistent embedding cache. */
    public static PromptEncoder cachedEncoder() {
        EncoderOptions o = new EncoderOptions();
        return CachingPromptEncoder.inCacheDir(Encoders.miniLm(o), o);
    }

    /** The prompt texts of routerbench_subset, in dataset order. */
    public static List<String> routerbenchPrompts() {
        return dataset("routerbench_subset").promptTexts();
    }

    /** Rows of {@link #realEmbeddings()}: enough for SPROUT's 37,000 training prompts plus held-out queries. */
    public static final int REAL_ROWS = 38_000;

    /**
     * Real embeddings of {@value #REAL_ROWS} distinct real texts: the routerbench_subset prompts, the routerdc_7model
     * prompts, the distinct routerbench model responses, then (to reach SPROUT's training size with real text)
     * distinct lines of at least 40 characters from the prompts. Rows x {@link #DIM}; cached on disk.
     */
    public static float[] realEmbeddings() {
        return cachedMatrix("real-texts-" + REAL_ROWS, () -> {
            List<String> texts = realTexts();
            try (PromptEncoder enc = cachedEncoder()) {
                float[] out = new float[texts.size() * DIM];
                int chunk = 1024;
                for (int s = 0; s < texts.size(); s += chunk) {
                    float[][] v = enc.encodeAll(texts.subList(s, Math.min(texts.size(), s + chunk)));
                    for (int i = 0; i < v.length; i++) {
                        System.arraycopy(v[i], 0, out, (s + i) * DIM, DIM);
                    }
                    System.err.printf("embedded %d / %d texts%n", Math.min(texts.size(), s + chunk), texts.size());
                }
                return out;
            }
        });
    }

    /** The distinct texts behind {@link #realEmbeddings()}, in its row order. */
    public static List<String> realTexts() {
        LinkedHashSet<String> texts = new LinkedHashSet<>(routerbenchPrompts());
        texts.addAll(dataset("routerdc_7model").promptTexts());
        texts.addAll(responses());
        texts.removeIf(String::isBlank);
        List<String> prompts = new ArrayList<>(texts);
        for (String prompt : prompts) {
            for (String line : prompt.split("\n")) {
                if (texts.size() >= REAL_ROWS) {
                    break;
                }
                if (line.strip().length() >= 40) {
                    texts.add(line.strip());
                }
            }
        }
        if (texts.size() < REAL_ROWS) {
            throw new IllegalStateException("only " + texts.size() + " distinct texts, expected " + REAL_ROWS);
        }
        return new ArrayList<>(texts).subList(0, REAL_ROWS);
    }

    private static List<String> responses() {
        Path p = parquet("routerbench_subset");
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT response FROM read_parquet('" + p.toString().replace("'", "''")
                     + "') WHERE response IS NOT NULL ORDER BY prompt_id, model")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read responses from " + p + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** {@code n} random unit vectors of dimension {@code dim} (Gaussian, normalised), from {@code seed}. */
    public static float[] randomUnit(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double x = r.nextGaussian();
                v[i * dim + j] = (float) x;
                norm += x * x;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dim; j++) {
                v[i * dim + j] *= inv;
            }
        }
        return v;
    }

    /** Number of held-out query prompts. */
    public static final int QUERIES = 512;

    /**
     * Stored rows and held-out queries for the decision benchmarks. Queries are {@value #QUERIES} real prompts
     * (evenly spaced over the routerbench and routerdc prompts) that are not stored. Stored rows are real
     * embeddings up to {@link #REAL_ROWS} minus the queries (2,000 gives routerbench prompts, 37,000 prompts,
     * responses and prompt lines), and random unit vectors beyond that (the 300,000 case).
     *
     * @param stored  stored rows x {@link #DIM}
     * @param queries one unit vector per query
     */
    public record DecisionSet(float[] stored, float[][] queries) {
        public int rows() {
            return stored.length / DIM;
        }
    }

    public static DecisionSet decisionSet(int stored) {
        float[] real = realEmbeddings();
        int promptRows = 23_000;
        boolean[] isQuery = new boolean[REAL_ROWS];
        float[][] queries = new float[QUERIES][];
        for (int i = 0; i < QUERIES; i++) {
            int row = (int) ((long) i * promptRows / QUERIES) + 3;
            isQuery[row] = true;
            queries[i] = rows(real, DIM, row, row + 1);
        }
        if (stored > REAL_ROWS - QUERIES) {
            return new DecisionSet(randomUnit(stored, DIM, 20_240_301L + stored), queries);
        }
        float[] out = new float[stored * DIM];
        for (int row = 0, n = 0; n < stored; row++) {
            if (!isQuery[row]) {
                System.arraycopy(real, row * DIM, out, n++ * DIM, DIM);
            }
        }
        return new DecisionSet(out, queries);
    }

    /** Rows {@code [from, to)} of a row-major matrix. */
    public static float[] rows(float[] m, int dim, int from, int to) {
        float[] out = new float[(to - from) * dim];
        System.arraycopy(m, from * dim, out, 0, out.length);
        return out;
    }

    /** A matrix computed once and then read from {@code <carrot cache>/bench/<name>.f32}. */
    public interface MatrixSource {
        float[] compute();
    }

    public static float[] cachedMatrix(String name, MatrixSource source) {
        Path file = CarrotHome.cacheDir("bench").resolve(name + ".f32");
        try {
            if (Files.isRegularFile(file)) {
                return readF32(file);
            }
            float[] m = Objects.requireNonNull(source.compute(), "matrix");
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            writeF32(tmp, m);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] readF32(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading
            }
            b.flip();
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
    }

    static void writeF32(Path file, float[] m) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(m.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(m);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}

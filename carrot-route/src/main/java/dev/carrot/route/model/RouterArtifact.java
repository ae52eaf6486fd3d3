package dev.carrot.route.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.CarrotVersion;
import dev.carrot.route.PriceTable;
import dev.carrot.route.knn.KnnIndex;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads and writes router artifacts: a directory with a JSON manifest and little-endian binary arrays.
 *
 * <pre>
 * router/
 *   manifest.json          format magic and version, models, prices, encoder, predictors, calibration, provenance,
 *                          and an index of the arrays (file, dtype, shape, byte length, CRC32C)
 *   arrays/NAME.f32        raw little-endian float32, row-major
 *   arrays/NAME.f64        raw little-endian float64
 * </pre>
 * The format is documented in {@code carrot-route/ARTIFACT.md}. Loading rejects a newer format version, a missing,
 * truncated or corrupt array, and a manifest that does not parse or does not describe a consistent router, each with
 * an {@link ArtifactFormatException} naming the file and what was expected. Writing goes to a temporary directory
 * beside the target, which then replaces the target, so a reader never sees a half-written artifact.
 */
public final class RouterArtifact {
    /** The manifest's {@code format} value. */
    public static final String FORMAT = "carrot-router";
    /** The newest format version this code reads and the one it writes. */
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";

    /** Indented with "\n" line ends on every platform, so the same model gives the same bytes everywhere. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("  ", "\n")));
    private static final int CHUNK = 1 << 20;

    private RouterArtifact() {
    }

    // ------------------------------------------------------------------------------------------------ write

    /**
     * Writes {@code model} to the directory {@code dir}, replacing an existing artifact there. Refuses to replace a
     * non-empty directory that is not a router artifact.
     */
    public static void write(RouterModel model, Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "exists and is not a directory");
            }
            if (!Files.isRegularFile(target.resolve(MANIFEST)) && !isEmpty(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "is a non-empty directory without a "
                        + MANIFEST + "; refusing to replace something that is not a carrot router");
            }
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp.resolve("arrays"));
            Writer w = new Writer(tmp);
            ObjectNode manifest = w.manifest(model);
            byte[] bytes = JSON.writer(JSON.getSerializationConfig().getDefaultPrettyPrinter())
                    .writeValueAsBytes(manifest);
            try (OutputStream out = Files.newOutputStream(tmp.resolve(MANIFEST), StandardOpenOption.CREATE_NEW)) {
                out.write(bytes);
                out.write('\n');
            }
            replace(tmp, target);
        } finally {
            deleteRecursively(tmp);
        }
    }

    /**
     * Moves a written artifact to {@code dir}, replacing an existing artifact there the way {@link #write} does (and
     * refusing, like it, to replace a non-empty directory that is not an artifact). For writers that check an
     * artifact before putting it in place.
     */
    public static void install(Path artifact, Path dir) throws IOException {
        if (!Files.isRegularFile(artifact.resolve(MANIFEST))) {
            throw new ArtifactFormatException(artifact, "not a carrot router artifact: no " + MANIFEST);
        }
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isRegularFile(target.resolve(MANIFEST)) && !isEmpty(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "is a non-empty directory without a "
                    + MANIFEST + "; refusing to replace something that is not a carrot router");
        }
        Files.createDirectories(target.getParent());
        replace(artifact.toAbsolutePath().normalize(), target);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
            move(target, old);
        }
        try {
            move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Writes arrays and builds the manifest. */
    private static final class Writer {
        private final Path dir;
        private final ObjectNode arrays = JSON.createObjectNode();

        Writer(Path dir) {
            this.dir = dir;
        }

        ObjectNode manifest(RouterModel model) throws IOException {
            ObjectNode m = JSON.createObjectNode();
            m.put("format", FORMAT);
            m.put("format_version", FORMAT_VERSION);
            m.put("carrot_version", CarrotVersion.VERSION);
            ArrayNode models = m.putArray("models");
            model.models().forEach(models::add);
            if (model.prices().isPresent()) {
                ObjectNode prices = m.putObject("prices_usd_per_million_tokens");
                for (String name : model.models()) {
                    PriceTable.Price p = model.prices().get().require(name);
                    ObjectNode e = prices.putObject(name);
                    e.put("input", p.inputPerMillion());
                    e.put("output", p.outputPerMillion());
                }
            } else {
                m.putNull("prices_usd_per_million_tokens");
            }
            EncoderRef enc = model.encoder();
            ObjectNode e = m.putObject("encoder");
            e.put("id", enc.id());
            e.put("sha256", enc.sha256());
            e.put("dimension", enc.dimension());
            e.put("max_tokens", enc.maxTokens());
            m.put("cost_scale_usd", model.costScaleUsd());
            ArrayNode summary = m.putArray("predictors");
            model.describe().forEach(summary::add);
            if (model.knnIndex().isPresent()) {
                KnnIndex idx = model.knnIndex().get();
                ObjectNode k = m.putObject("knn");
                k.put("rows", idx.size());
                k.put("metric", "cosine");
                k.put("embeddings", f32("knn.embeddings", idx.vectors(), idx.size(), idx.dimension()));
            } else {
                m.putNull("knn");
            }
            m.set("quality", predictor("quality", model.quality()));
            ObjectNode cost = m.putObject("cost");
            cost.put("kind", model.cost().kind());
            if (model.cost() instanceof CostModel.Tokens t) {
                ObjectNode in = cost.putObject("input_tokens");
                in.put("kind", "encoder_token_linear");
                putDoubles(in.putArray("intercept"), t.inputTokens().intercept());
                putDoubles(in.putArray("slope"), t.inputTokens().slope());
                putDoubles(in.putArray("fallback"), t.inputTokens().fallback());
                cost.set("output_tokens", predictor("cost.output_tokens", t.outputTokens()));
            } else if (model.cost() instanceof CostModel.Direct d) {
                cost.set("cost_usd", predictor("cost.cost_usd", d.costUsd()));
            }
            if (model.calibration().isPresent()) {
                BudgetCalibration c = model.calibration().get();
                ObjectNode cal = m.putObject("budget_calibration");
                cal.put("points", c.size());
                cal.put("mu", f64("calibration.mu", c.mu()));
                cal.put("validation_cost_usd", f64("calibration.cost", c.cost()));
                cal.put("validation_quality", f64("calibration.quality", c.quality()));
            } else {
                m.putNull("budget_calibration");
            }
            if (model.calibrationData().isPresent()) {
                CalibrationData d = model.calibrationData().get();
                ObjectNode cd = m.putObject("calibration_data");
                cd.put("rows", d.rows());
                ObjectNode arr = cd.putObject("arrays");
                for (Map.Entry<String, float[]> a : d.arrays().entrySet()) {
                    arr.put(a.getKey(), f32("calibration_data." + a.getKey(), a.getValue(), d.rows(), d.models()));
                }
            } else {
                m.putNull("calibration_data");
            }
            m.set("provenance", model.provenance());
            m.set("arrays", arrays);
            return m;
        }

        private ObjectNode predictor(String name, PredictorSpec p) throws IOException {
            ObjectNode n = JSON.createObjectNode();
            if (p instanceof PredictorSpec.Knn k) {
                n.put("kind", "knn");
                n.put("k", k.k());
                n.put("targets", f32(name + ".targets", k.targetsRef(), k.rows(), k.outputs()));
            } else if (p instanceof PredictorSpec.Linear l) {
                n.put("kind", "linear");
                n.put("link", l.link().name().toLowerCase(Locale.ROOT));
                n.put("weights", f32(name + ".weights", l.weightsRef(), l.outputs(), l.dimension()));
                n.put("bias", f32(name + ".bias", l.biasRef(), l.outputs()));
            } else if (p instanceof PredictorSpec.Blend b) {
                n.put("kind", "blend");
                n.put("weight", b.weight());
                n.set("first", predictor(name + ".first", b.first()));
                n.set("second", predictor(name + ".second", b.second()));
            }
            return n;
        }

        private String f32(String name, float[] data, long... shape) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, Math.max(4, data.length * 4)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            String file = "arrays/" + name + ".f32";
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                for (float v : data) {
                    if (buf.remaining() < 4) {
                        flush(ch, buf, crc);
                    }
                    buf.putFloat(v);
                }
                flush(ch, buf, crc);
            }
            index(name, file, "float32", 4L * data.length, crc, shape);
            return name;
        }

        private String f64(String name, double[] data) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(Math.max(8, data.length * 8)).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : data) {
                buf.putDouble(v);
            }
            String file = "arrays/" + name + ".f64";
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                flush(ch, buf, crc);
            }
            index(name, file, "float64", 8L * data.length, crc, data.length);
            return name;
        }

        private static void flush(FileChannel ch, ByteBuffer buf, CRC32C crc) throws IOException {
            buf.flip();
            crc.update(buf.array(), 0, buf.limit());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        private void index(String name, String file, String dtype, long bytes, CRC32C crc, long... shape) {
            ObjectNode a = arrays.putObject(name);
            a.put("file", file);
            a.put("dtype", dtype);
            ArrayNode s = a.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            a.put("bytes", bytes);
            a.put("crc32c", String.format(Locale.ROOT, "%08x", crc.getValue()));
        }

        private static void putDoubles(ArrayNode arr, double[] values) {
            for (double v : values) {
                arr.add(v);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ read

    /** Reads and validates the artifact in {@code dir}. */
    public static RouterModel read(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) {
            throw new ArtifactFormatException(dir, "no router artifact here: not a directory");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new ArtifactFormatException(dir, "not a carrot router artifact: no " + MANIFEST);
        }
        JsonNode m;
        try {
            m = JSON.readTree(Files.readAllBytes(manifestFile));
        } catch (JsonProcessingException e) {
            throw new ArtifactFormatException(manifestFile, "the manifest is not valid JSON (truncated or corrupt): "
                    + e.getOriginalMessage(), e);
        }
        if (m == null || !m.isObject() || !FORMAT.equals(m.path("format").asText())) {
            throw new ArtifactFormatException(manifestFile, "not a carrot router manifest: expected \"format\": \""
                    + FORMAT + "\", got " + (m == null ? "nothing" : m.path("format")));
        }
        int version = m.path("format_version").asInt(-1);
        if (version > FORMAT_VERSION) {
            throw new ArtifactFormatException(manifestFile, "router artifact format version " + version
                    + " is newer than this carrot-route " + CarrotVersion.VERSION + " reads (up to " + FORMAT_VERSION
                    + "); upgrade carrot-route to load it (it was written by carrot "
                    + m.path("carrot_version").asText("?") + ")");
        }
        if (version < 1) {
            throw new ArtifactFormatException(manifestFile, "invalid format_version " + m.path("format_version")
                    + ", expected an integer from 1 to " + FORMAT_VERSION);
        }
        Reader r = new Reader(dir, manifestFile, m.path("arrays"));
        try {
            return r.model(m);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            throw new ArtifactFormatException(manifestFile, "the manifest does not describe a valid router: "
                    + e.getMessage(), e);
        }
    }

    private static final class Reader {
        private final Path dir;
        private final Path manifestFile;
        private final JsonNode arrays;

        Reader(Path dir, Path manifestFile, JsonNode arrays) {
            this.dir = dir;
            this.manifestFile = manifestFile;
            this.arrays = arrays;
        }

        RouterModel model(JsonNode m) throws IOException {
            List<String> models = new ArrayList<>();
            required(m, "models").forEach(n -> models.add(n.asText()));
            JsonNode e = required(m, "encoder");
            EncoderRef enc = new EncoderRef(required(e, "id").asText(), required(e, "sha256").asText(),
                    required(e, "dimension").asInt(), required(e, "max_tokens").asInt());
            RouterModel.Builder b = RouterModel.builder().models(models).encoder(enc)
                    .costScaleUsd(required(m, "cost_scale_usd").asDouble());
            JsonNode prices = m.path("prices_usd_per_million_tokens");
            if (prices.isObject()) {
                b.prices(PriceTable.parse(prices, manifestFile.toString()));
            }
            JsonNode knn = m.path("knn");
            if (knn.isObject()) {
                float[] emb = f32(required(knn, "embeddings").asText(), required(knn, "rows").asLong(),
                        enc.dimension());
                b.knnIndex(KnnIndex.adopt(emb, enc.dimension()));
            }
            int knnRows = knn.isObject() ? knn.path("rows").asInt() : 0;
            b.quality(predictor(required(m, "quality"), models.size(), enc.dimension(), knnRows));
            JsonNode cost = required(m, "cost");
            String kind = required(cost, "kind").asText();
            switch (kind) {
                case "tokens" -> {
                    JsonNode in = required(cost, "input_tokens");
                    b.cost(new CostModel.Tokens(new InputTokenModel(doubles(required(in, "intercept")),
                            doubles(required(in, "slope")), doubles(required(in, "fallback"))),
                            predictor(required(cost, "output_tokens"), models.size(), enc.dimension(), knnRows)));
                }
                case "direct" -> b.cost(new CostModel.Direct(predictor(required(cost, "cost_usd"), models.size(),
                        enc.dimension(), knnRows)));
                case "none" -> b.cost(new CostModel.None());
                default -> throw new ArtifactFormatException(manifestFile, "unknown cost kind '" + kind
                        + "', expected tokens, direct or none");
            }
            JsonNode cal = m.path("budget_calibration");
            if (cal.isObject()) {
                int points = required(cal, "points").asInt();
                b.calibration(new BudgetCalibration(f64(required(cal, "mu").asText(), points),
                        f64(required(cal, "validation_cost_usd").asText(), points),
                        f64(required(cal, "validation_quality").asText(), points)));
            }
            JsonNode cd = m.path("calibration_data");
            if (cd.isObject()) {
                int rows = required(cd, "rows").asInt();
                Map<String, float[]> arr = new LinkedHashMap<>();
                for (var it = required(cd, "arrays").fields(); it.hasNext(); ) {
                    var entry = it.next();
                    arr.put(entry.getKey(), f32(entry.getValue().asText(), rows, models.size()));
                }
                b.calibrationData(CalibrationData.fromArrays(rows, models.size(), arr));
            }
            if (m.path("provenance").isObject()) {
                b.provenance(m.get("provenance"));
            }
            return b.build();
        }

        private PredictorSpec predictor(JsonNode n, int outputs, int dim, int knnRows) throws IOException {
            String kind = required(n, "kind").asText();
            return switch (kind) {
                case "knn" -> new PredictorSpec.Knn(required(n, "k").asInt(), outputs,
                        f32(required(n, "targets").asText(), knnRows, outputs));
                case "linear" -> new PredictorSpec.Linear(outputs, dim,
                        f32(required(n, "weights").asText(), outputs, dim),
                        f32(required(n, "bias").asText(), outputs),
                        PredictorSpec.Link.valueOf(required(n, "link").asText().toUpperCase(Locale.ROOT)));
                case "blend" -> new PredictorSpec.Blend(required(n, "weight").asDouble(),
                        predictor(required(n, "first"), outputs, dim, knnRows),
                        predictor(required(n, "second"), outputs, dim, knnRows));
                default -> throw new ArtifactFormatException(manifestFile, "unknown predictor kind '" + kind
                        + "', expected knn, linear or blend");
            };
        }

        private JsonNode required(JsonNode n, String field) throws ArtifactFormatException {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw new ArtifactFormatException(manifestFile, "missing field '" + field + "'");
            }
            return v;
        }

        private static double[] doubles(JsonNode arr) {
            double[] out = new double[arr.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = arr.get(i).asDouble();
            }
            return out;
        }

        /** Reads and checks one array: its entry, its file's length against the shape, and its CRC32C. */
        private ByteBuffer raw(String name, String dtype, int width, long... shape) throws IOException {
            JsonNode a = arrays.get(name);
            if (a == null) {
                throw new ArtifactFormatException(manifestFile, "array '" + name + "' is referenced but not listed"
                        + " under \"arrays\"");
            }
            if (!dtype.equals(a.path("dtype").asText())) {
                throw new ArtifactFormatException(manifestFile, "array '" + name + "' has dtype "
                        + a.path("dtype") + ", expected " + dtype);
            }
            long expected = width;
            for (long d : shape) {
                expected *= d;
            }
            JsonNode declaredShape = a.path("shape");
            List<Long> declared = new ArrayList<>();
            declaredShape.forEach(s -> declared.add(s.asLong()));
            List<Long> wanted = new ArrayList<>();
            for (long d : shape) {
                wanted.add(d);
            }
            if (!declared.equals(wanted)) {
                throw new ArtifactFormatException(manifestFile, "array '" + name + "' has shape " + declared
                        + ", expected " + wanted);
            }
            String fileName = a.path("file").asText();
            if (fileName.isEmpty() || fileName.contains("..") || fileName.startsWith("/") || fileName.contains("\\")) {
                throw new ArtifactFormatException(manifestFile, "array '" + name + "' has an invalid file name '"
                        + fileName + "'");
            }
            Path file = dir.resolve(fileName);
            if (expected > Integer.MAX_VALUE - 16) {
                throw new ArtifactFormatException(file, "array of " + expected + " bytes is too large");
            }
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException ex) {
                throw new ArtifactFormatException(file, "missing array file (the artifact is incomplete)", ex);
            }
            if (size != expected) {
                throw new ArtifactFormatException(file, "array file has " + size + " bytes, expected " + expected
                        + " (" + wanted + " x " + width + " bytes)" + (size < expected ? ": truncated" : ""));
            }
            ByteBuffer buf = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        throw new ArtifactFormatException(file, "unexpected end of file");
                    }
                }
            }
            buf.flip();
            CRC32C crc = new CRC32C();
            crc.update(buf.array(), 0, buf.limit());
            String actual = String.format(Locale.ROOT, "%08x", crc.getValue());
            String want = a.path("crc32c").asText();
            if (!actual.equals(want)) {
                throw new ArtifactFormatException(file, "checksum mismatch: CRC32C is " + actual + ", the manifest says "
                        + want + " (the file is corrupt)");
            }
            return buf;
        }

        private float[] f32(String name, long... shape) throws IOException {
            ByteBuffer buf = raw(name, "float32", 4, shape);
            float[] out = new float[buf.remaining() / 4];
            buf.asFloatBuffer().get(out);
            return out;
        }

        private double[] f64(String name, long... shape) throws IOException {
            ByteBuffer buf = raw(name, "float64", 8, shape);
            double[] out = new double[buf.remaining() / 8];
            buf.asDoubleBuffer().get(out);
            return out;
        }
    }
}

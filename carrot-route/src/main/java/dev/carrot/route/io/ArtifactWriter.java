package dev.carrot.route.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.route.model.FixedModelStats;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.TokenizerInputTokens;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PredictorWriter;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;

import static dev.carrot.route.io.RouterArtifact.CHUNK;
import static dev.carrot.route.io.RouterArtifact.FORMAT;
import static dev.carrot.route.io.RouterArtifact.JSON;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/** Writes an artifact's arrays into a directory and builds its manifest. */
final class ArtifactWriter {
    private final Path dir;
    private final ObjectNode arrays = JSON.createObjectNode();

    ArtifactWriter(Path dir) {
        this.dir = dir;
    }

    ObjectNode manifest(RouterModel model) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        int version = RouterArtifact.versionFor(model);
        m.put("format_version", version);
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
        if (model.textOnly()) {
            m.putNull("encoder");
        } else {
            EncoderInfo enc = model.encoder();
            ObjectNode e = m.putObject("encoder");
            e.put("id", enc.id());
            e.put("sha256", enc.onnxSha256());
            e.put("dimension", enc.dimension());
            e.put("max_tokens", enc.maxTokens());
            e.put("pooling", enc.pooling().name().toLowerCase(java.util.Locale.ROOT));
            e.put("normalize", enc.normalize());
            if (!enc.textPrefix().isEmpty()) { // version 3; absent otherwise, so older artifacts rewrite unchanged
                e.put("text_prefix", enc.textPrefix());
            }
            if (enc.truncation() != dev.carrot.route.encoder.Truncation.HEAD) { // version 3, likewise
                e.put("truncation", enc.truncation().key());
            }
        }
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
            in.put("kind", t.inputTokens().kind());
            if (t.inputTokens() instanceof InputTokenModel lin) {
                putDoubles(in.putArray("intercept"), lin.intercept());
                putDoubles(in.putArray("slope"), lin.slope());
                putDoubles(in.putArray("fallback"), lin.fallback());
            } else if (t.inputTokens() instanceof TokenizerInputTokens tok) {
                in.put("name", tok.name());
                in.put("tokenizer", bytes("cost.input_tokens.tokenizer", tok.tokenizerJson()));
            }
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
        if (model.policy().isPresent()) { // absent, not null, without one: older artifacts are rewritten unchanged
            FixedModelPolicy p = model.policy().get();
            ObjectNode po = m.putObject("policy");
            po.put("rule", p.rule());
            ArrayNode words = po.putArray("summary");
            p.describe(model.models()).forEach(words::add);
            FixedModelStats st = p.stats();
            ObjectNode fm = po.putObject("fixed_models");
            fm.put("rows", st.rows());
            putDoubles(fm.putArray("quality"), st.quality());
            if (st.tokenBased()) {
                putDoubles(fm.putArray("input_tokens"), st.inputTokens());
                putDoubles(fm.putArray("output_tokens"), st.outputTokens());
            } else {
                putDoubles(fm.putArray("cost_usd"), st.storedCostUsd());
            }
            po.put("points", p.size());
            po.put("mu", f64("policy.mu", p.mu()));
            double[] choice = new double[p.size()];
            int[] c = p.choices();
            for (int g = 0; g < choice.length; g++) {
                choice[g] = c[g];
            }
            po.put("choice", f64("policy.choice", choice));
        }
        if (model.costBounds().isPresent()) {
            CostBounds b = model.costBounds().get();
            ObjectNode cb = m.putObject("cost_bounds");
            cb.put("method", "split_conformal");
            cb.put("target", b.target().id());
            cb.put("score", "log_ratio");
            cb.put("rows", b.rows());
            putDoubles(cb.putArray("offset"), b.offset());
            ArrayNode sizes = cb.putArray("group_sizes");
            for (int n : b.groupSizes()) {
                sizes.add(n);
            }
            int[] cg = b.centroidGroup();
            if (cg.length == 0) {
                cb.putNull("centroids");
            } else {
                cb.put("centroids", f32("cost_bounds.centroids", b.centroids(), cg.length, b.dimension()));
            }
            ArrayNode groups = cb.putArray("centroid_group");
            for (int g : cg) {
                groups.add(g);
            }
            cb.put("scores", f64("cost_bounds.scores", b.scores(), b.models(), b.rows()));
        } else if (version >= 3) { // null in version 3 without bounds; version 2 has no such field
            m.putNull("cost_bounds");
        }
        m.set("provenance", model.provenance().toJson());
        m.set("arrays", arrays);
        m.put(RouterArtifact.CHECKSUM_FIELD, RouterArtifact.CHECKSUM_PLACEHOLDER);
        return m;
    }

    /** A predictor's manifest entry: its kind, then what it writes; arrays are named {@code name.FIELD}. */
    private ObjectNode predictor(String name, Predictor p) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", p.kind());
        p.write(new PredictorWriter() {
            @Override
            public void put(String field, int value) {
                n.put(field, value);
            }

            @Override
            public void put(String field, double value) {
                n.put(field, value);
            }

            @Override
            public void put(String field, String value) {
                n.put(field, value);
            }

            @Override
            public void putFloats(String field, float[] values, long... shape) throws IOException {
                long cells = 1;
                for (long d : shape) {
                    cells *= d;
                }
                if (cells != values.length) {
                    throw new IllegalArgumentException("array '" + name + "." + field + "' has " + values.length
                            + " values, its shape " + java.util.Arrays.toString(shape) + " needs " + cells);
                }
                n.put(field, f32(name + "." + field, values, shape));
            }

            @Override
            public void putBytes(String field, byte[] data) throws IOException {
                n.put(field, bytes(name + "." + field, data));
            }

            @Override
            public void putPredictor(String field, Predictor nested) throws IOException {
                n.set(field, predictor(name + "." + field, nested));
            }
        });
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

    /** Opaque bytes: {@code arrays/NAME.bin}, dtype {@code bytes}, shape [length]. */
    String bytes(String name, byte[] data) throws IOException {
        String file = "arrays/" + name + ".bin";
        CRC32C crc = new CRC32C();
        crc.update(data);
        Files.write(dir.resolve(file), data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        index(name, file, "bytes", data.length, crc, data.length);
        return name;
    }

    private String f64(String name, double[] data) throws IOException {
        return f64(name, data, data.length);
    }

    private String f64(String name, double[] data, long... shape) throws IOException {
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
        index(name, file, "float64", 8L * data.length, crc, shape);
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

package dev.carrot.route.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.route.model.FixedModelStats;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PredictorKinds;
import dev.carrot.route.model.PredictorReader;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/** Reads and checks an artifact's manifest entries and arrays. */
final class ArtifactReader {
    private final Path dir;
    private final Path manifestFile;
    private final JsonNode arrays;

    ArtifactReader(Path dir, Path manifestFile, JsonNode arrays) {
        this.dir = dir;
        this.manifestFile = manifestFile;
        this.arrays = arrays;
    }

    RouterModel model(JsonNode m) throws IOException {
        List<String> models = new ArrayList<>();
        required(m, "models").forEach(n -> models.add(n.asText()));
        JsonNode encoderNode = m.get("encoder");
        if (encoderNode == null) {
            throw new ArtifactFormatException(manifestFile, "missing field 'encoder'");
        }
        // null: a router whose predictors read only the prompt's text (format version 2)
        EncoderInfo enc = encoderNode.isNull() ? null : encoder(encoderNode);
        int dim = enc == null ? 0 : enc.dimension();
        RouterModel.Builder b = RouterModel.builder().models(models).encoder(enc)
                .costScaleUsd(required(m, "cost_scale_usd").asDouble());
        JsonNode prices = m.path("prices_usd_per_million_tokens");
        if (prices.isObject()) {
            b.prices(PriceTable.parse(prices, manifestFile.toString()));
        }
        JsonNode knn = m.path("knn");
        if (knn.isObject()) {
            if (enc == null) {
                throw new ArtifactFormatException(manifestFile, "the router stores prompts but names no encoder");
            }
            float[] emb = f32(required(knn, "embeddings").asText(), required(knn, "rows").asLong(), dim);
            b.knnIndex(KnnIndex.adopt(emb, dim));
        }
        int knnRows = knn.isObject() ? knn.path("rows").asInt() : 0;
        b.quality(predictor(required(m, "quality"), models.size(), dim, knnRows));
        JsonNode cost = required(m, "cost");
        String kind = required(cost, "kind").asText();
        switch (kind) {
            case "tokens" -> {
                JsonNode in = required(cost, "input_tokens");
                b.cost(new CostModel.Tokens(inputTokens(in, models.size()),
                        predictor(required(cost, "output_tokens"), models.size(), dim, knnRows)));
            }
            case "direct" -> b.cost(new CostModel.Direct(predictor(required(cost, "cost_usd"), models.size(),
                    dim, knnRows)));
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
        JsonNode po = m.path("policy");
        if (po.isObject()) {
            b.policy(policy(po, models.size()));
        }
        JsonNode cb = m.path("cost_bounds"); // from format version 3
        if (cb.isObject()) {
            b.costBounds(costBounds(cb, models.size(), dim));
        }
        if (m.path("provenance").isObject()) {
            b.provenance(Provenance.fromJson(m.get("provenance")));
        }
        return b.build();
    }

    /** The fixed-model policy ({@code policy} in the manifest, written since carrot 0.1 with issue 13). */
    private FixedModelPolicy policy(JsonNode po, int models) throws IOException {
        String rule = required(po, "rule").asText();
        if (!rule.equals(FixedModelPolicy.RULE)) {
            throw new ArtifactFormatException(manifestFile, "unknown policy rule '" + rule + "', expected "
                    + FixedModelPolicy.RULE);
        }
        JsonNode fm = required(po, "fixed_models");
        int rows = required(fm, "rows").asInt();
        double[] quality = perModel(fm, "quality", models);
        FixedModelStats stats = fm.has("input_tokens")
                ? FixedModelStats.ofTokens(rows, quality, perModel(fm, "input_tokens", models),
                perModel(fm, "output_tokens", models))
                : FixedModelStats.ofCosts(rows, quality, perModel(fm, "cost_usd", models));
        int points = required(po, "points").asInt();
        double[] mu = f64(required(po, "mu").asText(), points);
        double[] choice = f64(required(po, "choice").asText(), points);
        int[] fixed = new int[points];
        for (int g = 0; g < points; g++) {
            if (choice[g] != Math.rint(choice[g])) {
                throw new ArtifactFormatException(manifestFile, "policy choice " + g + " is " + choice[g]
                        + "; expected a model index or -1");
            }
            fixed[g] = (int) choice[g];
        }
        return new FixedModelPolicy(stats, mu, fixed);
    }

    private double[] perModel(JsonNode n, String field, int models) throws ArtifactFormatException {
        JsonNode a = required(n, field);
        if (!a.isArray() || a.size() != models) {
            throw new ArtifactFormatException(manifestFile, "policy field 'fixed_models." + field + "' must be an"
                    + " array of " + models + " numbers, one per model, got " + a);
        }
        return doubles(a);
        }
    /** The split-conformal cost bounds entry (format version 3). */
    private CostBounds costBounds(JsonNode cb, int models, int encoderDimension) throws IOException {
        String method = required(cb, "method").asText();
        String score = required(cb, "score").asText();
        if (!method.equals("split_conformal") || !score.equals("log_ratio")) {
            throw new ArtifactFormatException(manifestFile, "cost bounds by method '" + method + "' with score '"
                    + score + "': this carrot-route reads split_conformal with log_ratio");
        }
        CostBounds.Target target;
        try {
            target = CostBounds.Target.of(required(cb, "target").asText());
        } catch (IllegalArgumentException e) {
            throw new ArtifactFormatException(manifestFile, e.getMessage(), e);
        }
        int rows = required(cb, "rows").asInt();
        int[] sizes = ints(required(cb, "group_sizes"), "group_sizes");
        int[] centroidGroup = ints(required(cb, "centroid_group"), "centroid_group");
        JsonNode c = cb.path("centroids");
        float[] centroids = new float[0];
        int dim = 0;
        if (centroidGroup.length > 0) {
            if (!c.isTextual()) {
                throw new ArtifactFormatException(manifestFile, "cost bounds with " + centroidGroup.length
                        + " centroid groups name no 'centroids' array");
            }
            dim = encoderDimension;
            centroids = f32(c.asText(), centroidGroup.length, dim);
        }
        return new CostBounds(target, models, rows, doubles(required(cb, "offset")), dim, centroids, centroidGroup,
                sizes, f64(required(cb, "scores").asText(), models, rows));
    }

    private int[] ints(JsonNode arr, String field) throws ArtifactFormatException {
        if (!arr.isArray()) {
            throw new ArtifactFormatException(manifestFile, "cost bounds field '" + field + "' must be an array of"
                    + " integers, got " + arr);
        }
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            if (!arr.get(i).canConvertToInt() || !arr.get(i).isIntegralNumber()) {
                throw new ArtifactFormatException(manifestFile, "cost bounds field '" + field + "' must be an array"
                        + " of integers, got " + arr.get(i) + " at " + i);
            }
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    /** The input-token estimate: fitted on the encoder's word pieces, or counted with a stored tokenizer. */
    private dev.carrot.route.model.InputTokens inputTokens(JsonNode in, int models) throws IOException {
        String kind = in.path("kind").asText("encoder_token_linear");
        return switch (kind) {
            case "encoder_token_linear" -> new InputTokenModel(doubles(required(in, "intercept")),
                    doubles(required(in, "slope")), doubles(required(in, "fallback")));
            case "tokenizer" -> new dev.carrot.route.model.TokenizerInputTokens(models, required(in, "name").asText(),
                    bytes(required(in, "tokenizer").asText()));
            default -> throw new ArtifactFormatException(manifestFile, "unknown input_tokens kind '" + kind
                    + "', expected encoder_token_linear or tokenizer");
        };
    }

    /**
     * The encoder entry. Version 1 manifests record id, SHA-256, dimension and token limit only; every router of
     * that version was trained on L2-normalised vectors, with the pooling that carrot's encoder loader chooses for
     * the model (CLS for bge models, MEAN for every other), which is what they are read with.
     */
    private EncoderInfo encoder(JsonNode e) throws IOException {
        String id = required(e, "id").asText();
        JsonNode pooling = e.get("pooling");
        Pooling p;
        if (pooling == null || pooling.isNull()) {
            p = id.toLowerCase(Locale.ROOT).contains("bge") ? Pooling.CLS : Pooling.MEAN;
        } else {
            try {
                p = Pooling.valueOf(pooling.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw new ArtifactFormatException(manifestFile, "encoder pooling is " + pooling
                        + ", expected \"mean\" or \"cls\"");
            }
        }
        boolean normalize = e.path("normalize").asBoolean(true);
        JsonNode prefix = e.get("text_prefix"); // version 3, only when the encoder has one
        if (prefix != null && !prefix.isTextual()) {
            throw new ArtifactFormatException(manifestFile, "encoder text_prefix is " + prefix + ", expected a string");
        }
        JsonNode side = e.get("truncation"); // version 3, only when the encoder reads a long prompt's tail
        dev.carrot.route.encoder.Truncation truncation = dev.carrot.route.encoder.Truncation.HEAD;
        if (side != null) {
            try {
                truncation = dev.carrot.route.encoder.Truncation.of(side.isTextual() ? side.asText() : side.toString());
            } catch (IllegalArgumentException ex) {
                throw new ArtifactFormatException(manifestFile, "encoder " + ex.getMessage());
            }
        }
        return new EncoderInfo(id, required(e, "dimension").asInt(), required(e, "sha256").asText(),
                required(e, "max_tokens").asInt(), p, normalize, prefix == null ? "" : prefix.asText(), truncation);
    }

    /** A predictor entry, read by the kind its {@code "kind"} names. */
    private Predictor predictor(JsonNode n, int outputs, int dim, int knnRows) throws IOException {
        String kind = required(n, "kind").asText();
        try {
            return PredictorKinds.require(kind).read(new EntryReader(n, outputs, dim, knnRows));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("unknown predictor kind")) {
                throw new ArtifactFormatException(manifestFile, e.getMessage());
            }
            throw e;
        }
    }

    /** One predictor entry and the arrays it names. */
    private final class EntryReader implements PredictorReader {
        private final JsonNode entry;
        private final int outputs;
        private final int dim;
        private final int knnRows;

        EntryReader(JsonNode entry, int outputs, int dim, int knnRows) {
            this.entry = entry;
            this.outputs = outputs;
            this.dim = dim;
            this.knnRows = knnRows;
        }

        @Override
        public int outputs() {
            return outputs;
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public int storedPrompts() {
            return knnRows;
        }

        @Override
        public int getInt(String field) throws IOException {
            JsonNode v = required(entry, field);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw invalid("'" + field + "' is " + v + ", expected an integer");
            }
            return v.asInt();
        }

        @Override
        public double getDouble(String field) throws IOException {
            JsonNode v = required(entry, field);
            if (!v.isNumber()) {
                throw invalid("'" + field + "' is " + v + ", expected a number");
            }
            return v.asDouble();
        }

        @Override
        public String getString(String field) throws IOException {
            JsonNode v = required(entry, field);
            if (!v.isTextual()) {
                throw invalid("'" + field + "' is " + v + ", expected a string");
            }
            return v.asText();
        }

        @Override
        public float[] getFloats(String field, long... shape) throws IOException {
            return f32(getString(field), shape);
        }

        @Override
        public byte[] getBytes(String field) throws IOException {
            return bytes(getString(field));
        }

        @Override
        public Predictor getPredictor(String field) throws IOException {
            JsonNode v = required(entry, field);
            if (!v.isObject()) {
                throw invalid("'" + field + "' is " + v + ", expected a predictor object");
            }
            return predictor(v, outputs, dim, knnRows);
        }

        @Override
        public IOException invalid(String message) {
            return new ArtifactFormatException(manifestFile, "predictor '" + entry.path("kind").asText() + "': "
                    + message);
        }
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
        requireInside(file);
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

    /** An array file must be the artifact's own: a link to a file elsewhere is refused. */
    private void requireInside(Path file) throws IOException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            return; // reported as missing by the caller
        }
        Path root = dir.toRealPath();
        if (!real.startsWith(root) || Files.isSymbolicLink(file)) {
            throw new ArtifactFormatException(file, "array file is a link" + (real.startsWith(root) ? ""
                    : " to " + real + ", outside the artifact") + "; an artifact's arrays must be its own files");
        }
    }

    /** Opaque bytes of the declared length, checked like an array. */
    byte[] bytes(String name) throws IOException {
        JsonNode a = arrays.get(name);
        long n = a == null ? -1 : a.path("shape").path(0).asLong(-1);
        if (n < 0) {
            throw new ArtifactFormatException(manifestFile, "bytes '" + name + "' are referenced but not listed under"
                    + " \"arrays\" with a shape [length]");
        }
        ByteBuffer buf = raw(name, "bytes", 1, n);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
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

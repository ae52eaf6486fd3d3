package dev.carrot.experiments.risk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The synthetic learning-curve experiment: the settings, the sample-size grid, repeats, the seed, KNN's k constant,
 * the evaluation grid, the logistic router's SGD options and the tolerance of the rate check. Validated on
 * construction; stored as JSON ({@code datasets/synthetic-default.json} is {@link #defaults()}).
 *
 * @param settings     the synthetic problems
 * @param nMin         the smallest training size; the grid is nMin, 2 nMin, 4 nMin, ... up to nMax
 * @param nMax         the largest training size (the grid stops at the last doubling <= nMax)
 * @param repeats      independent training samples per (setting, n); >= 2 for standard errors
 * @param seed         seed of every sample (each (setting, n, repeat) derives its own)
 * @param knnConstant  c in KNN's {@code k = ceil(c n^(2 beta / (2 beta + d)))}
 * @param evalPoints   about how many quadrature points evaluate the risk ({@code round(evalPoints^(1/d))} per axis)
 * @param logisticRepeats      the logistic router is trained on the first this many repeats only (its excess risk
 *                             varies little, and Tribuo's SGD is the slow part); 0 leaves it out, else >= 2
 * @param logisticEpochs       SGD epochs of the logistic router
 * @param logisticLearningRate AdaGradRDA's learning rate
 * @param logisticL2           L2 penalty
 * @param tolerance    the rate check passes when the theoretical exponent lies within the fitted exponent's 95% CI
 *                     widened by this much on each side
 */
public record RiskCurveConfig(List<SyntheticSetting> settings, int nMin, int nMax, int repeats, long seed,
                              double knnConstant, int evalPoints, int logisticRepeats, int logisticEpochs,
                              double logisticLearningRate, double logisticL2, double tolerance) {

    /** The file format's name, stored in the JSON. */
    public static final String FORMAT = "carrot-risk-curves";
    /** The newest format version this code reads. */
    public static final int VERSION = 1;

    public RiskCurveConfig {
        Objects.requireNonNull(settings, "settings");
        settings = List.copyOf(settings);
        if (settings.isEmpty()) {
            throw new IllegalArgumentException("at least one synthetic setting is needed");
        }
        if (settings.stream().map(SyntheticSetting::name).distinct().count() != settings.size()) {
            throw new IllegalArgumentException("setting names must be unique, got "
                    + settings.stream().map(SyntheticSetting::name).toList());
        }
        if (nMin < 10) {
            throw new IllegalArgumentException("n_min must be >= 10, got " + nMin);
        }
        if (nMax < 4L * nMin) {
            throw new IllegalArgumentException("n_max must be >= 4 n_min = " + 4L * nMin + " (a grid of at least 3"
                    + " sizes for the slope), got " + nMax);
        }
        if (repeats < 2) {
            throw new IllegalArgumentException("repeats must be >= 2 (for standard errors), got " + repeats);
        }
        if (!(knnConstant > 0) || Double.isInfinite(knnConstant)) {
            throw new IllegalArgumentException("knn_constant must be finite and > 0, got " + knnConstant);
        }
        if (evalPoints < 100) {
            throw new IllegalArgumentException("eval_points must be >= 100, got " + evalPoints);
        }
        if (logisticRepeats != 0 && (logisticRepeats < 2 || logisticRepeats > repeats)) {
            throw new IllegalArgumentException("logistic repeats must be 0 (no logistic router) or in [2, repeats = "
                    + repeats + "], got " + logisticRepeats);
        }
        if (logisticEpochs < 1) {
            throw new IllegalArgumentException("logistic epochs must be >= 1, got " + logisticEpochs);
        }
        if (!(logisticLearningRate > 0) || Double.isInfinite(logisticLearningRate)) {
            throw new IllegalArgumentException("logistic learning_rate must be finite and > 0, got "
                    + logisticLearningRate);
        }
        if (!(logisticL2 >= 0) || Double.isInfinite(logisticL2)) {
            throw new IllegalArgumentException("logistic l2 must be finite and >= 0, got " + logisticL2);
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
    }

    /**
     * The default experiment: three settings in one and two dimensions (theoretical exponents 2/3, 1/2 and 1/2),
     * n = 250 ... 64,000, 40 repeats (5 for the logistic router), seed 42, c = 1, about 65,536 evaluation points,
     * tolerance 0.15.
     */
    public static RiskCurveConfig defaults() {
        return new RiskCurveConfig(List.of(setting1d(), margin1d(), setting2d()), 250, 64_000, 40, 42, 1.0,
                65_536, 5, 10, 0.2, 1e-4, 0.15);
    }

    /**
     * d = 1, beta = 1, alpha = 1: exponent 2/3. A cheap baseline (quality 0.45, cost 0) and two specialists (costs
     * 0.05 and 0.1) on [0.15, 0.35] and [0.65, 0.85]; mu = 0.5, amplitude 0.35, transition width 0.15.
     */
    public static SyntheticSetting setting1d() {
        return new SyntheticSetting("d1-alpha1", 1, 1.0, 1.0, 0.5, 0.45, 0.35, 0.15, SyntheticSetting.Shape.BALL,
                List.of(SyntheticSetting.Model.baseline("cheap", 0.0),
                        SyntheticSetting.Model.specialist("specialist-a", 0.05, 0.1, 0.25),
                        SyntheticSetting.Model.specialist("specialist-b", 0.1, 0.1, 0.75)));
    }

    /** As {@link #setting1d()} with alpha = 1/2 (the gap grows like dist^2 near the boundary): exponent 1/2. */
    public static SyntheticSetting margin1d() {
        SyntheticSetting s = setting1d();
        return new SyntheticSetting("d1-alpha0.5", 1, 1.0, 0.5, s.mu(), s.baseQuality(), s.amplitude(), s.width(),
                s.shape(), s.models());
    }

    /**
     * d = 2, beta = 1, alpha = 1: exponent 1/2. As {@link #setting1d()} with discs of radius 0.15 centred at
     * (0.285, 0.285) and (0.715, 0.715).
     */
    public static SyntheticSetting setting2d() {
        return new SyntheticSetting("d2-alpha1", 2, 1.0, 1.0, 0.5, 0.45, 0.35, 0.15, SyntheticSetting.Shape.BALL,
                List.of(SyntheticSetting.Model.baseline("cheap", 0.0),
                        SyntheticSetting.Model.specialist("specialist-a", 0.05, 0.15, 0.285, 0.285),
                        SyntheticSetting.Model.specialist("specialist-b", 0.1, 0.15, 0.715, 0.715)));
    }

    /** The training sizes: nMin, 2 nMin, ..., up to nMax. */
    public int[] sizes() {
        List<Integer> out = new ArrayList<>();
        for (long n = nMin; n <= nMax; n *= 2) {
            out.add((int) n);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public RiskCurveConfig withSeed(long s) {
        return new RiskCurveConfig(settings, nMin, nMax, repeats, s, knnConstant, evalPoints,
                logisticRepeats, logisticEpochs, logisticLearningRate, logisticL2, tolerance);
    }

    /** With {@code r} repeats (the logistic router's repeats capped at r). */
    public RiskCurveConfig withRepeats(int r) {
        return new RiskCurveConfig(settings, nMin, nMax, r, seed, knnConstant, evalPoints,
                logisticRepeats == 0 ? 0 : Math.min(Math.max(2, r), logisticRepeats), logisticEpochs,
                logisticLearningRate, logisticL2, tolerance);
    }

    public RiskCurveConfig withLogisticRepeats(int r) {
        return new RiskCurveConfig(settings, nMin, nMax, repeats, seed, knnConstant, evalPoints, r, logisticEpochs,
                logisticLearningRate, logisticL2, tolerance);
    }

    public RiskCurveConfig withNMax(int max) {
        return new RiskCurveConfig(settings, nMin, max, repeats, seed, knnConstant, evalPoints,
                logisticRepeats, logisticEpochs, logisticLearningRate, logisticL2, tolerance);
    }

    public RiskCurveConfig withSettings(List<SyntheticSetting> s) {
        return new RiskCurveConfig(s, nMin, nMax, repeats, seed, knnConstant, evalPoints,
                logisticRepeats, logisticEpochs, logisticLearningRate, logisticL2, tolerance);
    }

    public RiskCurveConfig withEvalPoints(int points) {
        return new RiskCurveConfig(settings, nMin, nMax, repeats, seed, knnConstant, points,
                logisticRepeats, logisticEpochs, logisticLearningRate, logisticL2, tolerance);
    }

    // ============================================================================================ JSON

    /** The configuration as JSON (the format of {@code datasets/synthetic-default.json}). */
    public ObjectNode toJson() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("seed", seed);
        o.put("repeats", repeats);
        o.put("n_min", nMin);
        o.put("n_max", nMax);
        o.put("knn_constant", knnConstant);
        o.put("eval_points", evalPoints);
        ObjectNode lg = o.putObject("logistic");
        lg.put("repeats", logisticRepeats);
        lg.put("epochs", logisticEpochs);
        lg.put("learning_rate", logisticLearningRate);
        lg.put("l2", logisticL2);
        o.put("tolerance", tolerance);
        ArrayNode ss = o.putArray("settings");
        for (SyntheticSetting s : settings) {
            ObjectNode so = ss.addObject();
            so.put("name", s.name());
            so.put("dimension", s.dimension());
            so.put("beta", s.beta());
            so.put("alpha", s.alpha());
            so.put("mu", s.mu());
            so.put("base_quality", s.baseQuality());
            so.put("amplitude", s.amplitude());
            so.put("width", s.width());
            so.put("shape", s.shape().id());
            ArrayNode ms = so.putArray("models");
            for (SyntheticSetting.Model m : s.models()) {
                ObjectNode mo = ms.addObject();
                mo.put("name", m.name());
                mo.put("cost", m.cost());
                if (!m.isBaseline()) {
                    ArrayNode c = mo.putArray("centre");
                    for (double v : m.centre()) {
                        c.add(v);
                    }
                    mo.put("radius", m.radius());
                }
            }
        }
        return o;
    }

    /** The JSON text, pretty-printed, ending in a newline. */
    public String toJsonText() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the configuration as JSON", e);
        }
    }

    /**
     * Reads a configuration file.
     *
     * @throws IOException              if the file cannot be read or is not JSON
     * @throws IllegalArgumentException if a value is missing, of the wrong type or invalid (the message names the
     *                                  file and the field)
     */
    public static RiskCurveConfig load(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "risk-curves configuration not found (the default"
                    + " is datasets/synthetic-default.json)");
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON form (see {@link #toJson()}); unknown fields are errors, so typos do not pass silently. */
    public static RiskCurveConfig fromJson(JsonNode root) {
        Fields f = new Fields(root, "");
        f.allow("format", "version", "seed", "repeats", "n_min", "n_max", "knn_constant", "eval_points", "logistic",
                "tolerance", "settings", "description");
        String format = f.text("format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = f.integer("version");
        if (version > VERSION) {
            throw new IllegalArgumentException("format version " + version + " is newer than this carrot reads ("
                    + VERSION + "): upgrade carrot");
        }
        if (version < 1) {
            throw new IllegalArgumentException("format version must be >= 1, got " + version);
        }
        Fields lg = f.object("logistic");
        lg.allow("repeats", "epochs", "learning_rate", "l2");
        List<SyntheticSetting> settings = new ArrayList<>();
        JsonNode arr = f.array("settings");
        for (int i = 0; i < arr.size(); i++) {
            Fields s = new Fields(arr.get(i), "settings[" + i + "].");
            s.allow("name", "dimension", "beta", "alpha", "mu", "base_quality", "amplitude", "width", "shape", "models",
                    "description");
            List<SyntheticSetting.Model> models = new ArrayList<>();
            JsonNode ms = s.array("models");
            for (int j = 0; j < ms.size(); j++) {
                Fields m = new Fields(ms.get(j), s.prefix + "models[" + j + "].");
                m.allow("name", "cost", "centre", "radius");
                double[] centre = null;
                double radius = 0;
                if (m.has("centre")) {
                    JsonNode c = m.array("centre");
                    centre = new double[c.size()];
                    for (int t = 0; t < c.size(); t++) {
                        if (!c.get(t).isNumber()) {
                            throw new IllegalArgumentException(m.prefix + "centre[" + t + "]: expected a number, got "
                                    + c.get(t));
                        }
                        centre[t] = c.get(t).asDouble();
                    }
                    radius = m.number("radius");
                } else if (m.has("radius")) {
                    throw new IllegalArgumentException(m.prefix + "radius given without a centre (the baseline has"
                            + " neither)");
                }
                models.add(new SyntheticSetting.Model(m.text("name"), m.number("cost"), centre, radius));
            }
            settings.add(new SyntheticSetting(s.text("name"), s.integer("dimension"), s.number("beta"),
                    s.number("alpha"), s.number("mu"), s.number("base_quality"), s.number("amplitude"),
                    s.number("width"), s.has("shape") ? SyntheticSetting.Shape.parse(s.text("shape"))
                    : SyntheticSetting.Shape.BALL, models));
        }
        return new RiskCurveConfig(settings, f.integer("n_min"), f.integer("n_max"), f.integer("repeats"),
                f.longValue("seed"), f.number("knn_constant"), f.integer("eval_points"), lg.integer("repeats"),
                lg.integer("epochs"), lg.number("learning_rate"), lg.number("l2"), f.number("tolerance"));
    }

    /** Strict access to the fields of one JSON object, with the path in every message. */
    private static final class Fields {
        final JsonNode node;
        final String prefix;

        Fields(JsonNode node, String prefix) {
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException((prefix.isEmpty() ? "the configuration"
                        : prefix.substring(0, prefix.length() - 1)) + ": expected a JSON object, got " + node);
            }
            this.node = node;
            this.prefix = prefix;
        }

        void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!ok.contains(n)) {
                    throw new IllegalArgumentException(prefix + n + ": unknown field (expected one of "
                            + new java.util.TreeSet<>(ok) + ")");
                }
            }
        }

        boolean has(String name) {
            return node.hasNonNull(name);
        }

        private JsonNode get(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(prefix + name + ": missing");
            }
            return v;
        }

        String text(String name) {
            JsonNode v = get(name);
            if (!v.isTextual()) {
                throw new IllegalArgumentException(prefix + name + ": expected a string, got " + v);
            }
            return v.asText();
        }

        double number(String name) {
            JsonNode v = get(name);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(prefix + name + ": expected a number, got " + v);
            }
            return v.asDouble();
        }

        int integer(String name) {
            JsonNode v = get(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(prefix + name + ": expected an integer, got " + v);
            }
            return v.asInt();
        }

        long longValue(String name) {
            JsonNode v = get(name);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new IllegalArgumentException(prefix + name + ": expected an integer, got " + v);
            }
            return v.asLong();
        }

        JsonNode array(String name) {
            JsonNode v = get(name);
            if (!v.isArray()) {
                throw new IllegalArgumentException(prefix + name + ": expected an array, got " + v);
            }
            return v;
        }

        Fields object(String name) {
            return new Fields(get(name), prefix + name + ".");
        }
    }
}

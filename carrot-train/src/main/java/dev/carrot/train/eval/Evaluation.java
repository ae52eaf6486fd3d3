package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.train.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The summary table of {@link EvalJob}: each router's curve over lambda, each single model, and the oracle, with the
 * summary metrics, written as {@code curves.csv}, {@code summary.json} and a plot.
 */
final class Evaluation {
    private final String dataset;
    private final int nTrain;
    private final int n;
    private final int m;
    private final List<String> models;
    private final double[] trueQ;
    private final double[] trueC;
    private final boolean hasCost;
    private final List<Curve> routers = new ArrayList<>();
    private final double[] singleCost;
    private final double[] singleQuality;
    private final double oracleCost;
    private final double oracleQuality;
    private final int best;
    private final int deployable; // -1: none given
    private final double[] chosenOnQuality; // the quality the deployable model was chosen on, per model
    private final String chosenOn;
    private final java.util.Map<String, ObjectNode> comparisons = new java.util.LinkedHashMap<>();
    private final ObjectNode extra;

    /**
     * @param trueQ   realised quality on the evaluation prompts, n x m
     * @param trueC   realised cost USD, n x m (zeros when {@code hasCost} is false)
     * @param hasCost whether the data has costs; without, only quality is reported
     */
    public Evaluation(String dataset, int nTrain, List<String> models, double[] trueQ, double[] trueC, boolean hasCost) {
        this(dataset, nTrain, models, trueQ, trueC, hasCost, -1, null, null);
    }

    /**
     * @param deployable      the deployable single model (chosen before the test outcomes were seen), or -1
     * @param chosenOnQuality per model, the quality it was chosen on (validation means), or null with -1
     * @param chosenOn        which prompts it was chosen on ({@code "validation"}), or null with -1
     */
    public Evaluation(String dataset, int nTrain, List<String> models, double[] trueQ, double[] trueC, boolean hasCost,
                      int deployable, double[] chosenOnQuality, String chosenOn) {
        if (deployable >= models.size() || (deployable >= 0 && (chosenOnQuality == null
                || chosenOnQuality.length != models.size()))) {
            throw new IllegalArgumentException("deployable model " + deployable + " of " + models.size()
                    + " models needs the quality it was chosen on for every model");
        }
        this.deployable = Math.max(-1, deployable);
        this.chosenOnQuality = chosenOnQuality == null ? null : chosenOnQuality.clone();
        this.chosenOn = chosenOn;
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.nTrain = nTrain;
        this.models = List.copyOf(models);
        this.m = models.size();
        this.n = trueQ.length / m;
        if (n == 0) {
            throw new IllegalArgumentException("no evaluation prompts (the test split is empty)");
        }
        this.trueQ = trueQ.clone();
        this.trueC = trueC.clone();
        this.hasCost = hasCost;
        this.extra = new ObjectMapper().createObjectNode();
        singleCost = new double[m];
        singleQuality = new double[m];
        double oc = 0;
        double oq = 0;
        for (int i = 0; i < n; i++) {
            int pick = 0;
            for (int j = 0; j < m; j++) {
                singleCost[j] += trueC[i * m + j];
                singleQuality[j] += trueQ[i * m + j];
                double q = trueQ[i * m + j];
                double bq = trueQ[i * m + pick];
                if (q > bq || (q == bq && trueC[i * m + j] < trueC[i * m + pick])) {
                    pick = j;
                }
            }
            oc += trueC[i * m + pick];
            oq += trueQ[i * m + pick];
        }
        for (int j = 0; j < m; j++) {
            singleCost[j] /= n;
            singleQuality[j] /= n;
        }
        oracleCost = oc / n;
        oracleQuality = oq / n;
        int b = 0;
        for (int j = 1; j < m; j++) {
            if (singleQuality[j] > singleQuality[b] || (singleQuality[j] == singleQuality[b]
                    && singleCost[j] < singleCost[b])) {
                b = j;
            }
        }
        best = b;
    }

    public void add(Curve curve) {
        routers.add(Objects.requireNonNull(curve, "curve"));
    }

    /** Extra top-level summary content (notes, comparisons). */
    public ObjectNode extra() {
        return extra;
    }

    public List<Curve> curves() {
        return List.copyOf(routers);
    }

    public int prompts() {
        return n;
    }

    public double cheapestSingleCost() {
        double c = Double.POSITIVE_INFINITY;
        for (double v : singleCost) {
            c = Math.min(c, v);
        }
        return c;
    }

    public double dearestSingleCost() {
        double c = 0;
        for (double v : singleCost) {
            c = Math.max(c, v);
        }
        return c;
    }

    public String bestModel() {
        return models.get(best);
    }

    public double bestQuality() {
        return singleQuality[best];
    }

    public double bestCost() {
        return singleCost[best];
    }

    public double singleQuality(int j) {
        return singleQuality[j];
    }

    public double singleCost(int j) {
        return singleCost[j];
    }

    public double oracleQuality() {
        return oracleQuality;
    }

    public double oracleCost() {
        return oracleCost;
    }

    /**
     * The summary metrics of one curve.
     *
     * @param costToMatchDeployable the cost at which the curve first reaches the deployable model's test quality, as
     *                              a fraction of that model's test cost (NaN when it never does, or without costs or
     *                              a deployable model)
     */
    public record RouterMetrics(String name, double area, double qualityAtLambda0, double costToMatchBest,
                                double costToMatchDeployable) {
    }

    public RouterMetrics metrics(Curve c) {
        double q0 = c.quality()[0];
        if (!hasCost) {
            return new RouterMetrics(c.name(), Double.NaN, q0, Double.NaN, Double.NaN);
        }
        return new RouterMetrics(c.name(), Metrics.area(c.cost(), c.quality(), cheapestSingleCost(),
                dearestSingleCost()), q0, Metrics.costToMatch(c.cost(), c.quality(), bestQuality(), bestCost()),
                deployable < 0 ? Double.NaN : Metrics.costToMatch(c.cost(), c.quality(), singleQuality[deployable],
                        singleCost[deployable]));
    }

    /**
     * Records a router's paired differences to {@code baseline} (metric name -> difference), reported in the
     * summary as {@code vs_<baseline>}: {@code area_diff, ci_low, ci_high} (the area's, for the table), and
     * every metric's difference with its paired and unpaired intervals.
     */
    public void compare(String router, String baseline, int resamples, java.util.Map<String, Bootstrap.Difference> d) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        Bootstrap.Difference area = d.get("area");
        Bootstrap.Difference q0 = d.get("quality_at_lambda0");
        Bootstrap.Difference main = area != null ? area : q0;
        putNum(o, "area_diff", area == null ? Double.NaN : area.value());
        putNum(o, "ci_low", area == null ? Double.NaN : area.lo());
        putNum(o, "ci_high", area == null ? Double.NaN : area.hi());
        putNum(o, "unpaired_ci_low", area == null ? Double.NaN : area.unpairedLo());
        putNum(o, "unpaired_ci_high", area == null ? Double.NaN : area.unpairedHi());
        o.put("excludes_zero", main != null && main.excludesZero());
        o.put("resamples", resamples);
        o.put("paired", true);
        ObjectNode all = o.putObject("metrics");
        d.forEach((metric, diff) -> all.set(metric, EvalJob.differenceJson(diff)));
        comparisons.put(router + "\u0000" + baseline, o);
    }

    /** A router's recorded comparison with {@code baseline}, if any. */
    java.util.Optional<ObjectNode> comparison(String router, String baseline) {
        return java.util.Optional.ofNullable(comparisons.get(router + "\u0000" + baseline));
    }

    public int deployableModel() {
        return deployable;
    }

    // ------------------------------------------------------------------------------------------------ output

    /** {@code router,lambda,cost_per_query,quality}: every router at every lambda, single models and the oracle. */
    public String curvesCsv() {
        StringBuilder sb = new StringBuilder("router,lambda,cost_per_query,quality\n");
        for (Curve c : routers) {
            int points = hasCost ? c.points() : 1;
            for (int g = 0; g < points; g++) {
                sb.append(EvalJob.csvCell(c.name())).append(',').append(EvalJob.num(c.lambda()[g])).append(',')
                        .append(hasCost ? EvalJob.num(c.cost()[g]) : "").append(',')
                        .append(EvalJob.num(c.quality()[g])).append('\n');
            }
        }
        for (int j = 0; j < m; j++) {
            sb.append(EvalJob.csvCell("model:" + models.get(j))).append(",,")
                    .append(hasCost ? EvalJob.num(singleCost[j]) : "").append(',')
                    .append(EvalJob.num(singleQuality[j])).append('\n');
        }
        sb.append("oracle,,").append(hasCost ? EvalJob.num(oracleCost) : "").append(',')
                .append(EvalJob.num(oracleQuality))
                .append('\n');
        return sb.toString();
    }

    public ObjectNode summary() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode s = om.createObjectNode();
        s.put("dataset", dataset);
        s.put("n_train", nTrain);
        s.put("n_test", n);
        s.put("has_cost", hasCost);
        if (!hasCost) {
            s.put("note", "the dataset has no costs or token counts: this evaluation reports quality only (area and"
                    + " cost_to_match_best are null, and every lambda routes the same way)");
        }
        ObjectNode bs = s.putObject("best_single");
        bs.put("model", models.get(best));
        bs.put("quality", singleQuality[best]);
        putNum(bs, "cost", hasCost ? singleCost[best] : Double.NaN);
        if (deployable >= 0) {
            ObjectNode ds = s.putObject("deployable_single");
            ds.put("model", models.get(deployable));
            ds.put("chosen_on", chosenOn);
            ds.put("chosen_on_quality", chosenOnQuality[deployable]);
            ds.put("quality", singleQuality[deployable]);
            putNum(ds, "cost", hasCost ? singleCost[deployable] : Double.NaN);
        }
        ObjectNode o = s.putObject("oracle");
        o.put("quality", oracleQuality);
        putNum(o, "cost", hasCost ? oracleCost : Double.NaN);
        if (hasCost) {
            ObjectNode range = s.putObject("area_cost_range");
            range.put("c_lo", cheapestSingleCost());
            range.put("c_hi", dearestSingleCost());
        }
        ArrayNode rs = s.putArray("routers");
        for (Curve c : routers) {
            RouterMetrics rm = metrics(c);
            ObjectNode r = rs.addObject();
            r.put("name", rm.name());
            putNum(r, "area", rm.area());
            r.put("quality_at_lambda0", rm.qualityAtLambda0());
            putNum(r, "cost_to_match_best", rm.costToMatchBest());
            if (hasCost) {
                Metrics.Gap gap = Metrics.largestGap(c.cost(), c.quality(), singleCost, singleQuality);
                if (gap != null) {
                    ObjectNode g = r.putObject("largest_single_model_gap");
                    g.put("model", models.get(gap.model()));
                    g.put("gap", gap.gap());
                    g.put("model_cost", gap.cost());
                    g.put("model_quality", gap.quality());
                    g.put("curve_quality", gap.curveQuality());
                }
            }
            if (deployable >= 0) {
                putNum(r, "cost_to_match_deployable", rm.costToMatchDeployable());
            }
            comparison(c.name(), EvalJob.PAPER_ROUTER).ifPresent(v -> r.set("vs_" + EvalJob.PAPER_ROUTER, v));
        }
        ArrayNode singles = s.putArray("single_models");
        for (int j = 0; j < m; j++) {
            ObjectNode e = singles.addObject();
            e.put("model", models.get(j));
            e.put("quality", singleQuality[j]);
            putNum(e, "cost", hasCost ? singleCost[j] : Double.NaN);
        }
        s.setAll(extra);
        return s;
    }

    /** Published reference results ({@code {n_test, routers: {NAME: {area, quality_at_lambda0}}}}) next to ours. */
    ObjectNode reference(com.fasterxml.jackson.databind.JsonNode ref) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.set("published", ref);
        boolean sameSplit = ref.path("n_test").asInt() == prompts();
        out.put("same_test_prompts", sameSplit);
        List<String> lines = new ArrayList<>();
        for (Curve c : routers) {
            com.fasterxml.jackson.databind.JsonNode r = ref.path("routers").path(c.name());
            RouterMetrics mm = metrics(c);
            if (r.has("area")) {
                ObjectNode d = out.putObject(c.name() + "_vs_reference");
                d.put("area", mm.area());
                d.put("reference_area", r.get("area").asDouble());
                d.put("area_difference", mm.area() - r.get("area").asDouble());
                d.put("quality_at_lambda0", mm.qualityAtLambda0());
                d.put("reference_quality_at_lambda0", r.path("quality_at_lambda0").asDouble());
            }
            if (ref.path("routers").has("knn")) {
                lines.add(String.format(java.util.Locale.ROOT, "%s: area %.4f (%+.4f vs the reference KNN's %.3f)",
                        c.name(), mm.area(), mm.area() - ref.path("routers").path("knn").path("area").asDouble(),
                        ref.path("routers").path("knn").path("area").asDouble()));
            }
        }
        ArrayNode a = out.putArray("comparison");
        lines.forEach(a::add);
        return out;
    }

    /** Writes {@code curves.csv}, {@code summary.json} and {@code curves.png} into {@code dir}. */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve("curves.csv"), curvesCsv());
        AtomicFiles.write(dir.resolve("summary.json"), out -> new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, summary()));
        CurvePlot.write(this, models, dir.resolve("curves.png"), hasCost);
    }

    double[] singleCosts() {
        return singleCost.clone();
    }

    double[] singleQualities() {
        return singleQuality.clone();
    }

    private static void putNum(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }


}

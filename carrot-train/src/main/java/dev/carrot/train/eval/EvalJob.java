package dev.carrot.train.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.DecisionRule;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.train.AtomicFiles;
import dev.carrot.train.Matrices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The paper's evaluation of trained routers on the test prompts: every router's curve over lambda next to baselines
 * (single models, oracle, random mixing of the cheapest and the best model, a RouterBench-style router, a two-model
 * threshold router, a shuffled control, and the main router's rule without its fixed-model policy when that policy
 * calls fixed models), metrics with 95% bootstrap intervals, the same metrics per task, and
 * the budget calibration (budget -> mu chosen on validation, realised on test). Writes CSV, PNG and SVG.
 */
public final class EvalJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvalJob.class);
    /** Fractions of the dearest (for the metrics) or best (for the per-task figure) model's cost. */
    public static final double[] BUDGET_FRACTIONS = {0.1, 0.2, 0.3};

    /**
     * @param bootstrap replicates for the confidence intervals
     * @param seed      seed of the bootstrap, the random-mix baseline and the shuffled control
     */
    public record Options(int bootstrap, long seed) {
        public Options {
            if (bootstrap < 0) {
                throw new IllegalArgumentException("bootstrap replicates must be >= 0, got " + bootstrap);
            }
        }

        public Options() {
            this(1000, 42);
        }
    }

    /**
     * A router's predictions on the test prompts.
     *
     * @param predQ       predicted quality, test x models
     * @param predC       predicted cost USD, test x models
     * @param calibration its budget calibration (validation), if any: the policy's when it has one
     * @param policy      its fixed-model policy, if any: the curves route through it as the router does
     * @param costBounds  its upper cost bounds on the test prompts, if any
     */
    public record Routed(String name, double[] predQ, double[] predC, Optional<BudgetCalibration> calibration,
                         Optional<FixedModelPolicy> policy, Optional<Bounds> costBounds) {
        public Routed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(calibration, "calibration");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(costBounds, "costBounds");
        }

        /** A router without a fixed-model policy or cost bounds. */
        public Routed(String name, double[] predQ, double[] predC, Optional<BudgetCalibration> calibration) {
            this(name, predQ, predC, calibration, Optional.empty(), Optional.empty());
        }

        /** The model index this router sends test prompt {@code i} to at {@code mu}. */
        int choose(int i, int m, double mu, double costScale) {
            int fixed = policy.map(p -> p.fixedAt(mu)).orElse(FixedModelPolicy.ROUTER);
            return fixed != FixedModelPolicy.ROUTER ? fixed
                    : DecisionRule.choose(predQ, predC, i * m, m, mu, costScale, null);
        }
    }

    /**
     * A router's upper cost bounds on the test prompts ({@code Router.costUpperBounds}).
     *
     * @param confidences the confidences of the bounds
     * @param upperUsd    per confidence, the bounds in USD, test x models (infinite where the router cannot certify
     *                    the confidence)
     */
    public record Bounds(double[] confidences, double[][] upperUsd) {
        public Bounds {
            if (confidences.length != upperUsd.length || confidences.length == 0) {
                throw new IllegalArgumentException("cost bounds need at least one confidence and one set of bounds per"
                        + " confidence, got " + confidences.length + " and " + upperUsd.length);
            }
        }
    }

    /**
     * What to evaluate.
     *
     * @param models     model names
     * @param trueQ      realised quality on the test prompts, test x models
     * @param trueC      realised cost USD on the test prompts (zeros without costs)
     * @param tasks      task label per test prompt (null entries allowed), or null
     * @param trainMeanQ mean quality per model on the training prompts (for choosing baseline models)
     * @param trainMeanC mean cost per model on the training prompts (RouterBench-style costs)
     * @param costScale  the routers' cost scale in USD
     * @param routers    routers, the first being the main one the baselines are built around
     * @param validationMeanQ mean quality per model on the validation prompts: the deployable single model is the
     *                   best of them (ties: the cheaper on the training prompts)
     */
    public record Input(String dataset, int nTrain, List<String> models, double[] trueQ, double[] trueC,
                        boolean hasCost, String[] tasks, double[] trainMeanQ, double[] trainMeanC,
                        double costScale, List<Routed> routers, double[] validationMeanQ) {

        public Input {
            Objects.requireNonNull(models, "models");
            Objects.requireNonNull(routers, "routers");
            if (routers.isEmpty()) {
                throw new IllegalArgumentException("no routers to evaluate");
            }
            if (validationMeanQ.length != models.size() || trainMeanQ.length != models.size()
                    || trainMeanC.length != models.size()) {
                throw new IllegalArgumentException("per-model means must have one value per model (" + models.size()
                        + "), got validation " + validationMeanQ.length + ", train quality " + trainMeanQ.length
                        + ", train cost " + trainMeanC.length);
            }
        }

        /**
         * Which prompts the deployable single model is chosen on: {@code "validation"}, or {@code "training"} when
         * the input was made without validation means (then {@code validationMeanQ} is {@code trainMeanQ} itself).
         */
        public String deployableChosenOn() {
            return validationMeanQ == trainMeanQ ? "training" : "validation";
        }

        /**
         * An input whose deployable single model is chosen on the training prompts ({@code trainMeanQ}), for
         * callers without a validation split.
         */
        public Input(String dataset, int nTrain, List<String> models, double[] trueQ, double[] trueC,
                     boolean hasCost, String[] tasks, double[] trainMeanQ, double[] trainMeanC, double costScale,
                     List<Routed> routers) {
            this(dataset, nTrain, models, trueQ, trueC, hasCost, tasks, trainMeanQ, trainMeanC, costScale, routers,
                    trainMeanQ);
        }

        /**
         * The input for routers evaluated on a dataset's test rows.
         *
         * @param testRows  the rows the routers' predictions are for, in their order
         * @param trainRows the rows the routers were fitted on (for the baselines' choice of models)
         * @param trueCosts every row's realised cost per model in USD (zeros when {@code hasCost} is false)
         */
        public static Input of(RoutingDataset data, int[] testRows, int[] trainRows, double[] trueCosts,
                               boolean hasCost, double costScale, List<Routed> routers) {
            int m = data.modelCount();
            double[] allQ = data.qualityMatrix();
            int[] validation = data.indicesOf(RoutingDataset.VALIDATION);
            double[] trainMeanQ = Matrices.columnMeans(allQ, m, trainRows);
            return new Input(data.provenance().source(), trainRows.length, data.models(),
                    Matrices.rows(allQ, m, testRows), Matrices.rows(trueCosts, m, testRows), hasCost,
                    Matrices.tasks(data, testRows), trainMeanQ, Matrices.columnMeans(trueCosts, m, trainRows),
                    costScale, routers, validation.length > 0 ? Matrices.columnMeans(allQ, m, validation)
                            : trainMeanQ);
        }
    }

    /** The router the others are compared with: the paper's KNN router. */
    public static final String PAPER_ROUTER = "knn";

    /**
     * The deployable single model: the best on the validation prompts (or on the training prompts when the input
     * has no validation means), ties to the cheaper on the training prompts. Unlike the best model on test, it could
     * have been chosen before seeing the test outcomes.
     */
    public static int deployable(Input in) {
        double[] q = in.validationMeanQ();
        int b = 0;
        for (int j = 1; j < q.length; j++) {
            if (q[j] > q[b] || (q[j] == q[b] && in.trainMeanC()[j] < in.trainMeanC()[b])) {
                b = j;
            }
        }
        return b;
    }

    /**
     * What the paper's evaluation found: its summary ({@code eval.json}) and, per router other than
     * {@link #PAPER_ROUTER}, the paired differences of its metrics to that router (empty when there is none).
     */
    record PaperResult(ObjectNode summary, Map<String, Map<String, Bootstrap.Difference>> vsKnn,
                       Optional<ArrayNode> costBounds) {
    }

    private final Options options;

    public EvalJob(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Runs the paper's evaluation and writes it into {@code dir}; returns its summary. The paired comparisons are
     * with the {@link #PAPER_ROUTER}.
     */
    public ObjectNode run(Input in, Path dir) throws IOException {
        return run(in, dir, PAPER_ROUTER);
    }

    /**
     * As {@link #run(Input, Path)}, with every other curve compared, paired, with the router named {@code reference}
     * (named as the {@code baseline} of each entry of {@code paired} and of {@code paired.csv}); no paired comparisons
     * when no router has that name.
     */
    public ObjectNode run(Input in, Path dir, String reference) throws IOException {
        Objects.requireNonNull(reference, "reference is null; expected a router's name such as " + PAPER_ROUTER);
        return paperEvaluation(in, routerCurves(in), dir, reference).summary();
    }

    /**
     * The evaluation of a training run: the routers' curves with every single model and the oracle
     * ({@code out/curves.csv}, {@code out/curves.png}, and {@code out/summary.json} with {@code extra} and the
     * comparison with {@code reference} results if given), then the paper's evaluation into {@code out/eval}
     * ({@link #run}). {@code extra}'s {@code seconds} object, if any, gets the time the paper's evaluation took and
     * the total since {@code startNanos}.
     *
     * @param order      the routers' order in the summary and {@code curves.csv} (names of {@code in}'s routers)
     * @return the summary written to {@code out/summary.json}
     */
    public ObjectNode runWithSummary(Input in, Path out, List<String> order, ObjectNode extra,
                                     Optional<JsonNode> reference, long startNanos) throws IOException {
        List<Curve> routers = routerCurves(in);
        Evaluation e = new Evaluation(in.dataset(), in.nTrain(), in.models(), in.trueQ(), in.trueC(), in.hasCost(),
                deployable(in), in.validationMeanQ(), in.deployableChosenOn());
        for (String name : order) {
            e.add(routers.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("no router named '" + name + "' to evaluate")));
        }
        e.extra().setAll(extra);
        reference.ifPresent(r -> e.extra().set("reference", e.reference(r)));
        e.write(out);
        long t = System.nanoTime();
        PaperResult paper = paperEvaluation(in, routers, out.resolve("eval"), PAPER_ROUTER);
        paper.vsKnn().forEach((name, diffs) -> e.compare(name, PAPER_ROUTER, options.bootstrap(), diffs));
        paper.costBounds().ifPresent(b -> e.extra().set("cost_bounds", b));
        if (e.extra().get("seconds") instanceof ObjectNode seconds) {
            seconds.put("paper_evaluation", (System.nanoTime() - t) / 1e9);
            seconds.put("total", (System.nanoTime() - startNanos) / 1e9);
        }
        e.write(out);
        return e.summary();
    }

    /** Every router's curve over the lambda grid (one point without costs). */
    private static List<Curve> routerCurves(Input in) {
        int m = in.models().size();
        int n = in.trueQ().length / m;
        double[] grid = in.hasCost() ? Curve.paperGrid() : new double[]{0};
        List<Curve> routerCurves = new ArrayList<>();
        for (Routed r : in.routers()) {
            routerCurves.add(Curve.sweep(r.name(), r.predQ(), r.predC(), in.trueQ(), in.trueC(), n, m,
                    in.costScale(), grid, r.policy().orElse(null)));
        }
        return routerCurves;
    }

    private PaperResult paperEvaluation(Input in, List<Curve> routerCurves, Path dir, String reference)
            throws IOException {
        int m = in.models().size();
        int n = in.trueQ().length / m;
        List<Curve> baselines = in.hasCost() ? baselines(in, routerCurves.get(0), n, m) : List.of();
        List<Curve> all = new ArrayList<>(routerCurves);
        all.addAll(baselines);
        int deployable = deployable(in);

        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode summary = om.createObjectNode();
        summary.put("dataset", in.dataset());
        summary.put("n_train", in.nTrain());
        summary.put("n_test", n);
        summary.put("has_cost", in.hasCost());
        summary.put("bootstrap_replicates", options.bootstrap());
        summary.put("main_router", routerCurves.get(0).name());
        ArrayNode names = summary.putArray("routers");
        routerCurves.forEach(c -> names.add(c.name()));
        summary.set("deployable_single", deployableJson(in, deployable, n, m));
        int[] allRows = range(n);
        // one set of resamples for every curve: each replicate draws the same prompts for all of them, so that
        // differences between curves are paired
        int[][] w = Bootstrap.weights(n, options.bootstrap(), options.seed());
        Map<String, Replicated> replicated = new LinkedHashMap<>();
        Map<String, Map<String, Bootstrap.Interval>> metrics = new LinkedHashMap<>();
        for (Curve c : all) {
            Replicated r = replicate(in, c, allRows, w, deployable);
            replicated.put(c.name(), r);
            metrics.put(c.name(), r.intervals());
        }
        Map<String, Map<String, Bootstrap.Difference>> vsKnn = paired(replicated, routerCurves, summary, dir,
                reference);
        ArrayNode mj = summary.putArray("metrics");
        StringBuilder csv = new StringBuilder("router,metric,value,ci_low,ci_high,defined_fraction\n");
        metrics.forEach((name, ms) -> {
            ObjectNode o = mj.addObject();
            o.put("router", name);
            ms.forEach((metric, iv) -> {
                ObjectNode e = o.putObject(metric);
                put(e, "value", iv.value());
                put(e, "ci_low", iv.lo());
                put(e, "ci_high", iv.hi());
                csv.append(csvCell(name)).append(',').append(metric).append(',').append(num(iv.value())).append(',')
                        .append(num(iv.lo())).append(',').append(num(iv.hi())).append(',').append(num(iv.defined()))
                        .append('\n');
            });
        });
        AtomicFiles.writeString(dir.resolve("metrics.csv"), csv.toString());

        // curves with baselines
        Evaluation e = new Evaluation(in.dataset(), in.nTrain(), in.models(), in.trueQ(), in.trueC(), in.hasCost());
        all.forEach(e::add);
        AtomicFiles.writeString(dir.resolve("curves.csv"), e.curvesCsv());
        EvalPlots.curves(e, in.models(), dir.resolve("curves"), in.hasCost());

        // per task
        if (in.tasks() != null) {
            ObjectNode pt = perTask(in, routerCurves, dir);
            summary.set("per_task", pt);
        }
        // budget calibration
        if (in.hasCost()) {
            ArrayNode cal = calibration(in, dir);
            if (!cal.isEmpty()) {
                summary.set("calibration", cal);
            }
        }
        // how often the realised cost is within each router's upper bound
        Optional<ArrayNode> bounds = in.hasCost() ? costBoundCoverage(in, dir) : Optional.empty();
        bounds.ifPresent(b -> summary.set("cost_bounds", b));
        AtomicFiles.write(dir.resolve("eval.json"), out -> om.writeValue(out, summary));
        LOG.info("evaluation written to {}", dir.toAbsolutePath());
        return new PaperResult(summary, vsKnn, bounds);
    }

    private static ObjectNode deployableJson(Input in, int deployable, int n, int m) {
        ObjectNode d = new ObjectMapper().createObjectNode();
        d.put("model", in.models().get(deployable));
        d.put("chosen_on", in.deployableChosenOn());
        d.put("chosen_on_quality", in.validationMeanQ()[deployable]);
        double q = 0;
        double c = 0;
        for (int i = 0; i < n; i++) {
            q += in.trueQ()[i * m + deployable];
            c += in.trueC()[i * m + deployable];
        }
        d.put("quality", q / n);
        put(d, "cost", in.hasCost() ? c / n : Double.NaN);
        return d;
    }

    /**
     * Paired differences of every curve other than the reference router to it, on the same resamples: into the
     * summary ({@code paired}) and {@code paired.csv}. Returns the routers' differences.
     */
    private Map<String, Map<String, Bootstrap.Difference>> paired(Map<String, Replicated> replicated,
                                                                  List<Curve> routerCurves, ObjectNode summary,
                                                                  Path dir, String reference) throws IOException {
        Map<String, Map<String, Bootstrap.Difference>> routers = new LinkedHashMap<>();
        Replicated base = routerCurves.stream().anyMatch(c -> c.name().equals(reference))
                ? replicated.get(reference) : null;
        if (base == null) {
            LOG.info("no '{}' router among {}: no paired comparisons", reference, replicated.keySet());
            return routers;
        }
        java.util.Set<String> routerNames = new java.util.HashSet<>();
        routerCurves.forEach(c -> routerNames.add(c.name()));
        ArrayNode pj = summary.putArray("paired");
        StringBuilder csv = new StringBuilder("router,baseline,metric,difference,ci_low,ci_high,unpaired_ci_low,"
                + "unpaired_ci_high,defined_fraction,resamples\n");
        for (Replicated r : replicated.values()) {
            if (r == base) {
                continue;
            }
            Map<String, Bootstrap.Difference> diffs = r.differenceTo(base);
            if (routerNames.contains(r.name())) {
                routers.put(r.name(), diffs);
            }
            ObjectNode o = pj.addObject();
            o.put("router", r.name());
            o.put("baseline", reference);
            diffs.forEach((metric, d) -> {
                o.set(metric, differenceJson(d));
                csv.append(csvCell(r.name())).append(',').append(csvCell(reference)).append(',').append(metric)
                        .append(',')
                        .append(num(d.value())).append(',').append(num(d.lo())).append(',').append(num(d.hi()))
                        .append(',').append(num(d.unpairedLo())).append(',').append(num(d.unpairedHi())).append(',')
                        .append(num(d.defined())).append(',').append(options.bootstrap()).append('\n');
            });
        }
        AtomicFiles.writeString(dir.resolve("paired.csv"), csv.toString());
        return routers;
    }

    /** {@code {difference, ci_low, ci_high, unpaired_ci_low, unpaired_ci_high, defined_fraction}}. */
    static ObjectNode differenceJson(Bootstrap.Difference d) {
        ObjectNode e = new ObjectMapper().createObjectNode();
        put(e, "difference", d.value());
        put(e, "ci_low", d.lo());
        put(e, "ci_high", d.hi());
        put(e, "unpaired_ci_low", d.unpairedLo());
        put(e, "unpaired_ci_high", d.unpairedHi());
        put(e, "defined_fraction", d.defined());
        return e;
    }

    // -------------------------------------------------------------------------------------------- baselines

    private List<Curve> baselines(Input in, Curve main, int n, int m) {
        int best = argmax(in.trainMeanQ());
        int cheap = argmin(in.trainMeanC());
        List<Curve> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(options.seed());
        // random mixing: each prompt goes to the best model with probability p, else to the cheapest
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = r.nextDouble();
        }
        int points = 101;
        double[] p = new double[points];
        int[][] mix = new int[points][n];
        for (int g = 0; g < points; g++) {
            p[g] = g / (double) (points - 1);
            for (int i = 0; i < n; i++) {
                mix[g][i] = u[i] < p[g] ? best : cheap;
            }
        }
        out.add(Curve.ofChoices("random-mix(" + in.models().get(cheap) + ".." + in.models().get(best) + ")", p, mix,
                in.trueQ(), in.trueC(), n, m));
        // RouterBench-style: the main router's quality predictions, each model's mean training cost
        Routed main0 = in.routers().get(0);
        double[] meanC = new double[n * m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(in.trainMeanC(), 0, meanC, i * m, m);
        }
        Curve rb = Curve.sweep("routerbench-style(" + main0.name() + ")", main0.predQ(), meanC, in.trueQ(),
                in.trueC(), n, m, in.costScale(), Curve.paperGrid());
        out.add(rb);
        // the main router without its fixed-model policy: what the policy adds
        if (main0.policy().filter(FixedModelPolicy::usesFixedModels).isPresent()) {
            out.add(Curve.sweep("rule-only(" + main0.name() + ")", main0.predQ(), main0.predC(), in.trueQ(),
                    in.trueC(), n, m, in.costScale(), Curve.paperGrid()));
        }
        // two-model threshold router between the strong (best) and the weak (cheapest) model
        int thresholds = 1001;
        double[] t = new double[thresholds];
        int[][] two = new int[thresholds][n];
        for (int g = 0; g < thresholds; g++) {
            t[g] = -1 + 2.0 * g / (thresholds - 1);
            for (int i = 0; i < n; i++) {
                two[g][i] = main0.predQ()[i * m + cheap] >= main0.predQ()[i * m + best] - t[g] ? cheap : best;
            }
        }
        out.add(Curve.ofChoices("two-model(" + in.models().get(cheap) + "|" + in.models().get(best) + ")", t, two,
                in.trueQ(), in.trueC(), n, m));
        // shuffled control: the main router's own choices, permuted across prompts (one permutation for all lambda)
        int[] perm = range(n);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        int[][] shuffled = new int[main.points()][n];
        for (int g = 0; g < main.points(); g++) {
            for (int i = 0; i < n; i++) {
                shuffled[g][i] = main.choices()[g][perm[i]];
            }
        }
        out.add(Curve.ofChoices("shuffled(" + main0.name() + ")", main.lambda(), shuffled, in.trueQ(), in.trueC(), n,
                m));
        return out;
    }

    // -------------------------------------------------------------------------------------------- metrics

    /**
     * A curve's metrics on the test prompts ({@code point}) and in each bootstrap replicate
     * ({@code reps[metric][replicate]}).
     */
    record Replicated(String name, String[] metrics, double[] point, double[][] reps) {
        /** Each metric with its percentile interval. */
        Map<String, Bootstrap.Interval> intervals() {
            Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
            for (int k = 0; k < metrics.length; k++) {
                out.put(metrics[k], reps[k].length == 0 ? new Bootstrap.Interval(point[k], Double.NaN, Double.NaN, 1)
                        : Bootstrap.Interval.of(point[k], reps[k]));
            }
            return out;
        }

        /** This curve's metrics minus {@code base}'s, replicate by replicate (both must share the resamples). */
        Map<String, Bootstrap.Difference> differenceTo(Replicated base) {
            Map<String, Bootstrap.Difference> out = new LinkedHashMap<>();
            for (int k = 0; k < metrics.length; k++) {
                out.put(metrics[k], Bootstrap.Difference.of(point[k], reps[k], base.point[k], base.reps[k]));
            }
            return out;
        }
    }

    /** The metrics of one curve on a subset of test prompts, with bootstrap intervals. */
    private Map<String, Bootstrap.Interval> metrics(Input in, Curve full, int[] rows, long seed) {
        return replicate(in, full, rows, Bootstrap.weights(rows.length, options.bootstrap(), seed), deployable(in))
                .intervals();
    }

    /** The metrics of one curve over {@code rows}, on the full rows and in each resample {@code w[rep]} of them. */
    private static Replicated replicate(Input in, Curve full, int[] rows, int[][] w, int deployable) {
        Curve c = distinct(full);
        double[] point = metricValues(in, c, rows, null, deployable);
        double[][] reps = new double[point.length][w.length];
        for (int rep = 0; rep < w.length; rep++) {
            double[] v = metricValues(in, c, rows, w[rep], deployable);
            for (int k = 0; k < v.length; k++) {
                reps[k][rep] = v[k];
            }
        }
        return new Replicated(full.name(), metricNames(in.hasCost()), point, reps);
    }

    /**
     * The curve without repeated choice vectors: neighbouring lambdas often route every prompt the same way, and the
     * metrics only need each distinct point once (this keeps the bootstrap fast). Lambda 0 stays first.
     */
    static Curve distinct(Curve c) {
        List<Integer> keep = new ArrayList<>();
        java.util.Set<List<Integer>> seen = new java.util.HashSet<>();
        for (int g = 0; g < c.points(); g++) {
            List<Integer> key = java.util.Arrays.stream(c.choices()[g]).boxed().toList();
            if (g == 0 || seen.add(key)) {
                seen.add(key);
                keep.add(g);
            }
        }
        int k = keep.size();
        double[] l = new double[k];
        double[] cost = new double[k];
        double[] q = new double[k];
        int[][] ch = new int[k][];
        for (int i = 0; i < k; i++) {
            int g = keep.get(i);
            l[i] = c.lambda()[g];
            cost[i] = c.cost()[g];
            q[i] = c.quality()[g];
            ch[i] = c.choices()[g];
        }
        return new Curve(c.name(), l, cost, q, ch);
    }

    static String[] metricNames(boolean hasCost) {
        if (!hasCost) {
            return new String[]{"quality_at_lambda0"};
        }
        List<String> n = new ArrayList<>(List.of("area", "cost_to_match_best", "cost_to_match_deployable",
                "quality_at_lambda0"));
        for (double f : BUDGET_FRACTIONS) {
            n.add(String.format(Locale.ROOT, "quality_at_%d%%_of_dearest_cost", Math.round(f * 100)));
        }
        return n.toArray(new String[0]);
    }

    /**
     * The metric values of a curve over {@code rows} (test indices), weighted by {@code w} (null: each once), in the
     * order of {@link #metricNames}. {@code cost_to_match_deployable} is the cost at which the curve first reaches
     * the deployable model's quality on these prompts, as a fraction of that model's cost on them.
     */
    private static double[] metricValues(Input in, Curve c, int[] rows, int[] w, int deployable) {
        int m = in.models().size();
        double[] sc = new double[m];
        double[] sq = new double[m];
        double total = 0;
        for (int k = 0; k < rows.length; k++) {
            int wt = w == null ? 1 : w[k];
            if (wt == 0) {
                continue;
            }
            total += wt;
            for (int j = 0; j < m; j++) {
                sc[j] += wt * in.trueC()[rows[k] * m + j];
                sq[j] += wt * in.trueQ()[rows[k] * m + j];
            }
        }
        int points = c.points();
        double[] cost = new double[points];
        double[] quality = new double[points];
        for (int g = 0; g < points; g++) {
            double cc = 0;
            double qq = 0;
            int[] ch = c.choices()[g];
            for (int k = 0; k < rows.length; k++) {
                int wt = w == null ? 1 : w[k];
                if (wt != 0) {
                    int i = rows[k];
                    cc += wt * in.trueC()[i * m + ch[i]];
                    qq += wt * in.trueQ()[i * m + ch[i]];
                }
            }
            cost[g] = cc / total;
            quality[g] = qq / total;
        }
        if (!in.hasCost()) {
            return new double[]{quality[0]};
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        int best = 0;
        for (int j = 0; j < m; j++) {
            sc[j] /= total;
            sq[j] /= total;
            lo = Math.min(lo, sc[j]);
            hi = Math.max(hi, sc[j]);
            if (sq[j] > sq[best] || (sq[j] == sq[best] && sc[j] < sc[best])) {
                best = j;
            }
        }
        double[] v = new double[4 + BUDGET_FRACTIONS.length];
        v[0] = Metrics.area(cost, quality, lo, hi);
        v[1] = Metrics.costToMatch(cost, quality, sq[best], sc[best]);
        v[2] = Metrics.costToMatch(cost, quality, sq[deployable], sc[deployable]);
        v[3] = quality[0];
        for (int k = 0; k < BUDGET_FRACTIONS.length; k++) {
            v[4 + k] = Metrics.qualityWithin(cost, quality, BUDGET_FRACTIONS[k] * hi);
        }
        return v;
    }

    // -------------------------------------------------------------------------------------------- per task

    private ObjectNode perTask(Input in, List<Curve> routers, Path dir) throws IOException {
        int m = in.models().size();
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        for (int i = 0; i < in.tasks().length; i++) {
            byTask.computeIfAbsent(in.tasks()[i] == null ? "(none)" : in.tasks()[i], k -> new ArrayList<>()).add(i);
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        StringBuilder csv = new StringBuilder("task,n,router,metric,value,ci_low,ci_high\n");
        Map<String, double[]> radar = new LinkedHashMap<>(); // router -> per task x fraction ratio
        List<String> taskNames = new ArrayList<>(byTask.keySet());
        long seed = options.seed();
        for (String task : taskNames) {
            int[] rows = byTask.get(task).stream().mapToInt(Integer::intValue).toArray();
            ObjectNode t = out.putObject(task);
            t.put("n", rows.length);
            // the task's best model and its cost, for the figure
            double[] sc = new double[m];
            double[] sq = new double[m];
            for (int i : rows) {
                for (int j = 0; j < m; j++) {
                    sc[j] += in.trueC()[i * m + j] / rows.length;
                    sq[j] += in.trueQ()[i * m + j] / rows.length;
                }
            }
            int best = argmax(sq);
            t.put("best_model", in.models().get(best));
            t.put("best_quality", sq[best]);
            if (in.hasCost()) {
                t.put("best_cost", sc[best]);
            }
            for (Curve c : routers) {
                Map<String, Bootstrap.Interval> ms = metrics(in, c, rows, seed++);
                ObjectNode r = t.putObject(c.name());
                ms.forEach((metric, iv) -> {
                    put(r, metric, iv.value());
                    csv.append(csvCell(task)).append(',').append(rows.length).append(',').append(csvCell(c.name()))
                            .append(',').append(metric).append(',').append(num(iv.value())).append(',')
                            .append(num(iv.lo())).append(',').append(num(iv.hi())).append('\n');
                });
                if (in.hasCost()) {
                    double[] cost = new double[c.points()];
                    double[] quality = new double[c.points()];
                    for (int g = 0; g < c.points(); g++) {
                        for (int i : rows) {
                            cost[g] += in.trueC()[i * m + c.choices()[g][i]] / rows.length;
                            quality[g] += in.trueQ()[i * m + c.choices()[g][i]] / rows.length;
                        }
                    }
                    double[] vals = radar.computeIfAbsent(c.name(),
                            k -> new double[taskNames.size() * BUDGET_FRACTIONS.length]);
                    int ti = taskNames.indexOf(task);
                    for (int f = 0; f < BUDGET_FRACTIONS.length; f++) {
                        double q = Metrics.qualityWithin(cost, quality, BUDGET_FRACTIONS[f] * sc[best]);
                        double ratio = Double.isNaN(q) ? 0 : q / sq[best];
                        vals[ti * BUDGET_FRACTIONS.length + f] = ratio;
                        r.put(String.format(Locale.ROOT, "quality_over_best_at_%d%%_of_best_cost",
                                Math.round(BUDGET_FRACTIONS[f] * 100)), ratio);
                    }
                }
            }
        }
        AtomicFiles.writeString(dir.resolve("per_task.csv"), csv.toString());
        if (in.hasCost() && !radar.isEmpty()) {
            EvalPlots.perTask(radar, taskNames, routers.get(0).name(), dir.resolve("per_task"));
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------- cost bounds

    /**
     * For each router with cost bounds and each confidence: the share of (test prompt, model) pairs whose realised
     * cost is at most the bound, overall, per model and per task, into {@code cost_bounds.csv}; returns the overall
     * rows with the lowest and highest per-model share (empty when no router has bounds).
     */
    private static Optional<ArrayNode> costBoundCoverage(Input in, Path dir) throws IOException {
        int m = in.models().size();
        int n = in.trueQ().length / m;
        ArrayNode out = new ObjectMapper().createArrayNode();
        Map<String, ObjectNode> coverageByTask = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("router,task,model,confidence,pairs,coverage,infinite_bounds,"
                + "mean_finite_bound_usd,mean_cost_usd,mean_predicted_cost_usd\n");
        for (Routed r : in.routers()) {
            if (r.costBounds().isEmpty()) {
                continue;
            }
            Bounds b = r.costBounds().get();
            for (int k = 0; k < b.confidences().length; k++) {
                double[] u = b.upperUsd()[k];
                if (u.length != n * m) {
                    throw new IllegalArgumentException("router " + r.name() + " has " + u.length + " cost bounds at "
                            + b.confidences()[k] + ", expected test x models = " + n + " x " + m);
                }
                long heldAll = 0;
                long infiniteAll = 0;
                double worst = Double.POSITIVE_INFINITY;
                double best = Double.NEGATIVE_INFINITY;
                String worstModel = null;
                String bestModel = null;
                for (int j = 0; j < m; j++) {
                    long held = 0;
                    long infinite = 0;
                    double boundSum = 0;
                    double costSum = 0;
                    double predSum = 0;
                    for (int i = 0; i < n; i++) {
                        double bound = u[i * m + j];
                        double cost = in.trueC()[i * m + j];
                        if (cost <= bound) {
                            held++;
                        }
                        if (Double.isInfinite(bound)) {
                            infinite++;
                        } else {
                            boundSum += bound;
                        }
                        costSum += cost;
                        predSum += r.predC()[i * m + j];
                    }
                    double share = held / (double) n;
                    if (share < worst) {
                        worst = share;
                        worstModel = in.models().get(j);
                    }
                    if (share > best) {
                        best = share;
                        bestModel = in.models().get(j);
                    }
                    heldAll += held;
                    infiniteAll += infinite;
                    csv.append(csvCell(r.name())).append(",(all),").append(csvCell(in.models().get(j))).append(',')
                            .append(num(b.confidences()[k])).append(',').append(n).append(',').append(num(share))
                            .append(',').append(infinite).append(',')
                            .append(infinite == n ? "" : num(boundSum / (n - infinite))).append(',')
                            .append(num(costSum / n)).append(',').append(num(predSum / n)).append('\n');
                }
                double share = heldAll / (double) (n * m);
                csv.append(csvCell(r.name())).append(",(all),(all models),").append(num(b.confidences()[k]))
                        .append(',').append((long) n * m).append(',').append(num(share)).append(',').append(infiniteAll)
                        .append(",,,\n");
                if (in.tasks() != null) {
                    ObjectNode byTask = new ObjectMapper().createObjectNode();
                    Map<String, long[]> tasks = new java.util.TreeMap<>(); // task -> {held, pairs, infinite}
                    for (int i = 0; i < n; i++) {
                        long[] t = tasks.computeIfAbsent(in.tasks()[i] == null ? "(none)" : in.tasks()[i],
                                x -> new long[3]);
                        for (int j = 0; j < m; j++) {
                            t[0] += in.trueC()[i * m + j] <= u[i * m + j] ? 1 : 0;
                            t[1]++;
                            t[2] += Double.isInfinite(u[i * m + j]) ? 1 : 0;
                        }
                    }
                    for (Map.Entry<String, long[]> t : tasks.entrySet()) {
                        double ts = t.getValue()[0] / (double) t.getValue()[1];
                        byTask.put(t.getKey(), ts);
                        csv.append(csvCell(r.name())).append(',').append(csvCell(t.getKey())).append(",(all models),")
                                .append(num(b.confidences()[k])).append(',').append(t.getValue()[1]).append(',')
                                .append(num(ts)).append(',').append(t.getValue()[2]).append(",,,\n");
                    }
                    coverageByTask.put(r.name() + "@" + k, byTask);
                }
                ObjectNode o = out.addObject();
                o.put("router", r.name());
                o.put("confidence", b.confidences()[k]);
                o.put("pairs", (long) n * m);
                o.put("coverage", share);
                o.put("lowest_model_coverage", worst);
                o.put("lowest_model", worstModel);
                o.put("highest_model_coverage", best);
                o.put("highest_model", bestModel);
                o.put("infinite_bounds", infiniteAll);
                ObjectNode byTask = coverageByTask.get(r.name() + "@" + k);
                if (byTask != null) {
                    o.set("coverage_by_task", byTask);
                }
            }
        }
        if (out.isEmpty()) {
            return Optional.empty();
        }
        AtomicFiles.writeString(dir.resolve("cost_bounds.csv"), csv.toString());
        return Optional.of(out);
    }

    // -------------------------------------------------------------------------------------------- calibration

    /**
     * For a range of budgets: the mu each router's validation calibration picks, and the test cost and quality that
     * mu realises.
     */
    private ArrayNode calibration(Input in, Path dir) throws IOException {
        int m = in.models().size();
        int n = in.trueQ().length / m;
        ArrayNode out = new ObjectMapper().createArrayNode();
        StringBuilder csv = new StringBuilder("router,target_usd,mu,alternative_mu,alternative_probability,"
                + "validation_cost,validation_quality,test_cost,test_quality,test_cost_over_target,reachable\n");
        Map<String, double[][]> plot = new LinkedHashMap<>();
        for (Routed r : in.routers()) {
            if (r.calibration().isEmpty()) {
                continue;
            }
            BudgetCalibration cal = r.calibration().get();
            // budgets spread geometrically from the cheapest positive validation cost to the dearest (a model that
            // costs nothing, self-hosted say, would put 0 at the bottom, where relative errors mean nothing)
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (double c : cal.cost()) {
                if (c > 0) {
                    lo = Math.min(lo, c);
                }
                hi = Math.max(hi, c);
            }
            if (!(hi > 0) || lo == Double.POSITIVE_INFINITY) {
                LOG.info("{}: every validation cost is 0, no budget calibration to report", r.name());
                continue;
            }
            int points = lo < hi ? 25 : 1;
            double[][] xy = new double[2][points];
            List<Double> relErr = new ArrayList<>();
            for (int k = 0; k < points; k++) {
                double target = points == 1 ? hi : lo * Math.pow(hi / lo, k / (double) (points - 1));
                BudgetCalibration.Choice choice = cal.forBudget(target);
                // expected test outcome of the mixed strategy: (1 - p) at mu, p at the alternative mu
                double[] at = testOutcome(r, in, choice.mu(), n, m);
                double[] alt = choice.alternativeProbability() > 0 ? testOutcome(r, in, choice.alternativeMu(), n, m)
                        : at;
                double p = choice.alternativeProbability();
                double tc = (1 - p) * at[0] + p * alt[0];
                double tq = (1 - p) * at[1] + p * alt[1];
                xy[0][k] = target;
                xy[1][k] = tc;
                relErr.add(tc / target - 1);
                csv.append(csvCell(r.name())).append(',').append(num(target)).append(',').append(num(choice.mu()))
                        .append(',').append(num(choice.alternativeMu())).append(',').append(num(p))
                        .append(',').append(num(choice.validationCost())).append(',')
                        .append(num(choice.validationQuality())).append(',').append(num(tc)).append(',')
                        .append(num(tq)).append(',').append(num(tc / target)).append(',').append(choice.reachable())
                        .append('\n');
            }
            plot.put(r.name(), xy);
            double[] abs = relErr.stream().mapToDouble(Math::abs).sorted().toArray();
            ObjectNode o = out.addObject();
            o.put("router", r.name());
            o.put("budgets", points);
            o.put("median_abs_relative_cost_error", Bootstrap.percentile(abs, 0.5));
            o.put("p90_abs_relative_cost_error", Bootstrap.percentile(abs, 0.9));
            o.put("max_abs_relative_cost_error", abs[abs.length - 1]);
            o.put("share_within_10_percent", java.util.Arrays.stream(abs).filter(v -> v <= 0.10).count()
                    / (double) abs.length);
            o.put("mean_relative_cost_error", relErr.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        }
        if (!plot.isEmpty()) {
            AtomicFiles.writeString(dir.resolve("calibration.csv"), csv.toString());
            EvalPlots.calibration(plot, dir.resolve("calibration"));
        }
        return out;
    }

    /** Mean test cost and quality of a router's choices at one mu. */
    private static double[] testOutcome(Routed r, Input in, double mu, int n, int m) {
        double tc = 0;
        double tq = 0;
        for (int i = 0; i < n; i++) {
            int c = r.choose(i, m, mu, in.costScale());
            tc += in.trueC()[i * m + c];
            tq += in.trueQ()[i * m + c];
        }
        return new double[]{tc / n, tq / n};
    }

    // -------------------------------------------------------------------------------------------- text

    /**
     * The terminal form of a training run's summary ({@code summary.json}): the hindsight and the deployable single
     * model, and per router its area, quality at mu = 0 and matching costs, with its paired difference to the KNN
     * router and the 95% interval of that difference.
     */
    public static String describeSummary(JsonNode summary) {
        StringBuilder sb = new StringBuilder();
        boolean hasCost = summary.path("has_cost").asBoolean();
        JsonNode bs = summary.get("best_single");
        sb.append(String.format(Locale.ROOT, "best single model on test (in hindsight): %s, quality %.4f%s%n",
                bs.get("model").asText(), bs.get("quality").asDouble(), usd(bs.get("cost"))));
        JsonNode ds = summary.get("deployable_single");
        if (ds != null) {
            sb.append(String.format(Locale.ROOT, "deployable single model (best on %s): %s, test quality %.4f%s%n",
                    ds.path("chosen_on").asText(), ds.get("model").asText(), ds.get("quality").asDouble(),
                    usd(ds.get("cost"))));
        }
        sb.append(String.format(Locale.ROOT, "%-10s %8s %-27s %10s %-27s %10s %12s%n", "router", "area",
                "  vs knn [95% CI, paired]", "q(lambda0)", "  vs knn [95% CI, paired]", "cost/best", "cost/deployable"));
        for (JsonNode r : summary.get("routers")) {
            JsonNode vs = r.path("vs_" + PAPER_ROUTER).path("metrics");
            sb.append(String.format(Locale.ROOT, "%-10s %8s %-27s %10.4f %-27s %10s %12s%n", r.get("name").asText(),
                    fixed(r.get("area"), 4), difference(vs.path("area")), r.get("quality_at_lambda0").asDouble(),
                    difference(vs.path("quality_at_lambda0")), matching(r.get("cost_to_match_best"), hasCost),
                    matching(r.get("cost_to_match_deployable"), hasCost)));
        }
        sb.append(coverageLines(summary.path("cost_bounds")));
        for (JsonNode r : summary.get("routers")) {
            if (r.has("vs_" + PAPER_ROUTER)) {
                sb.append(String.format(Locale.ROOT, "vs knn: paired bootstrap of the differences over %d resamples of"
                                + " the test prompts; * marks an interval that excludes 0%n",
                        r.get("vs_" + PAPER_ROUTER).path("resamples").asInt()));
                break;
            }
        }
        return sb.toString();
    }

    /**
     * The terminal form of {@code eval.json}: the deployable single model, and per router its area and quality at
     * mu = 0 with their 95% intervals, its paired differences to the reference router (the KNN router unless another
     * was chosen: the {@code baseline} of {@code paired}), and the cost at which it matches the best and the
     * deployable single model.
     */
    public static String describe(JsonNode eval) {
        StringBuilder sb = new StringBuilder();
        boolean hasCost = eval.path("has_cost").asBoolean();
        JsonNode ds = eval.get("deployable_single");
        if (ds != null) {
            sb.append(String.format(Locale.ROOT, "deployable single model (best on %s prompts): %s, test quality"
                            + " %.4f%s%n", ds.path("chosen_on").asText(), ds.get("model").asText(),
                    ds.get("quality").asDouble(), usd(ds.get("cost"))));
        }
        String reference = eval.path("paired").path(0).path("baseline").asText(PAPER_ROUTER);
        // "knn" for the KNN router of one training run or of the first of several ("head/knn"), else "ref"
        boolean knn = reference.equals(PAPER_ROUTER) || reference.endsWith("/" + PAPER_ROUTER);
        String vsHeader = knn ? "  vs knn [95% CI, paired]" : "  vs ref [95% CI, paired]";
        java.util.Set<String> routers = new java.util.LinkedHashSet<>();
        eval.path("routers").forEach(n -> routers.add(n.asText()));
        int width = 10;
        for (String r : routers) {
            width = Math.max(width, r.length());
        }
        String line = "%-" + width + "s %-26s %-27s %-26s %-27s %10s %12s%n";
        sb.append(String.format(Locale.ROOT, line, "router", "area [95% CI]", vsHeader, "q(lambda0) [95% CI]",
                vsHeader, "cost/best", "cost/deployable"));
        for (JsonNode row : eval.path("metrics")) {
            String name = row.path("router").asText();
            if (!routers.contains(name)) {
                continue;
            }
            JsonNode vs = null;
            for (JsonNode p : eval.path("paired")) {
                if (p.path("router").asText().equals(name)) {
                    vs = p;
                }
            }
            sb.append(String.format(Locale.ROOT, line, name,
                    interval(row.path("area")), vs == null ? "" : difference(vs.path("area")),
                    interval(row.path("quality_at_lambda0")), vs == null ? "" : difference(vs.path(
                            "quality_at_lambda0")), matching(row.path("cost_to_match_best").path("value"), hasCost),
                    matching(row.path("cost_to_match_deployable").path("value"), hasCost)));
        }
        sb.append(coverageLines(eval.path("cost_bounds")));
        if (eval.path("paired").size() > 0) {
            sb.append(String.format(Locale.ROOT, "vs %s: paired bootstrap of the differences over %d resamples of the"
                    + " test prompts; * marks an interval that excludes 0 (every curve: paired.csv)%n",
                    knn ? reference : "ref (" + reference + ")", eval.path("bootstrap_replicates").asInt()));
        }
        return sb.toString();
    }

    /** One line per router: how often the realised test cost is within its 90% upper bound. */
    private static String coverageLines(JsonNode bounds) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : bounds) {
            if (Math.abs(b.path("confidence").asDouble() - 0.9) < 1e-9) {
                sb.append(String.format(Locale.ROOT, "%s: realised cost within the 90%% upper cost bound for %.1f%%"
                                + " of %d (test prompt, model) pairs (per model %.1f%% %s .. %.1f%% %s)%n",
                        b.path("router").asText(), 100 * b.path("coverage").asDouble(), b.path("pairs").asLong(),
                        100 * b.path("lowest_model_coverage").asDouble(), b.path("lowest_model").asText(),
                        100 * b.path("highest_model_coverage").asDouble(), b.path("highest_model").asText()));
            }
        }
        return sb.toString();
    }

    private static String usd(JsonNode cost) {
        return cost == null || !cost.isNumber() ? "" : String.format(Locale.ROOT, ", cost %.6g USD/query",
                cost.asDouble());
    }

    private static String fixed(JsonNode v, int digits) {
        return v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v.asDouble());
    }

    private static String matching(JsonNode v, boolean hasCost) {
        if (v == null || !v.isNumber()) {
            return hasCost ? "never" : "-";
        }
        return String.format(Locale.ROOT, "%.3f", v.asDouble());
    }

    private static String interval(JsonNode m) {
        if (!m.path("value").isNumber()) {
            return "-";
        }
        return m.path("ci_low").isNumber() ? String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", m.get("value")
                .asDouble(), m.get("ci_low").asDouble(), m.get("ci_high").asDouble())
                : String.format(Locale.ROOT, "%.4f", m.get("value").asDouble());
    }

    /** {@code +0.0012 [-0.0031, +0.0050]}, marked with * when the interval excludes 0. */
    private static String difference(JsonNode d) {
        if (!d.path("difference").isNumber()) {
            return "";
        }
        if (!d.path("ci_low").isNumber()) {
            return String.format(Locale.ROOT, "  %+.4f", d.get("difference").asDouble());
        }
        double lo = d.get("ci_low").asDouble();
        double hi = d.get("ci_high").asDouble();
        return String.format(Locale.ROOT, "  %+.4f [%+.4f, %+.4f]%s", d.get("difference").asDouble(), lo, hi,
                lo > 0 || hi < 0 ? "*" : "");
    }

    // -------------------------------------------------------------------------------------------- helpers

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static int argmax(double[] a) {
        int b = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[b]) {
                b = i;
            }
        }
        return b;
    }

    private static int argmin(double[] a) {
        int b = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] < a[b]) {
                b = i;
            }
        }
        return b;
    }

    private static void put(ObjectNode o, String f, double v) {
        if (Double.isNaN(v)) {
            o.putNull(f);
        } else {
            o.put(f, v);
        }
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : new java.math.BigDecimal(v).round(new java.math.MathContext(10))
                .stripTrailingZeros().toPlainString();
    }

    static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}

package dev.carrot.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.train.CarrotTrainer.CostKind;
import dev.carrot.train.CarrotTrainer.VariantResult;
import dev.carrot.train.eval.EvalJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole training job: embed, train, export, check the export, evaluate, write the outputs.
 *
 * <pre>
 * DIR/router/            the default router: the variant with the best held-out score (Router.load reads it)
 * DIR/routers/VARIANT/   every trained variant
 * DIR/curves.csv         router,lambda,cost_per_query,quality on the test split (+ single models, oracle)
 * DIR/summary.json       the evaluation's numbers
 * DIR/curves.png         the plot
 * DIR/eval/              the paper's evaluation: curves with baselines, metrics with bootstrap intervals, per task,
 *                        budget calibration (see {@link EvalJob})
 * </pre>
 * Each of these is a link into the run's generation folder, switched in one step when the whole output is written
 * and checked ({@link TrainOutput}): a failed or interrupted run leaves the previous output whole. A non-empty
 * folder that carrot did not make is refused before any work starts, unless {@link #withForce}.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    /** Exported routers must reproduce the trainer's own predictions this closely. */
    public static final double PARITY_TOLERANCE = 1e-5;

    private final TrainerConfig config;
    private final PromptEncoder encoder;
    private final Path out;
    private final Optional<DatasetDescriptor> descriptor;
    private final Instant created;
    private final EvalJob.Options evalOptions;
    private final boolean force;

    /**
     * @param descriptor the dataset's descriptor, if it has one (for reference results)
     * @param created    the creation time recorded in the artifacts' provenance; the same data, configuration, seed
     *                   and creation time give byte-identical artifacts (see {@link #creationTime()})
     */
    public TrainJob(TrainerConfig config, PromptEncoder encoder, Path out, Optional<DatasetDescriptor> descriptor,
                    Instant created) {
        this.config = Objects.requireNonNull(config, "config");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.out = Objects.requireNonNull(out, "out");
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.created = Objects.requireNonNull(created, "created");
        this.evalOptions = new EvalJob.Options(1000, config.seed());
        this.force = false;
    }

    private TrainJob(TrainJob base, EvalJob.Options evalOptions, boolean force) {
        this.config = base.config;
        this.encoder = base.encoder;
        this.out = base.out;
        this.descriptor = base.descriptor;
        this.created = base.created;
        this.evalOptions = Objects.requireNonNull(evalOptions, "evalOptions");
        this.force = force;
    }

    /** The same job with other evaluation settings (bootstrap replicates). */
    public TrainJob withEvalOptions(EvalJob.Options options) {
        return new TrainJob(this, options, force);
    }

    /**
     * The same job allowed to write into a non-empty folder that carrot did not make (it replaces its own outputs
     * there, see {@link TrainOutput}); without it such a folder is refused before any work starts.
     */
    public TrainJob withForce(boolean force) {
        return new TrainJob(this, evalOptions, force);
    }

    /**
     * What the job did.
     *
     * @param summary  the summary it wrote
     * @param training the trained variants
     */
    public record Report(Path out, ObjectNode summary, CarrotTrainer.Result training, String defaultVariant) {
        /** A few lines for the terminal. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%s: %d train, %d test prompts%n", summary.get("dataset").asText(),
                    summary.get("n_train").asInt(), summary.get("n_test").asInt()));
            sb.append(EvalJob.describeSummary(summary));
            String advice = summary.path("shared_embeddings").path("advice").asText("");
            if (!advice.isEmpty()) {
                sb.append("note:     ").append(advice).append(System.lineSeparator());
            }
            String nl = System.lineSeparator();
            sb.append("router:   ").append(out.resolve("router")).append(" (").append(defaultVariant)
                    .append(", the best on held-out prompts; every variant in ").append(out.resolve("routers"))
                    .append(")").append(nl);
            sb.append("summary:  ").append(join(existing(out.resolve("summary.json"),
                    out.resolve("eval").resolve("metrics.csv")))).append(nl);
            List<Path> plots = existing(out.resolve("curves.png"), out.resolve("eval").resolve("curves.png"),
                    out.resolve("eval").resolve("per_task.png"), out.resolve("eval").resolve("calibration.png"));
            if (!plots.isEmpty()) {
                sb.append("plots:    ").append(join(plots)).append(nl);
            }
            sb.append("outputs:  ").append(out.toAbsolutePath()).append(nl);
            return sb.toString();
        }

        private static List<Path> existing(Path... files) {
            return java.util.Arrays.stream(files).filter(Files::exists).toList();
        }

        private static String join(List<Path> files) {
            return String.join(", ", files.stream().map(Path::toString).toList());
        }
    }

    public Report run(RoutingDataset dataset, Optional<PriceTable> prices, Map<String, Object> command)
            throws IOException {
        try (TrainOutput output = TrainOutput.open(out, force)) {
            return run(output, dataset, prices, command);
        }
    }

    private Report run(TrainOutput output, RoutingDataset dataset, Optional<PriceTable> prices,
                       Map<String, Object> command) throws IOException {
        long t0 = System.nanoTime();
        RoutingDataset data = trainingView(dataset);
        if (data.size() < dataset.size()) {
            LOG.info("using {} of {} prompts: splits other than train/validation/test are left out ({})", data.size(),
                    dataset.size(), dataset.splitCounts());
        }
        boolean tokens = data.hasTokens() && prices.isPresent();
        Embedded emb;
        try (Progress p = Progress.start("embedding", data.size())) {
            emb = Embedded.of(data, encoder, tokens, p);
        }
        long t1 = System.nanoTime();
        SharedEmbeddings shared = SharedEmbeddings.of(data, emb);
        Optional<String> advice = shared.advice(encoder.info().maxTokens(), encoder.info().truncation());
        advice.ifPresent(LOG::warn);

        var dp = data.provenance();
        Provenance prov = Provenance.builder()
                .carrotVersion(CarrotVersion.VERSION)
                .created(created)
                .command(command)
                .dataset(new Provenance.Dataset(dp.source(), dp.revision(), dp.commit(), dp.contentSha256(),
                        dp.files().stream().map(f -> new Provenance.DataFile(f.path(), f.sha256())).toList(),
                        toLongs(dp.dropped())))
                .build();
        CarrotTrainer.Result result = new CarrotTrainer(config).train(data, emb, prices, prov);
        long t2 = System.nanoTime();

        // export every variant into a staging folder, check each against the trainer's predictions, and only then
        // put them in place: a failed check leaves the previous artifacts untouched
        boolean heldOut = result.variants().stream().allMatch(v -> Double.isFinite(v.heldOutScore()));
        VariantResult best = null;
        for (VariantResult v : result.variants()) {
            if (best == null || score(v, heldOut) > score(best, heldOut)) {
                best = v;
            }
        }
        String chosenBy = heldOut ? "held-out score (training prompts out of fold + validation prompts)"
                : "validation score";
        // the whole output goes into a new generation, switched in only when every part is written and checked
        Path gen = output.newGeneration(created);
        try {
            return finish(output, gen, result, best, chosenBy, emb, data, prices, t0, t1, t2, shared, advice);
        } catch (IOException | RuntimeException | Error e) {
            TrainOutput.deleteRecursively(gen);
            throw e;
        }
    }

    private Report finish(TrainOutput output, Path gen, CarrotTrainer.Result result, VariantResult best,
                          String chosenBy, Embedded emb, RoutingDataset data, Optional<PriceTable> prices, long t0,
                          long t1, long t2, SharedEmbeddings shared, Optional<String> advice) throws IOException {
        for (VariantResult v : result.variants()) {
            RouterArtifact.write(v.model(), gen.resolve("routers").resolve(v.variant().id()));
        }
        Map<String, EvalJob.Bounds> bounds = new java.util.HashMap<>();
        ObjectNode parity = checkParity(result, emb, gen.resolve("routers"), bounds);
        RouterArtifact.write(best.model(), gen.resolve("router"));
        long t3 = System.nanoTime();

        // evaluate on test: the routers' curves, single models and oracle, then the paper's evaluation
        ObjectMapper om = new ObjectMapper();
        ObjectNode extra = om.createObjectNode();
        extra.put("cost_kind", result.costKind().name().toLowerCase(Locale.ROOT));
        extra.put("cost_scale_usd", result.costScaleUsd());
        extra.put("default_router", best.variant().id());
        extra.put("default_router_chosen_by", chosenBy);
        ObjectNode se = extra.putObject("shared_embeddings");
        se.put("prompts", shared.prompts());
        se.put("groups", shared.groups());
        se.put("largest_group", shared.largest());
        se.put("share", shared.share());
        se.put("truncation", encoder.info().truncation().key());
        advice.ifPresent(a -> se.put("advice", a));
        ArrayNode variants = extra.putArray("variants");
        for (VariantResult v : result.variants()) {
            ObjectNode o = variants.addObject();
            o.put("name", v.variant().id());
            o.put("predictors", String.join("; ", v.model().describe()));
            o.set("hyperparameters", om.valueToTree(v.hyper()));
        }
        extra.set("export_parity", parity);
        ObjectNode timing = extra.putObject("seconds");
        timing.put("embedding", (t1 - t0) / 1e9);
        timing.put("training", (t2 - t1) / 1e9);
        timing.put("export_and_check", (t3 - t2) / 1e9);
        List<EvalJob.Routed> routed = new ArrayList<>();
        routed.add(routed(best, bounds));
        for (VariantResult v : result.variants()) {
            if (v != best) {
                routed.add(routed(v, bounds));
            }
        }
        EvalJob.Input input = EvalJob.Input.of(data, result.testRows(), result.trainRows(),
                Matrices.trueCosts(data, best.model().cost(), prices), result.costKind() != CostKind.NONE,
                result.costScaleUsd(), routed);
        ObjectNode summary = new EvalJob(evalOptions).runWithSummary(input, gen,
                result.variants().stream().map(v -> v.variant().id()).toList(), extra, reference(data), t0);
        output.commit(gen);
        LOG.info("done in {} s: {}", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9),
                out.toAbsolutePath());
        return new Report(out, summary, result, best.variant().id());
    }

    /**
     * What the default router is chosen by: the held-out score when every variant has one (more prompts, less
     * noise), else the validation score; NaN (no validation prompts) ranks last.
     */
    private static double score(VariantResult v, boolean heldOut) {
        double s = heldOut ? v.heldOutScore() : v.validationScore();
        return Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s;
    }

    private static Map<String, Long> toLongs(Map<String, ? extends Number> m) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.longValue()));
        return out;
    }

    /**
     * The prompts a job trains, tunes and tests on: the train, validation and test splits (others, like RouterDC's
     * {@code unsplit}, are left out). Its content hash is what an artifact's provenance records as
     * {@code dataset_sha256}.
     */
    public static RoutingDataset trainingView(RoutingDataset dataset) {
        boolean all = dataset.splitNames().stream().allMatch(s -> s.equals(RoutingDataset.TRAIN)
                || s.equals(RoutingDataset.VALIDATION) || s.equals(RoutingDataset.TEST));
        return all ? dataset : dataset.splits(RoutingDataset.TRAIN, RoutingDataset.VALIDATION, RoutingDataset.TEST);
    }

    /**
     * A variant's test predictions with its budget calibration and policy, as the router itself has them, and its
     * upper cost bounds on the test prompts.
     */
    private static EvalJob.Routed routed(VariantResult v, Map<String, EvalJob.Bounds> bounds) {
        try (Router r = Router.of(v.model(), null)) {
            return new EvalJob.Routed(v.variant().id(), v.testQuality(), v.testCost(), r.calibration(), r.policy(),
                    Optional.ofNullable(bounds.get(v.variant().id())));
        }
    }

    /**
     * The creation time to record: {@code SOURCE_DATE_EPOCH} (the reproducible-builds convention) when set, else
     * now, to the second.
     */
    public static Instant creationTime() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && epoch.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(epoch));
        }
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /**
     * Loads every exported router back and checks that it predicts, for each test prompt, what the trainer
     * predicted, within {@link #PARITY_TOLERANCE} (quality absolute; cost relative to the cost scale). The loaded
     * routers' upper cost bounds on the test prompts go into {@code bounds} (by variant), for the evaluation to
     * measure: they are the bounds of the artifacts as users load them.
     */
    private ObjectNode checkParity(CarrotTrainer.Result result, Embedded emb, Path dir,
                                   Map<String, EvalJob.Bounds> bounds) throws IOException {
        ObjectNode out = new ObjectMapper().createObjectNode();
        int[] te = result.testRows();
        for (VariantResult v : result.variants()) {
            double dq = 0;
            double dc = 0;
            try (Router r = Router.load(dir.resolve(v.variant().id()))) {
                TestPredictions p = TestPredictions.of(r, emb, te);
                if (p.confidences().length > 0) {
                    bounds.put(v.variant().id(), new EvalJob.Bounds(p.confidences(), p.costBounds()));
                }
                for (int i = 0; i < p.quality().length; i++) {
                    dq = Math.max(dq, Math.abs(p.quality()[i] - v.testQuality()[i]));
                    dc = Math.max(dc, Math.abs(p.cost()[i] - v.testCost()[i]) / result.costScaleUsd());
                }
            }
            ObjectNode o = out.putObject(v.variant().id());
            o.put("max_quality_difference", dq);
            o.put("max_scaled_cost_difference", dc);
            if (dq > PARITY_TOLERANCE || dc > PARITY_TOLERANCE) {
                throw new IllegalStateException(String.format(Locale.ROOT, "exported %s router does not reproduce the"
                        + " trainer's predictions: max quality difference %.3g, max scaled cost difference %.3g"
                        + " (tolerance %.0e)", v.variant().id(), dq, dc, PARITY_TOLERANCE));
            }
            LOG.info("export check {}: max |quality difference| {}, max |scaled cost difference| {}",
                    v.variant().id(), String.format(Locale.ROOT, "%.2g", dq), String.format(Locale.ROOT, "%.2g", dc));
        }
        return out;
    }

    /** The descriptor's published reference results, when the data is the file the descriptor describes. */
    private Optional<JsonNode> reference(RoutingDataset data) {
        if (descriptor.isEmpty() || descriptor.get().reference().isEmpty()) {
            return Optional.empty();
        }
        Optional<String> sha = descriptor.get().source().sha256();
        if (sha.isPresent() && data.provenance().files().stream().noneMatch(f -> f.sha256().equals(sha.get()))) {
            LOG.info("the data is not the file descriptor {} describes (SHA-256 differs): no reference comparison",
                    descriptor.get().name());
            return Optional.empty();
        }
        return descriptor.get().reference();
    }
}

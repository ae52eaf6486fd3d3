package dev.carrot.cli;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.CostModel;
import dev.carrot.train.Embedded;
import dev.carrot.train.Matrices;
import dev.carrot.train.Progress;
import dev.carrot.train.TestPredictions;
import dev.carrot.train.embed.CacheStats;
import dev.carrot.train.embed.CachingPromptEncoder;
import dev.carrot.train.eval.EvalJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code carrot eval}: the paper's evaluation of trained routers on a dataset's test split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate trained routers on the test split: curves over lambda with baselines (single models,"
                + " oracle, random mixing, RouterBench-style, two-model threshold, shuffled control), metrics with 95%%"
                + " bootstrap intervals, each curve's paired difference to the KNN router (the same resampled prompts"
                + " for both), the deployable single model (best on validation) and the cost at which each router"
                + " matches it, per-task metrics, budget calibration. CSV, PNG and SVG.",
                "--router takes one artifact, or the output folder of carrot train (all its variants, the default"
                        + " router first). Repeat it to compare the routers of several training runs, made with"
                        + " different encoders or settings, on the same test prompts: each router is evaluated with"
                        + " the encoder it was trained with (the test prompts are embedded once per encoder), and is"
                        + " named LABEL/variant, LABEL being the folder's name (DIR's for DIR/router) or given as"
                        + " --router LABEL=DIR. The paired differences are then to the first argument's knn router"
                        + " (e.g. head/knn), or to the router --reference names."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--router", required = true, paramLabel = "[LABEL=]DIR", description = "a router artifact, or a"
            + " carrot train output folder; repeat it to compare several training runs (their routers are named"
            + " LABEL/variant; LABEL defaults to the folder's name)")
    List<String> routers;

    @Option(names = "--reference", paramLabel = "NAME", description = "the router every other curve is compared"
            + " with, paired, by its name as the output lists it (default: knn; with several --router, the first"
            + " one's knn, e.g. head/knn)")
    String reference;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: <router>/eval or"
            + " <train output>/eval; with several --router, eval-LABEL1-vs-LABEL2... beside the first one's)")
    Path out;

    @Option(names = "--bootstrap", description = "bootstrap replicates (default: ${DEFAULT-VALUE})",
            defaultValue = "1000")
    int bootstrap;

    @Option(names = "--seed", description = "seed of the bootstrap and the randomised baselines (default:"
            + " ${DEFAULT-VALUE})", defaultValue = "42")
    long seed;

    @Mixin
    EncoderChoice encoders;

    @Option(names = "--allow-other-data", description = "evaluate even when the data is not the data the routers"
            + " were trained on (its test prompts may then have been training prompts)")
    boolean allowOtherData;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One {@code --router} argument: its text, its label and the folder it names. */
    record RouterArg(String given, String label, Path dir) {
        /**
         * {@code LABEL=DIR} when the text before the first {@code =} has no {@code /} and the rest is an existing
         * path; otherwise the whole text is the path and the label is the folder's name.
         */
        static RouterArg parse(String given) {
            int eq = given.indexOf('=');
            if (eq > 0) {
                String label = given.substring(0, eq);
                String rest = given.substring(eq + 1);
                if (!label.isBlank() && !label.contains("/") && !rest.isEmpty() && Files.exists(Path.of(rest))) {
                    return new RouterArg(given, label, Path.of(rest));
                }
            }
            Path dir = Path.of(given);
            return new RouterArg(given, folderLabel(dir), dir);
        }

        /** The folder's name; for a train output's DIR/router, DIR's name. */
        static String folderLabel(Path dir) {
            Path p = dir.toAbsolutePath().normalize();
            if (p.getFileName() != null && p.getFileName().toString().equals("router") && p.getParent() != null
                    && p.getParent().getFileName() != null && Files.isRegularFile(p.resolve("manifest.json"))) {
                p = p.getParent();
            }
            return p.getFileName() == null ? p.toString() : p.getFileName().toString();
        }
    }

    /** A router to evaluate: where it is, its name in the outputs and the encoder it was trained with. */
    private record Candidate(RouterArg arg, Path dir, String name, EncoderInfo encoder) {
    }

    @Override
    public Integer call() throws Exception {
        List<RouterArg> args = routers.stream().map(RouterArg::parse).toList();
        boolean several = args.size() > 1;
        if (several) {
            Map<String, RouterArg> labels = new LinkedHashMap<>();
            for (RouterArg a : args) {
                RouterArg before = labels.putIfAbsent(a.label(), a);
                if (before != null) {
                    throw new IllegalArgumentException("--router " + before.given() + " and --router " + a.given()
                            + " both get the label '" + a.label() + "': give one a label of its own, e.g. --router "
                            + a.label() + "-2=" + a.dir());
                }
            }
        }
        Map<RouterArg, List<Path>> dirs = new LinkedHashMap<>();
        for (RouterArg a : args) {
            dirs.put(a, artifacts(a.dir()));
        }
        RoutingDataset d = dev.carrot.train.TrainJob.trainingView(data.load(encoders.cacheDir));
        int[] te = d.indicesOf(RoutingDataset.TEST);
        int[] trv = d.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        if (te.length == 0) {
            throw new IllegalArgumentException("dataset " + data.spec() + " has no test prompts (splits "
                    + d.splitCounts() + ")");
        }
        List<Candidate> candidates = candidates(dirs, several, d);
        List<String> names = candidates.stream().map(Candidate::name).toList();
        String ref = reference != null ? reference
                : several ? args.get(0).label() + "/" + EvalJob.PAPER_ROUTER : EvalJob.PAPER_ROUTER;
        if (reference != null && !names.contains(reference)) {
            throw new IllegalArgumentException("--reference " + reference + " is not one of the routers evaluated: "
                    + String.join(", ", names));
        }
        if (several && !names.contains(ref)) {
            spec.commandLine().getErr().println("carrot eval: note: --router " + args.get(0).given() + " has no "
                    + EvalJob.PAPER_ROUTER + " router: no paired comparisons (choose a reference with --reference"
                    + " NAME among " + String.join(", ", names) + ")");
        }

        RoutingDataset test = d.select(te, "test split");
        int[] testRows = java.util.stream.IntStream.range(0, te.length).toArray();
        // the test prompts are embedded once per encoder (vectors differ whenever EncoderInfo.fingerprint() does)
        Map<String, List<Candidate>> byEncoder = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            byEncoder.computeIfAbsent(c.encoder().fingerprint(), k -> new ArrayList<>()).add(c);
        }
        Map<String, EvalJob.Routed> routed = new LinkedHashMap<>();
        double[] trueCosts = null;
        boolean hasCost = false;
        double costScale = 0;
        List<String> embeddedLines = new ArrayList<>();
        PromptEncoder given = encoders.encoder == null ? null : encoders.open();
        try {
            if (given != null) {
                EncoderInfo info = given.info();
                if (byEncoder.values().stream().noneMatch(g -> info.differenceFrom(g.get(0).encoder()).isEmpty())) {
                    Candidate c = candidates.get(0);
                    throw new IllegalArgumentException("--encoder " + encoders.encoder + " makes other vectors than"
                            + " the encoder every router was trained with: " + mismatch(info, c.encoder())
                            + " for router " + c.dir() + " (leave --encoder out for routers trained with a built-in"
                            + " encoder)");
                }
            }
            for (List<Candidate> group : byEncoder.values()) {
                EncoderInfo info = group.get(0).encoder();
                PromptEncoder raw;
                if (given != null && given.info().differenceFrom(info).isEmpty()) {
                    raw = given;
                    given = null; // closed with the cache around it
                } else {
                    raw = openBuiltIn(info, group.get(0).dir());
                }
                try (CachingPromptEncoder enc = cached(raw)) {
                    Embedded emb;
                    try (Progress p = Progress.start(byEncoder.size() == 1 ? "embedding test prompts"
                            : "embedding test prompts (" + info.id() + ")", test.size())) {
                        emb = Embedded.of(test, enc, true, p);
                    }
                    CacheStats s = enc.stats();
                    embeddedLines.add(String.format(Locale.ROOT, "encoder %s (%s): %d test prompts embedded once"
                                    + " (%d encoded, %d from the cache) for %s", info.id(), info.fingerprint(),
                            te.length, s.misses(), s.hits(),
                            String.join(", ", group.stream().map(Candidate::name).toList())));
                    for (Candidate c : group) {
                        try (Router r = Router.load(c.dir(), enc)) {
                            if (c == candidates.get(0)) {
                                // the first router (the default one of a train output) decides how costs are counted
                                trueCosts = Matrices.trueCosts(d, r.model().cost(), r.prices());
                                hasCost = !(r.model().cost() instanceof CostModel.None);
                                costScale = r.model().costScaleUsd();
                            } else if (c.arg() != candidates.get(0).arg()
                                    && !Arrays.equals(trueCosts, Matrices.trueCosts(d, r.model().cost(), r.prices()))) {
                                spec.commandLine().getErr().println("carrot eval: warning: router " + c.dir()
                                        + " counts costs otherwise than " + candidates.get(0).dir() + " (another cost"
                                        + " model or price table); every router's test costs are counted as "
                                        + candidates.get(0).name() + "'s");
                            }
                            TestPredictions p = TestPredictions.of(r, emb, testRows);
                            routed.put(c.name(), new EvalJob.Routed(c.name(), p.quality(), p.cost(), r.calibration(),
                                    r.policy(), p.confidences().length == 0 ? Optional.empty()
                                    : Optional.of(new EvalJob.Bounds(p.confidences(), p.costBounds()))));
                        }
                    }
                }
            }
        } finally {
            if (given != null) {
                given.close();
            }
        }
        Path outDir = out != null ? out : defaultOut(args);
        EvalJob.Input input = EvalJob.Input.of(d, te, trv, trueCosts, hasCost, costScale,
                names.stream().map(routed::get).toList());
        var summary = new EvalJob(new EvalJob.Options(bootstrap, seed)).run(input, outDir, ref);
        java.io.PrintWriter o = spec.commandLine().getOut();
        if (several) {
            embeddedLines.forEach(o::println);
        }
        o.printf(Locale.ROOT, "evaluated %d router(s) on %d test prompts: %s%n", routed.size(), te.length,
                outDir.toAbsolutePath());
        o.print(EvalJob.describe(summary));
        o.flush();
        return 0;
    }

    /**
     * Every router of every argument, checked against the dataset (same models; same data unless
     * {@code --allow-other-data}), named {@code LABEL/variant} when there are several arguments.
     */
    private List<Candidate> candidates(Map<RouterArg, List<Path>> dirs, boolean several, RoutingDataset d)
            throws IOException {
        List<Candidate> out = new ArrayList<>();
        Map<String, Path> names = new LinkedHashMap<>();
        for (Map.Entry<RouterArg, List<Path>> e : dirs.entrySet()) {
            for (Path dir : e.getValue()) {
                // no encoder is started here: only the artifact is read
                try (Router r = Router.load(dir)) {
                    if (r.model().textOnly()) {
                        throw new IllegalArgumentException("router " + dir + " reads the prompt's text with models of"
                                + " its own (a text-only router, such as carrot import-hf-router makes): carrot eval"
                                + " evaluates routers over prompt embeddings");
                    }
                    if (!r.models().equals(d.models())) {
                        throw new IllegalArgumentException("router " + dir + " routes between " + r.models()
                                + " but dataset " + data.spec() + " has " + d.models());
                    }
                    String trainedOn = r.model().provenance().datasetSha256().orElse("");
                    if (!trainedOn.equals(d.provenance().contentSha256())) {
                        String msg = "router " + dir + " was trained on data with content hash " + trainedOn
                                + " but " + data.spec() + " has " + d.provenance().contentSha256()
                                + ": its test prompts may have been training prompts";
                        if (!allowOtherData) {
                            throw new IllegalArgumentException(msg + " (pass --allow-other-data to evaluate anyway)");
                        }
                        spec.commandLine().getErr().println("carrot eval: warning: " + msg);
                    }
                    String name = r.model().provenance().variant().orElse(dir.getFileName().toString());
                    if (several) {
                        name = e.getKey().label() + "/" + name;
                    }
                    Path before = names.putIfAbsent(name, dir);
                    if (before != null) {
                        throw new IllegalArgumentException("routers " + before + " and " + dir + " are both named '"
                                + name + "'; evaluate them under different labels (--router LABEL=DIR)");
                    }
                    out.add(new Candidate(e.getKey(), dir, name, r.model().encoder()));
                }
            }
        }
        return out;
    }

    /** The built-in encoder a router was trained with, as its artifact records it (token limit and side included). */
    private PromptEncoder openBuiltIn(EncoderInfo info, Path dir) {
        return Encoders.builtInFor(info, encoders.options()).orElseThrow(() -> new IllegalArgumentException("router "
                + dir + " was trained with encoder '" + info.id() + "' (" + info.fingerprint() + "), not one of"
                + " carrot's built-in encoders " + Encoders.builtInNames() + ": pass its folder with --encoder DIR"
                + (encoders.encoder == null ? "" : " (--encoder " + encoders.encoder + " is another encoder)")));
    }

    private static String mismatch(EncoderInfo info, EncoderInfo expected) {
        try {
            info.requireCompatibleWith(expected);
            return "";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** {@code raw} behind carrot's embedding cache of its configuration; closes {@code raw} if that fails. */
    private CachingPromptEncoder cached(PromptEncoder raw) {
        try {
            return CachingPromptEncoder.inCacheDir(raw, encoders.options());
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** DIR/router -> DIR/eval; a train output DIR -> DIR/eval; several: DIR/eval-LABEL1-vs-LABEL2... */
    private static Path defaultOut(List<RouterArg> args) {
        Path first = args.get(0).dir();
        Path base = Files.isRegularFile(first.resolve("manifest.json")) ? first.toAbsolutePath().getParent() : first;
        if (args.size() == 1) {
            return base.resolve("eval");
        }
        List<String> labels = args.stream().map(a -> a.label().replaceAll("[^A-Za-z0-9._-]+", "_")).toList();
        return base.resolve("eval-" + String.join("-vs-", labels));
    }

    /** The artifact directories to evaluate: one artifact, or a train output's default router and variants. */
    static List<Path> artifacts(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("manifest.json"))) {
            return List.of(dir);
        }
        List<Path> out = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve("router/manifest.json"))) {
            out.add(dir.resolve("router"));
        }
        Path variants = dir.resolve("routers");
        if (Files.isDirectory(variants)) {
            String main = out.isEmpty() ? "" : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dir.resolve("router/manifest.json").toFile()).path("provenance").path("variant").asText();
            try (Stream<Path> s = Files.list(variants)) {
                s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted()
                        .filter(p -> !p.getFileName().toString().equals(main)).forEach(out::add);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + " is neither a router artifact (no manifest.json) nor a carrot"
                    + " train output folder (no router/ or routers/)");
        }
        return out;
    }
}

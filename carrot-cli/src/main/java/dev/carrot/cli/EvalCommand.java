package dev.carrot.cli;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.CostModel;
import dev.carrot.train.Embedded;
import dev.carrot.train.Matrices;
import dev.carrot.train.Progress;
import dev.carrot.train.TestPredictions;
import dev.carrot.train.eval.EvalJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import dev.carrot.train.TrainJob;

/** {@code carrot eval}: the paper's evaluation of trained routers on a dataset's test split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate trained routers on the test split: curves over lambda with baselines (single models,"
                + " oracle, random mixing, RouterBench-style, two-model threshold, shuffled control), metrics with 95%%"
                + " bootstrap intervals, each curve's paired difference to the KNN router (the same resampled prompts"
                + " for both), the deployable single model (best on validation) and the cost at which each router"
                + " matches it, per-task metrics, budget calibration. CSV, PNG and SVG.",
                "--router takes one artifact, or the output folder of carrot train (all its variants, the default"
                        + " router first)."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--router", required = true, paramLabel = "DIR", description = "a router artifact, or a carrot"
            + " train output folder")
    Path router;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: <router>/eval or"
            + " <train output>/eval)")
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

    @Override
    public Integer call() throws Exception {
        List<Path> dirs = artifacts(router);
        RoutingDataset d = dev.carrot.train.TrainJob.trainingView(data.load(encoders.cacheDir));
        int[] te = d.indicesOf(RoutingDataset.TEST);
        int[] trv = d.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        if (te.length == 0) {
            throw new IllegalArgumentException("dataset " + data.spec() + " has no test prompts (splits "
                    + d.splitCounts() + ")");
        }
        RoutingDataset test = d.select(te, "test split");
        int[] testRows = java.util.stream.IntStream.range(0, te.length).toArray();
        List<EvalJob.Routed> routed = new ArrayList<>();
        Router first = null;
        double[] trueCosts = null;
        try (PromptEncoder enc = encoders.openCached()) {
            Embedded emb = null;
            for (Path dir : dirs) {
                try (Router r = Router.load(dir, enc)) {
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
                    if (emb == null) {
                        try (Progress p = Progress.start("embedding test prompts", test.size())) {
                            emb = Embedded.of(test, enc, true, p);
                        }
                        // the first router (the default one of a train output) decides how costs are counted
                        first = r;
                        trueCosts = Matrices.trueCosts(d, r.model().cost(), r.prices());
                    }
                    TestPredictions p = TestPredictions.of(r, emb, testRows);
                    String name = r.model().provenance().variant().orElse(dir.getFileName().toString());
                    routed.add(new EvalJob.Routed(name, p.quality(), p.cost(), r.calibration(), r.policy(),
                            p.confidences().length == 0 ? java.util.Optional.empty()
                                    : java.util.Optional.of(new EvalJob.Bounds(p.confidences(), p.costBounds()))));
                }
            }
        }
        // DIR/router -> DIR/eval; a train output DIR -> DIR/eval
        Path outDir = out != null ? out : Files.isRegularFile(router.resolve("manifest.json"))
                ? router.toAbsolutePath().getParent().resolve("eval") : router.resolve("eval");
        EvalJob.Input input = EvalJob.Input.of(d, te, trv, trueCosts, !(first.model().cost() instanceof CostModel.None),
                first.model().costScaleUsd(), routed);
        var summary = new EvalJob(new EvalJob.Options(bootstrap, seed)).run(input, outDir);
        spec.commandLine().getOut().printf(Locale.ROOT, "evaluated %d router(s) on %d test prompts: %s%n",
                routed.size(), te.length, outDir.toAbsolutePath());
        spec.commandLine().getOut().print(EvalJob.describe(summary));
        spec.commandLine().getOut().flush();
        return 0;
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

package dev.carrot.cli;

import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainOutput;
import dev.carrot.train.TrainerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.carrot.train.eval.EvalJob;
import dev.carrot.train.Variant;
import dev.carrot.data.longformat.LongFormatReader;
import dev.carrot.data.longformat.FileType;

/** {@code carrot train}: the main job. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train CARROT routers and evaluate them: load a dataset, embed every prompt (with a persistent"
                + " cache), train quality and cost predictors, choose hyperparameters on training folds and validation,"
                + " export router artifacts, evaluate on the test split.",
                "Writes DIR/router/ (the default router: the variant with the best held-out score),"
                        + " DIR/routers/<variant>/, DIR/curves.csv,"
                        + " DIR/summary.json and DIR/curves.png."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<dataset name>); a"
            + " non-empty folder that carrot did not make is refused unless --force")
    Path out;

    @Option(names = "--force", description = "write into a non-empty --out that carrot did not make, replacing its"
            + " outputs there (router, routers, summary.json, curves.csv, curves.png, eval); other files stay")
    boolean force;

    @Option(names = "--seed", description = "seed for everything random (default: ${DEFAULT-VALUE})",
            defaultValue = "42")
    long seed;

    @Option(names = "--predictors", split = ",", paramLabel = "KIND",
            description = "router variants to train: knn, logistic, blend, stack (default: all)")
    java.util.Set<String> predictors;

    @Option(names = "--prices", paramLabel = "FILE", description = "price table (carrot or LiteLLM JSON) for data"
            + " with token counts; default: the dataset descriptor's")
    Path prices;

    @Option(names = "--cost-scale", paramLabel = "USD|auto", defaultValue = "auto", description = "the cost unit of"
            + " mu: utility = (1-mu)*quality - mu*cost/scale (default: auto = the dearest model's mean training cost)")
    String costScale;

    @Option(names = "--threads", description = "worker threads (default: the number of cores)")
    Integer threads;

    @Option(names = "--no-fixed-models", description = "train routers that route every prompt with the rule alone,"
            + " without single models as candidates of their policy (default: at each mu, always calling the best"
            + " fixed model where that beats routing on held-out prompts)")
    boolean noFixedModels;

    @Mixin
    EncoderChoice encoders;

    @Option(names = "--cv-folds", paramLabel = "shuffled|dataset-order", defaultValue = "shuffled",
            description = "KNN cross-validation folds: after a seeded shuffle (default), or contiguous in the dataset's"
                    + " order like scikit-learn's unshuffled KFold")
    String cvFolds;

    @Option(names = "--bootstrap", description = "bootstrap replicates of the evaluation's confidence intervals"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    int bootstrap;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainerConfig cfg = TrainerConfig.defaults().withSeed(seed)
                .withCostScaleUsd(costScale.equalsIgnoreCase("auto") ? Double.NaN : parseScale(costScale));
        if (threads != null) {
            cfg = cfg.withThreads(threads);
        }
        cfg = cfg.withFixedModels(!noFixedModels);
        if (!cvFolds.equals("shuffled") && !cvFolds.equals("dataset-order")) {
            throw new IllegalArgumentException("--cv-folds must be 'shuffled' or 'dataset-order', got '" + cvFolds
                    + "'");
        }
        cfg = cfg.withDatasetOrderFolds(cvFolds.equals("dataset-order"));
        if (predictors != null && predictors.isEmpty()) {
            throw new IllegalArgumentException("--predictors is empty; give a comma-separated list of "
                    + String.join(", ", Variant.builtIn().stream().map(Variant::id).toList())
                    + ", or leave it out for all of them");
        }
        if (predictors != null) {
            List<Variant> v = new ArrayList<>();
            for (Variant builtIn : Variant.builtIn()) { // trained in the built-in order, whatever the order given
                if (predictors.stream().map(Variant::parse).anyMatch(p -> p.id().equals(builtIn.id()))) {
                    v.add(builtIn);
                }
            }
            cfg = cfg.withVariants(v);
        }
        // say it before any work starts: a non-empty folder that carrot did not make is not overwritten
        Path dir = out != null ? out : Path.of("out", safeName(data.spec()));
        TrainOutput.check(dir, force);
        RoutingDataset dataset = data.load(encoders.cacheDir);
        if (out == null && !dir.equals(Path.of("out", safeName(data.spec())))) {
            // the default data could not be had and the embedded sample stands in: its own folder
            dir = Path.of("out", safeName(data.spec()));
            TrainOutput.check(dir, force);
        }
        Optional<PriceTable> priceTable = prices != null ? Optional.of(PriceTable.load(prices))
                : descriptorPrices(data.spec(), dataset);
        try (PromptEncoder cached = encoders.openCached()) {
            Map<String, Object> command = new LinkedHashMap<>();
            command.put("command", "carrot train");
            command.put("data", data.spec());
            TrainJob.Report r = new TrainJob(cfg, cached, dir, data.loader(encoders.cacheDir).resolve(data.spec())
                    .descriptor(), TrainJob.creationTime()).withEvalOptions(new EvalJob.Options(bootstrap, seed))
                    .withForce(force).run(dataset, priceTable, command);
            java.io.PrintWriter o = spec.commandLine().getOut();
            o.print(r.describe());
            o.println("try next: " + Launcher.command() + " route --router " + Launcher.quote(dir.resolve("router")
                    .toString()) + " --mu 0.3 'What is the value of i^i?'");
            o.flush();
        }
        return 0;
    }

    private static double parseScale(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--cost-scale must be 'auto' or a number of USD, got '" + s + "'");
        }
    }

    /** The descriptor's prices for a dataset with token counts (SPROUT). */
    static Optional<PriceTable> descriptorPrices(String spec, RoutingDataset d) {
        if (!d.hasTokens()) {
            return Optional.empty();
        }
        Optional<DatasetDescriptor> desc = DatasetDescriptor.find(spec.contains("@")
                ? spec.substring(0, spec.indexOf('@')) : spec.replaceFirst("^hf://(datasets/)?", ""));
        return desc.flatMap(x -> x.prices().map(p -> PriceTable.parse(p, x.origin())));
    }

    static String safeName(String spec) {
        String s = spec.replaceFirst("^hf://(datasets/)?", "");
        Path p = Path.of(s);
        String name = p.getFileName() == null ? s : p.getFileName().toString();
        name = dev.carrot.data.longformat.FileType.stripExtension(name);
        return name.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}

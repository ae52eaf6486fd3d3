package dev.carrot.cli;

import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.PriceTable;
import dev.carrot.train.TrainJob;
import dev.carrot.train.add.AddModelJob;
import dev.carrot.train.add.ModelAddition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code carrot add-model}: a new model in a trained router, from a few labelled prompts. */
@Command(name = "add-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Add a model to a trained router from a few dozen to a few hundred prompts the new model"
                + " answered and was scored on (long format, one model), without scoring the other models again.",
                "KNN predictors complete their stored prompts' values for the new model from its scores on the"
                        + " router's training prompts and the other models' values on them; linear and logistic"
                        + " predictors get weights fitted with a prior centred on a combination of the other"
                        + " models'; blends get both. The budget calibration is recomputed on the labelled prompts"
                        + " the router stores, or dropped with a warning. Routers of other predictor kinds (onnx-text)"
                        + " are refused.",
                "Writes the new router to --out in one step, after loading it back and checking it."})
final class AddModelCommand implements Callable<Integer> {
    @Option(names = "--router", required = true, paramLabel = "DIR", description = "a router artifact, or a carrot"
            + " train output folder (its default router)")
    Path router;

    @Option(names = "--data", required = true, paramLabel = "FILE|DIR", description = "the new model's rows in"
            + " carrot's long format (Parquet, CSV, TSV, JSON Lines): prompt_id, prompt, model, score, and the cost"
            + " columns the router uses (output_tokens and input_tokens for token-priced routers, cost_usd for"
            + " routers that predict USD)")
    String data;

    @Option(names = "--name", required = true, paramLabel = "MODEL", description = "the new model's name: the"
            + " data's model column must be this")
    String name;

    @Option(names = "--prices", paramLabel = "FILE|IN,OUT", description = "the new model's price, for token-priced"
            + " routers: a price table (carrot or LiteLLM JSON) with an entry for the model, or INPUT,OUTPUT in USD"
            + " per 1M tokens")
    String prices;

    @Option(names = "--out", paramLabel = "DIR", description = "where to write the new router (default: the router's"
            + " folder name + '-plus-' + the model's name, beside it)")
    Path out;

    @Option(names = "--force", description = "replace the router artifact at --out (even the one being extended)")
    boolean force;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the cross-validation folds (default:"
            + " ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-calibration", description = "drop the budget calibration instead of recomputing it")
    boolean noCalibration;

    @Mixin
    EncoderChoice encoders;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (name.isBlank()) {
            throw new IllegalArgumentException("--name is blank");
        }
        Path routerDir = AddModelJob.resolveRouter(router);
        Path outDir = out != null ? out : router.toAbsolutePath().normalize()
                .resolveSibling(router.toAbsolutePath().normalize().getFileName() + "-plus-" + safe(name));
        AddModelJob.checkOut(outDir, routerDir, force);
        Optional<PriceTable.Price> price = prices == null ? Optional.empty() : Optional.of(price(prices, name));
        RoutingDataset rows = new DatasetLoader(DatasetLoader.Options.defaults()).load(data);
        if (rows.modelCount() != 1) {
            throw new IllegalArgumentException(data + " has rows for " + rows.modelCount() + " models " + rows.models()
                    + "; add-model takes the rows of the one new model (" + name + ")");
        }
        if (!rows.models().get(0).equals(name)) {
            throw new IllegalArgumentException(data + " holds rows of model '" + rows.models().get(0) + "', not '"
                    + name + "' (--name)");
        }
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("command", "carrot add-model");
        command.put("router", router.toString());
        command.put("data", data);
        command.put("name", name);
        if (prices != null) {
            command.put("prices", prices);
        }
        ModelAddition.Options options = ModelAddition.Options.defaults().withSeed(seed)
                .withCalibrate(!noCalibration);
        // the prompts are embedded as the router's were: its encoder, token limit and truncation side
        dev.carrot.route.model.RouterModel base = dev.carrot.route.io.RouterArtifact.read(routerDir);
        dev.carrot.route.encoder.EncoderInfo trained = base.textOnly() ? null : base.encoder();
        for (AutoCloseable c : base.nativeResources()) {
            c.close();
        }
        try (PromptEncoder cached = trained == null ? encoders.openCached() : encoders.openCachedFor(trained)) {
            AddModelJob.Report r = new AddModelJob(options, cached, TrainJob.creationTime()).run(routerDir, rows, price,
                    outDir, force, command);
            spec.commandLine().getOut().print(r.describe());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** A price table file with an entry for the model, or {@code INPUT,OUTPUT} USD per 1M tokens. */
    static PriceTable.Price price(String spec, String model) throws IOException {
        String s = spec.strip();
        if (s.matches("[0-9.eE+-]+\\s*,\\s*[0-9.eE+-]+")) {
            String[] parts = s.split(",");
            try {
                return new PriceTable.Price(Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--prices '" + spec + "' is not INPUT,OUTPUT in USD per 1M tokens",
                        e);
            }
        }
        Path file = Path.of(s);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--prices '" + spec + "' is neither a price table file nor"
                    + " INPUT,OUTPUT in USD per 1M tokens");
        }
        PriceTable t = PriceTable.load(file);
        return t.price(model).orElseThrow(() -> new IllegalArgumentException("price table " + file + " has no entry"
                + " for '" + model + "' (it prices " + t.prices().keySet() + ")"));
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_").toLowerCase(Locale.ROOT);
    }
}

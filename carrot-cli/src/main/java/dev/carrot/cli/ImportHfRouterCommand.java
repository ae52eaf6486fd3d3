package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.hf.HfHub;
import dev.carrot.data.hf.HfRepo;
import dev.carrot.data.hf.HfSnapshot;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.OnnxTextPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;
import dev.carrot.route.model.TokenizerInputTokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code carrot import-hf-router}: turns a pre-trained text router (a quality and an output-token
 * sequence-classification checkpoint exported to ONNX, like the CARROT authors' Performance and Cost models) into a
 * carrot router artifact: {@code Router.load}, receipts, {@code withPrices}, {@code carrot route} and the gateway work
 * on it.
 */
@Command(name = "import-hf-router", mixinStandardHelpOptions = true,
        description = {"Import a pre-trained text router (HuggingFace sequence-classification models exported to ONNX)"
                + " as a carrot router artifact.",
                "Each model folder holds model.onnx (inputs input_ids, attention_mask; output logits [batch, models])"
                        + " and tokenizer.json, as `optimum-cli export onnx --model CARROT-LLM-Routing/Performance"
                        + " --task text-classification quality/` writes it."})
final class ImportHfRouterCommand implements Callable<Integer> {
    /** CARROT's 13 models and its two published price tables (datasets/carrot-router.json). */
    static final String CARROT_ROUTER = "/dev/carrot/cli/carrot-router.json";

    @Option(names = "--quality", paramLabel = "DIR", description = "the quality model: model.onnx (sigmoid outputs,"
            + " one per model) and tokenizer.json")
    Path quality;

    @Option(names = "--output-tokens", paramLabel = "DIR", description = "the output-token model: model.onnx"
            + " (regression outputs, one per model) and tokenizer.json")
    Path outputTokens;

    @Option(names = "--hf", paramLabel = "ORG/NAME[@REV]", description = "a Hub model repository with quality/ and"
            + " output-tokens/ folders (and optionally input-tokenizer/tokenizer.json) in that layout, instead of"
            + " --quality and --output-tokens")
    String hf;

    @Option(names = "--input-tokenizer", paramLabel = "FILE", description = "a tokenizer.json that counts input"
            + " tokens, the same for every model (CARROT: Llama 3's); default: the quality model's tokenizer")
    Path inputTokenizer;

    @Option(names = "--prices", paramLabel = "FILE|paper|model_card|authors", defaultValue = "paper",
            description = "USD per 1M tokens: a price file (carrot or LiteLLM JSON), or CARROT's published tables:"
                    + " paper (the paper's experiments, default), model_card (the published CarrotRouter's),"
                    + " authors (model_card with output prices x 1000, as CarrotRouter.route prices them)")
    String prices;

    @Option(names = "--models", split = ",", paramLabel = "NAME", description = "the models of the outputs, in their"
            + " order (default: CARROT's 13)")
    List<String> models;

    @Option(names = "--cost-scale", paramLabel = "USD", defaultValue = "0.01", description = "the cost unit of mu:"
            + " utility = (1-mu)*quality - mu*cost/scale (default: ${DEFAULT-VALUE}; 0.01 with --prices authors"
            + " reproduces CarrotRouter.route)")
    double costScale;

    @Option(names = "--max-tokens", defaultValue = "512", description = "word pieces the models read (default:"
            + " ${DEFAULT-VALUE}, RoBERTa's)")
    int maxTokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the router artifact to write")
    Path out;

    @CommandLine.Mixin
    HubOptions hub;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (hf != null && (quality != null || outputTokens != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --hf or --quality and"
                    + " --output-tokens, not both");
        }
        Map<String, Object> source = new LinkedHashMap<>();
        Path q = quality;
        Path t = outputTokens;
        Path in = inputTokenizer;
        if (hf != null) {
            HfSnapshot snap = download(hf);
            q = snap.snapshotDir().resolve("quality");
            t = snap.snapshotDir().resolve("output-tokens");
            if (in == null && Files.isRegularFile(snap.snapshotDir().resolve("input-tokenizer/tokenizer.json"))) {
                in = snap.snapshotDir().resolve("input-tokenizer/tokenizer.json");
            }
            source.put("hf", hf);
            source.put("commit", snap.commit());
        } else if (q == null || t == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --quality DIR and --output-tokens DIR"
                    + " (or --hf ORG/NAME)");
        }
        JsonNode carrot = carrotRouter();
        List<String> names = models != null ? List.copyOf(models) : strings(carrot.get("models"));
        if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--models has an empty name");
        }
        PriceTable table = priceTable(prices, carrot);
        for (String m : names) {
            if (table.price(m).isEmpty()) {
                throw new IllegalArgumentException("--prices " + prices + " has no price for model '" + m + "'; it"
                        + " prices " + table.prices().keySet());
            }
        }
        byte[] qOnnx = read(q, "model.onnx", "--quality");
        byte[] qTok = read(q, "tokenizer.json", "--quality");
        byte[] tOnnx = read(t, "model.onnx", "--output-tokens");
        byte[] tTok = read(t, "tokenizer.json", "--output-tokens");
        byte[] inTok = in == null ? qTok : readFile(in, "--input-tokenizer");
        int m = names.size();
        try (OnnxTextPredictor qp = new OnnxTextPredictor(m, qOnnx, qTok, LinearPredictor.Link.SIGMOID, maxTokens);
             OnnxTextPredictor tp = new OnnxTextPredictor(m, tOnnx, tTok, LinearPredictor.Link.IDENTITY, maxTokens);
             TokenizerInputTokens inputs = new TokenizerInputTokens(m, in == null ? "quality model's tokenizer"
                     : in.getFileName().toString(), inTok)) {
            source.put("quality", q.toAbsolutePath().toString());
            source.put("quality_model_sha256", qp.modelSha256());
            source.put("output_tokens", t.toAbsolutePath().toString());
            source.put("output_tokens_model_sha256", tp.modelSha256());
            source.put("input_tokenizer", in == null ? "the quality model's" : in.toAbsolutePath().toString());
            source.put("prices", prices);
            Provenance prov = Provenance.builder().carrotVersion(CarrotVersion.VERSION)
                    .created(dev.carrot.train.TrainJob.creationTime())
                    .command(Map.of("command", "carrot import-hf-router", "source", source))
                    .variant("imported-text-router").costKind("tokens")
                    .build();
            RouterModel model = RouterModel.builder().models(names).prices(table).quality(qp)
                    .cost(new CostModel.Tokens(inputs, tp)).costScaleUsd(costScale).provenance(prov)
                    .build();
            RouterArtifact.write(model, out);
        }
        var w = spec.commandLine().getOut();
        w.printf("imported a text router of %d models into %s (quality and output tokens from ONNX, no budget"
                + " calibration: route with --mu)%n", m, out.toAbsolutePath());
        w.printf("try: carrot route --router %s --mu 0.3 \"What is Ito's integral?\"%n", out);
        w.flush();
        return 0;
    }

    private HfSnapshot download(String spec) throws IOException {
        String id = spec.contains("@") ? spec.substring(0, spec.indexOf('@')) : spec;
        String rev = spec.contains("@") ? spec.substring(spec.indexOf('@') + 1) : "main";
        return new HfHub(hub.config()).download(HfRepo.model(id), rev,
                List.of("quality/*", "output-tokens/*", "input-tokenizer/*"));
    }

    private static byte[] read(Path dir, String file, String option) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is not a folder; expected a folder with model.onnx"
                    + " and tokenizer.json (optimum-cli export onnx writes one)");
        }
        return readFile(dir.resolve(file), option);
    }

    private static byte[] readFile(Path f, String option) throws IOException {
        try {
            return Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + ": no such file " + f, e);
        }
    }

    /** CARROT's models and price tables, shipped with carrot. */
    static JsonNode carrotRouter() {
        try (InputStream s = ImportHfRouterCommand.class.getResourceAsStream(CARROT_ROUTER)) {
            if (s == null) {
                throw new IllegalStateException("carrot-cli's jar lacks " + CARROT_ROUTER);
            }
            return new ObjectMapper().readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A price file, or one of CARROT's published tables by name. */
    static PriceTable priceTable(String spec, JsonNode carrot) throws IOException {
        JsonNode tables = carrot.get("prices_usd_per_million_tokens");
        if (spec.equals("authors")) {
            // CarrotRouter.route prices output tokens per thousand: the same numbers per million are 1000x larger
            ObjectNode scaled = tables.get("model_card").deepCopy();
            scaled.fields().forEachRemaining(e -> ((ObjectNode) e.getValue()).put("output",
                    e.getValue().get("output").asDouble() * 1000));
            return PriceTable.parse(scaled, "CARROT's model_card prices with output prices x 1000");
        }
        if (tables.has(spec)) {
            return PriceTable.parse(tables.get(spec), "CARROT's " + spec + " prices");
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            List<String> names = new ArrayList<>();
            tables.fieldNames().forEachRemaining(names::add);
            names.add("authors");
            throw new IllegalArgumentException("--prices " + spec + " is neither a file nor one of " + names);
        }
        return PriceTable.load(file);
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}

package dev.carrot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.DatasetProvenance;
import dev.carrot.data.RoutingDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.carrot.train.Matrices;
import dev.carrot.route.model.PriceTable;

/** {@code carrot inspect}: what a dataset holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Load a dataset and show its prompts, models, splits, mean score and cost per model, and what was"
                + " dropped and why.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RoutingDataset d = data.load();
        double[] cost = meanCosts(d, TrainCommand.descriptorPrices(data.spec(), d));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(d,
                    cost)));
        } else {
            printText(d, cost, out);
        }
        out.flush();
        return 0;
    }

    /**
     * Mean cost per model in USD: the data's own costs, else its token counts priced with its descriptor's prices
     * (SPROUT), else null.
     */
    static double[] meanCosts(RoutingDataset d, java.util.Optional<dev.carrot.route.model.PriceTable> prices) {
        int m = d.modelCount();
        double[] all;
        if (d.hasCost()) {
            all = d.costMatrix();
        } else if (d.hasTokens() && prices.isPresent()) {
            all = dev.carrot.train.Matrices.pricedCosts(d, prices.get());
        } else {
            return null;
        }
        return dev.carrot.train.Matrices.columnMeans(all, m, java.util.stream.IntStream.range(0, d.size()).toArray());
    }

    static ObjectNode toJson(RoutingDataset d, double[] meanCost) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        DatasetProvenance p = d.provenance();
        o.put("source", p.source());
        o.put("format", p.format());
        p.revision().ifPresent(r -> o.put("revision", r));
        p.commit().ifPresent(c -> o.put("commit", c));
        o.put("prompts", d.size());
        ArrayNode models = o.putArray("models");
        d.models().forEach(models::add);
        ObjectNode splits = o.putObject("splits");
        d.splitCounts().forEach(splits::put);
        o.put("has_cost", meanCost != null);
        o.put("has_tokens", d.hasTokens());
        o.put("has_tasks", d.hasTasks());
        ObjectNode dropped = o.putObject("dropped");
        p.dropped().forEach(dropped::put);
        ObjectNode examples = o.putObject("dropped_examples");
        p.droppedExamples().forEach((k, v) -> {
            ArrayNode a = examples.putArray(k);
            v.forEach(a::add);
        });
        ArrayNode per = o.putArray("per_model");
        for (int m = 0; m < d.modelCount(); m++) {
            ObjectNode e = per.addObject();
            e.put("model", d.models().get(m));
            e.put("mean_score", d.meanQuality(m));
            if (meanCost != null) {
                e.put("mean_cost_usd", meanCost[m]);
            } else {
                e.putNull("mean_cost_usd");
            }
            if (d.hasTokens()) {
                double in = 0;
                double outTok = 0;
                for (int i = 0; i < d.size(); i++) {
                    in += d.inputTokens(i, m);
                    outTok += d.outputTokens(i, m);
                }
                e.put("mean_input_tokens", in / d.size());
                e.put("mean_output_tokens", outTok / d.size());
            }
        }
        o.put("rows_read", p.rowsRead());
        ArrayNode files = o.putArray("files");
        for (DatasetProvenance.SourceFile f : p.files()) {
            ObjectNode e = files.addObject();
            e.put("path", f.path());
            e.put("sha256", f.sha256());
            e.put("bytes", f.bytes());
            e.put("rows", f.rows());
        }
        o.put("content_sha256", p.contentSha256());
        ArrayNode notes = o.putArray("notes");
        p.notes().forEach(notes::add);
        return o;
    }

    private static void printText(RoutingDataset d, double[] meanCost, PrintWriter out) {
        DatasetProvenance p = d.provenance();
        out.printf(Locale.ROOT, "dataset   %s (%s%s%s)%n", p.source(), p.format(),
                p.revision().map(r -> ", revision " + r).orElse(""), p.commit().map(c -> ", commit " + c).orElse(""));
        out.printf(Locale.ROOT, "prompts   %d   models %d   rows read %d%n", d.size(), d.modelCount(), p.rowsRead());
        StringBuilder s = new StringBuilder();
        d.splitCounts().forEach((k, v) -> s.append(k).append('=').append(v).append("  "));
        out.printf(Locale.ROOT, "splits    %s%n", s.toString().strip());
        out.printf(Locale.ROOT, "costs     %s   tokens %s   tasks %s%n", d.hasCost() ? "yes"
                        : meanCost != null ? "from the tokens and the descriptor's prices" : "no",
                d.hasTokens() ? "yes" : "no", d.hasTasks() ? "yes" : "no");
        if (p.dropped().isEmpty()) {
            out.println("dropped   nothing");
        } else {
            for (Map.Entry<String, Integer> e : p.dropped().entrySet()) {
                List<String> ex = p.droppedExamples().getOrDefault(e.getKey(), List.of());
                out.printf(Locale.ROOT, "dropped   %d prompts: %s (e.g. %s)%n", e.getValue(), e.getKey(),
                        String.join(", ", ex));
            }
        }
        int w = Math.max(5, d.models().stream().mapToInt(String::length).max().orElse(5));
        out.printf(Locale.ROOT, "%n%-" + w + "s  %10s  %15s%n", "model", "mean score", "mean cost (USD)");
        for (int m = 0; m < d.modelCount(); m++) {
            out.printf(Locale.ROOT, "%-" + w + "s  %10.4f  %15s%n", d.models().get(m), d.meanQuality(m),
                    meanCost != null ? String.format(Locale.ROOT, "%.6g", meanCost[m]) : "-");
        }
        out.println();
        for (DatasetProvenance.SourceFile f : p.files()) {
            out.printf(Locale.ROOT, "file      %s  sha256 %s  %d rows%n", f.path(), f.sha256(), f.rows());
        }
        for (String n : p.notes()) {
            out.println("note      " + n);
        }
    }
}

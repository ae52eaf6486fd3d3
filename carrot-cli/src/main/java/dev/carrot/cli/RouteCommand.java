package dev.carrot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.Encoders;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code carrot route}: route prompts with a trained router and show the receipts. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = "Route prompts with a trained router; prints the decision and a receipt per model.")
final class RouteCommand implements Callable<Integer> {
    @Option(names = "--router", required = true, paramLabel = "DIR", description = "a router artifact directory")
    Path router;

    @Option(names = "--mu", paramLabel = "X", description = "trade-off in [0, 1]: 0 best quality, 1 cheapest"
            + " (default: 0)")
    Double mu;

    @Option(names = "--budget", paramLabel = "USD", description = "route within a budget in USD per query instead of"
            + " --mu (through the router's validation calibration)")
    Double budget;

    @Option(names = "--models", split = ",", paramLabel = "MODEL", description = "only these models are candidates")
    List<String> models;

    @Option(names = "--max-cost", paramLabel = "USD", description = "hard cap on the predicted cost of a query")
    Double maxCost;

    @Option(names = "--cap-confidence", paramLabel = "P", description = "apply --max-cost to each model's upper cost"
            + " bound at this confidence in (0, 1), e.g. 0.9, instead of its predicted cost (the router's"
            + " split-conformal bounds)")
    Double capConfidence;

    @Option(names = "--prices", paramLabel = "FILE", description = "price table to use instead of the router's"
            + " (carrot or LiteLLM JSON)")
    Path prices;

    @Option(names = "--encoder", paramLabel = "DIR", description = "the encoder folder the router was trained with,"
            + " if not the built-in all-MiniLM-L6-v2")
    Path encoder;

    @Option(names = "--json", description = "print JSON (one object per prompt, in a list)")
    boolean json;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "prompts to route")
    List<String> prompts;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (mu != null && budget != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --mu or --budget, not both: a"
                    + " budget is turned into mu by the router's calibration");
        }
        double tradeoff = mu == null ? 0.0 : mu;
        RouteOptions opts = RouteOptions.defaults();
        if (models != null) {
            for (String m : models) {
                if (m.isBlank()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--models has an empty model name ("
                            + "got '" + String.join(",", models) + "'); give a comma-separated list of the router's"
                            + " models, or leave --models out for all of them");
                }
            }
            if (models.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--models is empty; give a"
                        + " comma-separated list of the router's models, or leave --models out for all of them");
            }
            opts = opts.onlyModels(models);
        }
        if (maxCost != null) {
            opts = opts.withMaxCostUsd(maxCost);
        }
        if (capConfidence != null) {
            if (maxCost == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cap-confidence qualifies a cost cap:"
                        + " give --max-cost USD with it");
            }
            opts = opts.atConfidence(capConfidence);
        }
        var enc = encoder == null ? null : Encoders.fromDirectory(encoder);
        try (Router base = enc == null ? Router.load(router) : Router.load(router, enc)) {
            Router r = prices == null ? base : base.withPrices(PriceTable.load(prices));
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode all = om.createArrayNode();
            PrintWriter out = spec.commandLine().getOut();
            for (String p : prompts) {
                Decision d = budget != null ? r.routeWithBudget(p, budget, opts) : r.route(p, tradeoff, opts);
                if (json) {
                    all.add(toJson(p, d));
                } else {
                    print(out, p, d);
                }
            }
            if (json) {
                out.println(om.writeValueAsString(all));
            }
            out.flush();
        } finally {
            if (enc != null) {
                enc.close();
            }
        }
        return 0;
    }

    /** The decision's wire form ({@link DecisionJson}) with the prompt it was made for. */
    static ObjectNode toJson(String prompt, Decision d) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("prompt", prompt);
        o.setAll(DecisionJson.write(d));
        return o;
    }

    private static void print(PrintWriter out, String prompt, Decision d) {
        out.printf(Locale.ROOT, "%s%n  -> %s (mu %.3f, margin %.4f%s)%n", abbreviate(prompt), d.model(), d.mu(),
                d.margin(), d.withinCostCap() ? "" : ", over the cost cap");
        for (Receipt r : d.receipts()) {
            out.printf(Locale.ROOT, "     %-40s q %.3f  cost %.3e USD%s  utility %+.4f  %s%n", r.model(),
                    r.quality(), r.costUsd(), d.capConfidence().isEmpty() ? "" : String.format(Locale.ROOT,
                            "  (%.0f%% bound %.3e USD)", 100 * d.capConfidence().getAsDouble(), r.costBoundUsd()),
                    r.utility(), r.status().name().toLowerCase(Locale.ROOT));
        }
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 100 ? one : one.substring(0, 97) + "...";
    }
}

package dev.carrot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.Embedded;
import dev.carrot.train.Progress;
import dev.carrot.experiments.risk.RealDataCurves;
import dev.carrot.experiments.risk.RiskCurveConfig;
import dev.carrot.experiments.risk.RiskCurvesReport;
import dev.carrot.experiments.risk.SyntheticRiskCurves;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import dev.carrot.route.model.CarrotVersion;

/** {@code carrot risk-curves}: excess risk against n on synthetic data with a known truth, and learning curves. */
@Command(name = "risk-curves", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Learning curves of the plug-in router.",
                "Synthetic part: on problems whose true quality functions are known (datasets/synthetic.md), trains"
                        + " the KNN router (k = ceil(c n^(2beta/(2beta+d)))) and the logistic router for n = n_min,"
                        + " 2 n_min, ..., n_max with repeats, computes their exact excess risk over the Bayes router,"
                        + " fits the log-log slope with a 95%% CI and compares it with the plug-in rate"
                        + " beta(1+alpha)/(2beta+d) (Audibert and Tsybakov, 2007).",
                "Real-data part: trains the KNN router (k by cross-validation) on random fractions 1/32, ..., 1 of"
                        + " a dataset's training prompts and measures test regret against the per-prompt oracle.",
                "Writes DIR/summary.json, DIR/synthetic/{config.json,runs.csv,summary.csv,fits.csv,SETTING.png,"
                        + "SETTING.svg} and DIR/real/{runs.csv,summary.csv,DATASET.png,DATASET.svg}.",
                "Exit code 0; 3 when a KNN fit is not consistent with the theory (see --no-check)."})
final class RiskCurvesCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "synthetic experiment (JSON, as"
            + " datasets/synthetic-default.json); default: the built-in default, the same as that file")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})",
            defaultValue = "out/risk-curves")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "seed of every sample and subset (default: the config's,"
            + " 42)")
    Long seed;

    @Option(names = "--repeats", paramLabel = "R", description = "repeats per synthetic n (default: the config's, 40)")
    Integer repeats;

    @Option(names = "--max-n", paramLabel = "N", description = "largest synthetic n (default: the config's, 64000)")
    Integer maxN;

    @Option(names = "--real-data", split = ",", paramLabel = "DATASET", defaultValue = "routerdc_7model,"
            + "routerbench_subset", description = "datasets for the real-data learning curve, as for train --data"
            + " (default: ${DEFAULT-VALUE})")
    List<String> realData;

    @Option(names = "--real-repeats", paramLabel = "R", defaultValue = "5", description = "random subsets per"
            + " fraction on real data (default: ${DEFAULT-VALUE})")
    int realRepeats;

    @Option(names = "--synthetic-only", description = "skip the real-data curves")
    boolean syntheticOnly;

    @Option(names = "--real-only", description = "skip the synthetic curves")
    boolean realOnly;

    @Option(names = "--no-check", description = "exit 0 even when a KNN fit is not consistent with the theory")
    boolean noCheck;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: the number of cores)")
    Integer threads;

    @picocli.CommandLine.Mixin
    EncoderChoice encoders;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (syntheticOnly && realOnly) {
            throw new IllegalArgumentException("--synthetic-only and --real-only exclude each other");
        }
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + nThreads);
        }
        PrintWriter pw = spec.commandLine().getOut();
        ObjectNode provenance = new ObjectMapper().createObjectNode();
        provenance.put("command", "carrot risk-curves");
        ArrayNode args = provenance.putArray("args");
        spec.commandLine().getParseResult().originalArgs().forEach(args::add);
        provenance.put("carrot_version", dev.carrot.route.model.CarrotVersion.VERSION);
        provenance.put("java", System.getProperty("java.version"));
        provenance.put("threads", nThreads);

        SyntheticRiskCurves.Result synthetic = null;
        if (!realOnly) {
            RiskCurveConfig cfg = config != null ? RiskCurveConfig.load(config) : RiskCurveConfig.defaults();
            if (seed != null) {
                cfg = cfg.withSeed(seed);
            }
            if (repeats != null) {
                cfg = cfg.withRepeats(repeats);
            }
            if (maxN != null) {
                cfg = cfg.withNMax(maxN);
            }
            SyntheticRiskCurves curves = new SyntheticRiskCurves(cfg);
            try (Progress p = Progress.start("synthetic risk curves", curves.work())) {
                synthetic = curves.run(nThreads, p);
            }
            printSynthetic(pw, synthetic);
        }

        List<RealDataCurves.Result> real = new ArrayList<>();
        if (!syntheticOnly && realData != null && !realData.isEmpty()) {
            RealDataCurves.Options opts = RealDataCurves.Options.defaults().withRepeats(realRepeats);
            if (seed != null) {
                opts = opts.withSeed(seed);
            }
            RealDataCurves curves = new RealDataCurves(opts);
            DatasetLoader loader = new DatasetLoader(DatasetLoader.Options.defaults());
            try (PromptEncoder cached = encoders.openCached()) {
                for (String spec : realData) {
                    RoutingDataset all = loader.load(spec);
                    RoutingDataset data = all.splits(RoutingDataset.TRAIN, RoutingDataset.VALIDATION,
                            RoutingDataset.TEST);
                    Embedded emb;
                    try (Progress p = Progress.start("embedding " + spec, data.size())) {
                        emb = Embedded.of(data, cached, false, p);
                    }
                    String name = TrainCommand.safeName(spec);
                    RealDataCurves.Result r;
                    try (Progress p = Progress.start("learning curve " + name, curves.work(data))) {
                        r = curves.run(name, data, emb, nThreads, p);
                    }
                    real.add(r);
                    printReal(pw, r);
                }
            }
        }
        List<Path> files = RiskCurvesReport.write(out, synthetic, real, provenance);
        pw.printf(Locale.ROOT, "wrote %d files to %s%n", files.size(), out);
        pw.flush();
        if (synthetic != null && !noCheck && synthetic.fits().stream().anyMatch(f ->
                f.router() == SyntheticRiskCurves.RouterKind.KNN && !f.consistent())) {
            spec.commandLine().getErr().println("carrot: a KNN fit is not consistent with the theoretical exponent"
                    + " (see " + out.resolve("synthetic/fits.csv") + ")");
            return 3;
        }
        return 0;
    }

    private static void printSynthetic(PrintWriter pw, SyntheticRiskCurves.Result r) {
        pw.printf(Locale.ROOT, "synthetic: n = %d .. %d, %d repeats, excess risk ~ n^-exponent (95%% CI, whole"
                + " grid; tolerance %.2f)%n", r.config().nMin(), r.config().sizes()[r.config().sizes().length - 1],
                r.config().repeats(), r.config().tolerance());
        pw.printf(Locale.ROOT, "  %-14s %-9s %7s  %-17s  %-17s  %s%n", "setting", "router", "theory", "fitted",
                "upper half", "");
        for (SyntheticRiskCurves.Fit f : r.fits()) {
            pw.printf(Locale.ROOT, "  %-14s %-9s %7.3f  %.3f [%.3f, %.3f]  %.3f [%.3f, %.3f]  %s%n", f.setting(),
                    f.router().id(), f.theoryExponent(), f.all().exponent(), f.all().ciLow(), f.all().ciHigh(),
                    f.upperHalf().exponent(), f.upperHalf().ciLow(), f.upperHalf().ciHigh(),
                    f.consistent() ? "consistent" : "not consistent");
        }
        pw.printf(Locale.ROOT, "  (%.1f s)%n", r.seconds());
        pw.flush();
    }

    private static void printReal(PrintWriter pw, RealDataCurves.Result r) {
        pw.printf(Locale.ROOT, "%s: test regret against the oracle (%d test prompts), mean over repeats%n",
                r.dataset(), r.testPrompts());
        for (int u = 0; u < r.mus().length; u++) {
            double mu = r.mus()[u];
            pw.printf(Locale.ROOT, "  mu %.2f oracle utility %.4f%n", mu, r.oracleUtility()[u]);
            for (String router : r.routers()) {
                StringBuilder sb = new StringBuilder();
                for (RealDataCurves.Point p : r.points(router, mu)) {
                    sb.append(String.format(Locale.ROOT, "  %d:%.4f", p.trainPrompts(), p.meanRegret()));
                }
                pw.printf(Locale.ROOT, "  mu %.2f %-18s%s%n", mu, router, sb);
            }
        }
        pw.printf(Locale.ROOT, "  (%.1f s)%n", r.seconds());
        pw.flush();
    }
}

package dev.carrot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.experiments.addmodel.LeaveOneModelOut;
import dev.carrot.experiments.addmodel.LeaveOneModelOutReport;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.train.Embedded;
import dev.carrot.train.Progress;
import dev.carrot.train.TrainJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code carrot leave-one-model-out}: how much of a full retrain's gain add-model recovers from n labels. */
@Command(name = "leave-one-model-out", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The experiment behind carrot add-model: for each model of a dataset, train the KNN router"
                + " without it, add it back from n of its labelled training prompts (seeded samples, repeats), and"
                + " compare the test area (test quality at mu = 0 for data without costs) with the router that never"
                + " has it and with a full retrain that has all its labels. Also runs the method's ablations at one n.",
                "Writes DIR/summary.json, DIR/models.csv, DIR/runs.csv and DIR/recovered.png/svg."})
final class LeaveOneModelOutCommand implements Callable<Integer> {
    @Option(names = "--data", split = ",", paramLabel = "DATASET", defaultValue = "routerbench_subset,routerdc_7model",
            description = "datasets, as for train --data (default: ${DEFAULT-VALUE})")
    List<String> data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/leave-one-model-out",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--sizes", split = ",", paramLabel = "N", defaultValue = "25,50,100,200",
            description = "labelled prompts of the added model (default: ${DEFAULT-VALUE})")
    int[] sizes;

    @Option(names = "--repeats", defaultValue = "3", description = "random samples per size (default:"
            + " ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-ablations", description = "skip the ablations")
    boolean noAblations;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap replicates of each full retrain's"
            + " gain (default: ${DEFAULT-VALUE})")
    int bootstrap;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: the number of cores)")
    Integer threads;

    @CommandLine.Mixin
    EncoderChoice encoders;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + nThreads);
        }
        LeaveOneModelOut.Options o = LeaveOneModelOut.Options.defaults().withSizes(sizes).withRepeats(repeats)
                .withSeed(seed);
        if (noAblations) {
            o = o.withAblations(List.of());
        }
        o = new LeaveOneModelOut.Options(o.sizes(), o.repeats(), o.seed(), o.ablations(), pickAblationSize(o.sizes()),
                bootstrap);
        ObjectNode provenance = new ObjectMapper().createObjectNode();
        provenance.put("command", "carrot leave-one-model-out");
        ArrayNode args = provenance.putArray("args");
        spec.commandLine().getParseResult().originalArgs().forEach(args::add);
        provenance.put("carrot_version", CarrotVersion.VERSION);
        provenance.put("java", System.getProperty("java.version"));
        provenance.put("threads", nThreads);

        PrintWriter pw = spec.commandLine().getOut();
        LeaveOneModelOut experiment = new LeaveOneModelOut(o);
        DatasetLoader loader = new DatasetLoader(DatasetLoader.Options.defaults());
        List<LeaveOneModelOut.Result> results = new ArrayList<>();
        try (PromptEncoder cached = encoders.openCached()) {
            for (String d : data) {
                RoutingDataset all = TrainJob.trainingView(loader.load(d));
                Embedded emb;
                try (Progress p = Progress.start("embedding " + d, all.size())) {
                    emb = Embedded.of(all, cached, false, p);
                }
                String name = TrainCommand.safeName(d);
                LeaveOneModelOut.Result r;
                try (Progress p = Progress.start("leave one model out, " + name, experiment.work(all))) {
                    r = experiment.run(name, all, emb, nThreads, p);
                }
                results.add(r);
                print(pw, r);
                // write after each dataset: a long run keeps what it has done
                LeaveOneModelOutReport.write(out, results, provenance);
            }
        }
        pw.printf(Locale.ROOT, "wrote %s%n", out.toAbsolutePath());
        pw.flush();
        return 0;
    }

    private static int pickAblationSize(int[] sizes) {
        for (int n : sizes) {
            if (n == 100) {
                return 100;
            }
        }
        return sizes[sizes.length / 2];
    }

    private static void print(PrintWriter pw, LeaveOneModelOut.Result r) {
        pw.printf(Locale.ROOT, "%s: %d train, %d test prompts, %d models; %s of the full retrain %.4f (%.0f s)%n",
                r.dataset(), r.trainPrompts(), r.testPrompts(), r.models(), r.metric(), r.full(), r.seconds());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-40s %8s %8s %19s", "left out",
                "without", "gain", "gain 95% CI"));
        for (int n : r.sizes()) {
            head.append(String.format(Locale.ROOT, " %8s", "n=" + n));
        }
        pw.println(head);
        for (LeaveOneModelOut.ModelSummary s : r.summaries()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-40s %8.4f %+8.4f [%+8.4f,%+8.4f]",
                    s.model(), s.without(), s.gain(), s.gainLow(), s.gainHigh()));
            for (double v : s.recovered()) {
                line.append(Double.isNaN(v) ? String.format(Locale.ROOT, " %8s", "-")
                        : String.format(Locale.ROOT, " %7.0f%%", 100 * v));
            }
            pw.println(line);
        }
        StringBuilder mean = new StringBuilder(String.format(Locale.ROOT, "  %-40s %8s %8s %19s",
                "mean over the " + r.gaining() + " models that gain", "", "", ""));
        StringBuilder pooled = new StringBuilder(String.format(Locale.ROOT, "  %-40s %8s %8s %19s", "pooled", "", "",
                ""));
        StringBuilder clear = new StringBuilder(String.format(Locale.ROOT, "  %-40s %8s %8s %19s",
                "mean over the " + r.measurable() + " with gain CI above 0", "", "", ""));
        for (int j = 0; j < r.sizes().length; j++) {
            mean.append(String.format(Locale.ROOT, " %7.0f%%", 100 * r.meanRecovered()[j]));
            pooled.append(String.format(Locale.ROOT, " %7.0f%%", 100 * r.pooledRecovered()[j]));
            clear.append(Double.isNaN(r.measurableRecovered()[j]) ? String.format(Locale.ROOT, " %8s", "-")
                    : String.format(Locale.ROOT, " %7.0f%%", 100 * r.measurableRecovered()[j]));
        }
        pw.println(mean);
        pw.println(pooled);
        pw.println(clear);
        pw.printf(Locale.ROOT, "  %d of %d gains have a 95%% interval above 0; ablations: %s%n", r.measurable(),
                r.models(), r.ablationRecovered());
        pw.flush();
    }
}

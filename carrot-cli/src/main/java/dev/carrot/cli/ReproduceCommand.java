package dev.carrot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code carrot reproduce}: every CSV and plot of the README from the shared datasets, in one command. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Reproduce the evaluation: train and evaluate on routerbench_subset and routerdc_7model (with"
                + " baselines, bootstrap intervals, per-task metrics and budget calibration), then the synthetic"
                + " minimax risk curves and the real-data learning curves.",
                "Writes OUT/routerbench_subset/, OUT/routerdc_7model/ and OUT/risk-curves/."})
final class ReproduceCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/paper",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap replicates (default:"
            + " ${DEFAULT-VALUE})")
    int bootstrap;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter e = spec.commandLine().getErr();
        List<String[]> steps = List.of(
                new String[]{"train", "--data", "routerbench_subset", "--out", out.resolve("routerbench_subset")
                        .toString(), "--seed", String.valueOf(seed), "--bootstrap", String.valueOf(bootstrap)},
                new String[]{"train", "--data", "routerdc_7model", "--out", out.resolve("routerdc_7model").toString(),
                        "--seed", String.valueOf(seed), "--bootstrap", String.valueOf(bootstrap)},
                new String[]{"risk-curves", "--out", out.resolve("risk-curves").toString(), "--seed",
                        String.valueOf(seed)});
        for (String[] step : steps) {
            o.println("== carrot " + String.join(" ", step));
            o.flush();
            int code = CarrotCli.run(o, e, step);
            if (code != 0) {
                e.println("carrot reproduce: step 'carrot " + String.join(" ", step) + "' failed with exit code "
                        + code);
                return code;
            }
        }
        o.println("all outputs under " + out.toAbsolutePath());
        return 0;
    }
}

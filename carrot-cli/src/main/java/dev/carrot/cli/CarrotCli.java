package dev.carrot.cli;

import dev.carrot.route.model.CarrotVersion;
import dev.carrot.serve.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.Level;

/** The {@code carrot} command line. */
@Command(name = "carrot", mixinStandardHelpOptions = true, versionProvider = CarrotCli.Version.class,
        description = "CARROT: cost-aware LLM routing. Train routers on routing data, evaluate them, route prompts.",
        subcommands = {InspectCommand.class, TrainCommand.class, EvalCommand.class, RiskCurvesCommand.class,
                ReproduceCommand.class, RouteCommand.class, EmbedCommand.class, ImportHfRouterCommand.class,
                AddModelCommand.class, LeaveOneModelOutCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class CarrotCli implements Runnable {
    /**
     * Tribuo and OLCUT log every training run through java.util.logging at INFO; their loggers are quietened here and
     * held strongly, since java.util.logging forgets the level of a logger nobody references.
     */
    private static final java.util.List<java.util.logging.Logger> QUIET = java.util.List.of(
            java.util.logging.Logger.getLogger("org.tribuo"),
            java.util.logging.Logger.getLogger("com.oracle.labs.mlrg.olcut"));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command: inspect, train, eval, risk-curves, reproduce, route, embed, import-hf-router, add-model");
    }

    public static void main(String[] args) {
        // carrot-route logs through System.Logger, which lands in java.util.logging when no slf4j bridge is on the
        // system class path (under mvn exec:java): give it the same one-line format as the rest
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT [%4$s] %3$s - %5$s%6$s%n");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the command line with the given output and error writers; returns the exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        System.setProperty("java.awt.headless", "true");
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        CommandLine cl = new CommandLine(new CarrotCli());
        // no @file expansion: a prompt that starts with @ is a prompt ("@/etc/hostname" must not route the file)
        cl.setExpandAtFiles(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("carrot: " + Errors.describe(ex));
            if (Boolean.getBoolean("carrot.debug")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /** The version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"carrot " + CarrotVersion.VERSION};
        }
    }
}

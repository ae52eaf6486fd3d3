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
                picocli.AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class})
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
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command: inspect, train, eval,"
                + " risk-curves, reproduce, route, embed, import-hf-router, add-model, leave-one-model-out, serve,"
                + " generate-completion");
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
        // picocli hides its completion command; carrot lists it: source <(carrot generate-completion)
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cl.setOut(out);
        cl.setErr(err);
        CommandLine.IParameterExceptionHandler parseErrors = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine c = ex.getCommandLine();
            if ((ex instanceof CommandLine.UnmatchedArgumentException
                    || ex instanceof CommandLine.MissingParameterException)
                    && !c.getCommandSpec().positionalParameters().isEmpty()
                    && java.util.Arrays.stream(arguments).anyMatch(a -> looksLikeAPromptWithADash(a, c))) {
                c.getErr().println("carrot: an argument that starts with '-' and is not an option (a prompt such as"
                        + " '-1 or 1?') goes after '--', which ends the options: carrot " + c.getCommandName()
                        + " ... -- '-1 or 1?'");
            }
            return parseErrors.handleParseException(ex, arguments);
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("carrot: " + Errors.describe(ex));
            if (Boolean.getBoolean("carrot.debug")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /** An argument that starts with '-' but names no option of the command: a prompt or text, most likely. */
    private static boolean looksLikeAPromptWithADash(String arg, CommandLine c) {
        if (!arg.startsWith("-") || arg.equals("--")) {
            return false;
        }
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        return !c.getCommandSpec().optionsMap().containsKey(name);
    }

    /** The version and git commit the build recorded. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{version()};
        }

        /** {@code carrot 0.1.0-SNAPSHOT (commit 0123456789ab)}; {@code commit unknown} when built outside git. */
        static String version() {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = CarrotCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                // the build's record is missing: say unknown
            }
            String version = known(p.getProperty("version")).orElse(CarrotVersion.VERSION);
            String commit = known(p.getProperty("commit")).filter(c -> c.matches("[0-9a-f]{7,40}"))
                    .orElse("unknown");
            boolean dirty = !commit.equals("unknown") && known(p.getProperty("dirty")).orElse("").equals("true");
            return "carrot " + version + " (commit " + commit + (dirty ? ", with uncommitted changes" : "") + ")";
        }

        /** A filtered value, or empty when the build left the placeholder (or nothing) there. */
        private static java.util.Optional<String> known(String v) {
            return v == null || v.isBlank() || v.contains("${") ? java.util.Optional.empty()
                    : java.util.Optional.of(v.strip());
        }
    }
}

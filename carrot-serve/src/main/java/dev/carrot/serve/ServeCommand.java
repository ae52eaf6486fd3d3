package dev.carrot.serve;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code carrot serve}: runs the gateway until the process is stopped (SIGTERM or Ctrl-C drain in-flight requests
 * first). The runnable jar's main class; carrot's command line mounts the same class as a subcommand.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run carrot's OpenAI-compatible routing gateway: clients send chat completions with model"
                + " \"carrot\" (or carrot:mu=X, carrot:budget=USD, or a concrete model) and each is routed to the"
                + " model the router picks, with fallbacks, receipts and Prometheus metrics.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "the gateway's JSON configuration (see carrot-serve/README.md)")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "address to bind instead of the config's \"listen\" (default 127.0.0.1:8000)")
    String listen;

    @Option(names = "--no-auth", description = "accept requests without a gateway key; only with a loopback address")
    boolean noAuth;

    @Override
    public Integer call() throws Exception {
        ServeConfig cfg = ServeConfig.load(config);
        if (listen != null) {
            cfg = cfg.withListen(listen);
        }
        if (noAuth) {
            cfg = cfg.withoutAuth();
        }
        CarrotServer server = CarrotServer.start(cfg);
        Thread hook = new Thread(() -> {
            LOG.info("stopping: draining in-flight requests (up to {} s)", server.config().shutdownTimeoutS());
            server.close();
        }, "carrot-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.awaitClose();
        return 0;
    }

    /** Runs the command with the given arguments and returns its exit code (2 for a bad configuration). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("carrot serve: " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        int rc = run(args);
        System.exit(rc);
    }
}

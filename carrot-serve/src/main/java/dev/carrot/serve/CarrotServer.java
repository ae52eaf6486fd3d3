package dev.carrot.serve;

import dev.carrot.serve.internal.Gateway;
import dev.carrot.serve.internal.GatewayAuth;
import dev.carrot.serve.internal.GatewayMetrics;
import dev.carrot.serve.internal.RouterAdapter;
import dev.carrot.serve.internal.SessionPins;
import dev.carrot.serve.internal.UpstreamTarget;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * carrot's OpenAI-compatible routing gateway, in process: {@link #start(ServeConfig)} loads the router, warms its
 * encoder, binds the port and returns a running server; {@link #close()} stops accepting, lets in-flight requests
 * finish (up to {@code shutdown_timeout_s}) and releases everything. The command line ({@link ServeCommand}) and the
 * runnable jar are thin wrappers around this.
 *
 * <pre>{@code
 * try (CarrotServer server = CarrotServer.start(ServeConfig.load(Path.of("carrot-serve.json")))) {
 *     // point an OpenAI client at server.baseUrl() + "/v1" with model "carrot"
 * }
 * }</pre>
 */
public final class CarrotServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CarrotServer.class);

    private final ServeConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final HttpClient client;
    private final ExecutorService routing;
    private final RouterAdapter router;
    private final Gateway gateway;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final int port;

    private CarrotServer(ServeConfig config, Server server, ServerConnector connector, HttpClient client,
                         ExecutorService routing, RouterAdapter router, Gateway gateway) {
        this.config = config;
        this.server = server;
        this.connector = connector;
        this.client = client;
        this.routing = routing;
        this.router = router;
        this.gateway = gateway;
        this.port = connector.getLocalPort();
    }

    /** Starts a gateway with keys and upstream keys read from the process environment. */
    public static CarrotServer start(ServeConfig config) throws IOException {
        return start(config, System.getenv());
    }

    /**
     * Starts a gateway, reading the environment variables the configuration names from {@code environment}.
     *
     * @throws IllegalArgumentException naming the config key when the configuration does not fit the router or the
     *                                  environment (an upstream for a model the router does not know, a missing key
     *                                  variable ...)
     * @throws IOException              when the router cannot be read or the port cannot be bound
     */
    public static CarrotServer start(ServeConfig config, Map<String, String> environment) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(environment, "environment");
        long t0 = System.nanoTime();

        // secrets first: fail before loading anything when one is missing
        config.requireKeysUnlessNoAuth();
        GatewayAuth auth = GatewayAuth.none();
        if (config.requireAuth()) {
            Optional<String> keys = Optional.empty();
            if (config.apiKeysEnv().isPresent()) {
                String name = config.apiKeysEnv().get();
                String v = environment.get(name);
                if (v == null || v.isBlank()) {
                    throw new IllegalArgumentException("api_keys_env: environment variable " + name + " is not set"
                            + " (or empty); it must hold the gateway's accepted keys, comma-separated");
                }
                keys = Optional.of(v);
            }
            auth = GatewayAuth.of(config.apiKeySha256(), keys);
        }
        Map<String, Optional<String>> upstreamKeys = new LinkedHashMap<>();
        for (Map.Entry<String, ServeConfig.Upstream> e : config.upstreams().entrySet()) {
            Optional<String> envName = e.getValue().apiKeyEnv();
            if (envName.isPresent()) {
                String v = environment.get(envName.get());
                if (v == null || v.isBlank()) {
                    throw new IllegalArgumentException("upstreams." + e.getKey() + ".api_key_env: environment variable "
                            + envName.get() + " is not set (or empty)");
                }
                upstreamKeys.put(e.getKey(), Optional.of(v.strip()));
            } else {
                upstreamKeys.put(e.getKey(), Optional.empty());
            }
        }

        RouterAdapter router = RouterAdapter.open(config.router(), config.encoder(), config.encoderThreads(),
                config.prices());
        ExecutorService routing = null;
        HttpClient client = null;
        Server server = null;
        try {
            List<String> models = router.models();
            for (String name : config.upstreams().keySet()) {
                if (!models.contains(name)) {
                    throw new IllegalArgumentException("upstreams." + name + ": the router has no model '" + name
                            + "'; its models are " + models);
                }
            }
            List<String> excluded = new ArrayList<>();
            for (String m : models) {
                if (!config.upstreams().containsKey(m)) {
                    excluded.add(m);
                }
            }
            if (!excluded.isEmpty()) {
                LOG.warn("models without an upstream are excluded from routing: {}", excluded);
            }
            if (config.defaultBudgetUsd().isPresent() && !router.hasBudgetCalibration()) {
                throw new IllegalArgumentException("default_budget_usd: this router has no budget calibration (it was"
                        + " trained without a validation split or without costs); use default_mu");
            }
            Map<String, UpstreamTarget> targets = new LinkedHashMap<>();
            for (Map.Entry<String, ServeConfig.Upstream> e : config.upstreams().entrySet()) {
                ServeConfig.Upstream u = e.getValue();
                targets.put(e.getKey(), new UpstreamTarget(e.getKey(), u.chatCompletionsUrl(), u.model(),
                        u.apiKeyHeader(), upstreamKeys.get(e.getKey()), Math.round(u.timeoutS() * 1000)));
            }

            router.warmUp();

            AtomicInteger n = new AtomicInteger();
            routing = new ThreadPoolExecutor(config.routingThreads(), config.routingThreads(), 0, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "carrot-route-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });

            QueuedThreadPool clientThreads = new QueuedThreadPool(64, 2, 60_000);
            clientThreads.setName("carrot-upstream");
            clientThreads.setDaemon(true);
            client = new HttpClient();
            client.setExecutor(clientThreads);
            client.setMaxConnectionsPerDestination(config.maxConcurrency());
            client.setMaxRequestsQueuedPerDestination(Math.max(1024, config.maxConcurrency()));
            client.setConnectTimeout(10_000);
            client.setIdleTimeout(120_000);
            client.setFollowRedirects(false);
            client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "carrot-serve/" + RouterAdapter.version()));
            client.start();

            GatewayMetrics metrics = new GatewayMetrics();
            SessionPins pins = new SessionPins(config.maxSessions(), config.sessionTtlS(), System::nanoTime);
            Gateway.Settings settings = new Gateway.Settings(config.maxFallbacks(), config.maxRequestBytes(),
                    (int) config.maxResponseBytes(), config.maxConcurrency(),
                    Math.round(config.maxStreamS() * 1000), config.defaultMu().orElse(ServeConfig.DEFAULT_MU),
                    config.defaultBudgetUsd());
            Gateway gateway = new Gateway(settings, router, targets, auth, metrics, pins, client, routing);

            QueuedThreadPool serverThreads = new QueuedThreadPool(200, 4, 60_000);
            serverThreads.setName("carrot-serve");
            server = new Server(serverThreads);
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setRequestHeaderSize(16 * 1024);
            ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            connector.setHost(config.host());
            connector.setPort(config.port());
            connector.setIdleTimeout(Math.round(config.idleTimeoutS() * 1000));
            connector.setAcceptQueueSize(1024);
            server.addConnector(connector);
            server.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
            server.setHandler(new GracefulHandler(gateway));
            server.setStopTimeout(Math.round(config.shutdownTimeoutS() * 1000));
            server.setStopAtShutdown(false);
            try {
                server.start();
            } catch (IOException e) {
                throw new IOException("listen: cannot bind " + config.host() + ":" + config.port() + ": "
                        + e.getMessage(), e);
            } catch (Exception e) {
                throw new IOException("cannot start the server on " + config.host() + ":" + config.port() + ": " + e,
                        e);
            }
            gateway.ready(true);
            CarrotServer s = new CarrotServer(config, server, connector, client, routing, router, gateway);
            LOG.info("carrot-serve listening on {} in {} ms: routing {} with encoder {}, {}; gateway keys {}",
                    s.baseUrl(), (System.nanoTime() - t0) / 1_000_000, gateway.routable(), router.encoderId(),
                    config.defaultBudgetUsd().isPresent() ? "default budget " + config.defaultBudgetUsd().getAsDouble()
                            + " USD" : "default mu " + settings.defaultMu(),
                    auth.required() ? auth.keyCount() + " accepted" : "OFF (--no-auth, loopback only)");
            return s;
        } catch (Exception e) {
            stopQuietly(server, client, routing);
            router.close();
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e);
        }
    }

    private static void stopQuietly(Server server, HttpClient client, ExecutorService routing) {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            LOG.debug("stopping the server", e);
        }
        try {
            if (client != null) {
                client.stop();
            }
        } catch (Exception e) {
            LOG.debug("stopping the upstream client", e);
        }
        if (routing != null) {
            routing.shutdownNow();
        }
    }

    /** The port the server is bound to (the chosen one when the config asked for port 0). */
    public int port() {
        return port;
    }

    public String host() {
        return config.host();
    }

    /** {@code http://host:port}; OpenAI clients take {@code baseUrl() + "/v1"}. */
    public String baseUrl() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port();
    }

    public ServeConfig config() {
        return config;
    }

    /** The models requests can be routed to (router models with an upstream). */
    public List<String> routableModels() {
        return gateway.routable();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops accepting connections, lets in-flight requests (streams included) finish for up to
     * {@code shutdown_timeout_s}, then stops the upstream client and releases the router. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        gateway.drain();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the server did not stop cleanly: {}", e.toString());
        }
        try {
            client.stop();
        } catch (Exception e) {
            LOG.warn("the upstream client did not stop cleanly: {}", e.toString());
        }
        routing.shutdownNow();
        router.close();
        LOG.info("carrot-serve on {} stopped in {} ms", baseUrl(),
                (System.nanoTime() - t0) / 1_000_000);
        stopped.countDown();
    }
}

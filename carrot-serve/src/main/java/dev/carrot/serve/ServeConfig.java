package dev.carrot.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's configuration: one JSON file, validated as a whole when it is read; every error names the key
 * ({@code upstreams.gpt-4o.timeout_s: expected a number > 0, got "x"}). Relative paths are resolved against the
 * file's folder. Secrets are never held here: keys are named by environment variable or given as SHA-256 digests.
 * See carrot-serve/README.md for the reference of every key.
 *
 * @param router            the router artifact directory
 * @param encoder           the encoder folder, when the router was not trained with the built-in all-MiniLM-L6-v2
 * @param encoderThreads    ONNX Runtime threads per encoding (1 is fastest under concurrent load)
 * @param routingThreads    threads that encode and route requests (default: one per core)
 * @param prices            a price table (carrot or LiteLLM JSON) to use instead of the router's
 * @param host              address to bind
 * @param port              port to bind (0: a free one)
 * @param defaultMu         mu for {@code model: "carrot"} (exclusive with {@code defaultBudgetUsd})
 * @param defaultBudgetUsd  a budget in USD per query for {@code model: "carrot"}, instead of mu
 * @param apiKeysEnv        environment variable holding the gateway's accepted keys, comma-separated
 * @param apiKeySha256      accepted keys as lower-case hex SHA-256 digests
 * @param requireAuth       false only for {@code --no-auth}, which needs a loopback {@code host}
 * @param maxFallbacks      further candidates tried after the first fails (0..10)
 * @param maxRequestBytes   largest request body accepted (413 above)
 * @param maxResponseBytes  largest non-streamed upstream answer accepted (502 above)
 * @param maxConcurrency    requests handled at once, streams included (429 above)
 * @param maxConnections    client connections held open at once (more wait to be accepted)
 * @param idleTimeoutS      a client connection idle this long between requests is closed (a request waiting for
 *                          its upstream is bounded by the upstream's timeout instead)
 * @param maxStreamS        a stream lasting longer is ended with an error event
 * @param shutdownTimeoutS  how long {@code close()} waits for in-flight requests
 * @param sessionTtlS       a session pin unused this long is forgotten
 * @param maxSessions       pins kept (least recently used are dropped beyond)
 * @param upstreams         per router model: where its calls go, in file order
 */
public record ServeConfig(Path router, Optional<Path> encoder, int encoderThreads, int routingThreads,
                          Optional<Path> prices, String host, int port, OptionalDouble defaultMu,
                          OptionalDouble defaultBudgetUsd, Optional<String> apiKeysEnv, List<String> apiKeySha256,
                          boolean requireAuth, int maxFallbacks, long maxRequestBytes, long maxResponseBytes,
                          int maxConcurrency, int maxConnections, double idleTimeoutS, double maxStreamS,
                          double shutdownTimeoutS, double sessionTtlS, int maxSessions,
                          Map<String, Upstream> upstreams) {

    /** Default mu when the file gives neither {@code default_mu} nor {@code default_budget_usd}. */
    public static final double DEFAULT_MU = 0.3;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> KEYS = Set.of("router", "encoder", "encoder_threads", "routing_threads",
            "prices", "listen", "default_mu", "default_budget_usd", "api_keys_env", "api_key_sha256", "max_fallbacks",
            "max_request_bytes", "max_response_bytes", "max_concurrency", "max_connections", "idle_timeout_s",
            "max_stream_s", "shutdown_timeout_s", "session_ttl_s", "max_sessions", "upstreams");
    private static final Set<String> UPSTREAM_KEYS = Set.of("base_url", "model", "api_key_env", "api_key_header",
            "timeout_s");

    /**
     * Where one router model's calls go.
     *
     * @param baseUrl      the OpenAI-compatible base URL (calls go to {@code baseUrl + "/chat/completions"}; a query
     *                     string, as Azure's {@code ?api-version=}, is kept)
     * @param model        the model id the upstream knows (replaces the request's {@code model})
     * @param apiKeyEnv    environment variable holding the upstream's key; empty: no key is sent (Ollama, vLLM)
     * @param apiKeyHeader header carrying the key: {@code Authorization} (as {@code Bearer KEY}) or another name
     *                     (as the bare key, e.g. Azure's {@code api-key})
     * @param timeoutS     seconds to wait for a whole answer; for a stream, for the first byte and between events
     */
    public record Upstream(URI baseUrl, String model, Optional<String> apiKeyEnv, String apiKeyHeader,
                           double timeoutS) {
        public Upstream {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
            Objects.requireNonNull(apiKeyHeader, "apiKeyHeader");
            if (!(timeoutS > 0) || Double.isInfinite(timeoutS)) {
                throw new IllegalArgumentException("timeoutS must be a finite number > 0, got " + timeoutS);
            }
        }

        /** The chat-completions URL: the base URL's path + {@code /chat/completions}, its query kept. */
        public URI chatCompletionsUrl() {
            String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
            if (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String q = baseUrl.getRawQuery();
            return URI.create(baseUrl.getScheme() + "://" + baseUrl.getRawAuthority() + path + "/chat/completions"
                    + (q == null ? "" : "?" + q));
        }
    }

    public ServeConfig {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(defaultMu, "defaultMu");
        Objects.requireNonNull(defaultBudgetUsd, "defaultBudgetUsd");
        Objects.requireNonNull(apiKeysEnv, "apiKeysEnv");
        apiKeySha256 = List.copyOf(apiKeySha256);
        upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        if (defaultMu.isPresent() == defaultBudgetUsd.isPresent()) {
            throw new IllegalArgumentException("give exactly one of default_mu and default_budget_usd");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen: port must be 0..65535, got " + port);
        }
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("upstreams: at least one upstream is needed");
        }
        if (!requireAuth && !isLoopback(host)) {
            throw new IllegalArgumentException("--no-auth is only allowed with a loopback listen address"
                    + " (127.0.0.1, ::1 or localhost), got " + host + "; configure api_keys_env or api_key_sha256");
        }
    }

    /**
     * Checks that the gateway has keys to accept, unless it runs without ({@code --no-auth}); done at start, after
     * command-line overrides.
     */
    public void requireKeysUnlessNoAuth() {
        if (requireAuth && apiKeysEnv.isEmpty() && apiKeySha256.isEmpty()) {
            throw new IllegalArgumentException("api_keys_env / api_key_sha256: the gateway requires keys by default;"
                    + " set api_keys_env (an environment variable with comma-separated keys) or api_key_sha256 (a list"
                    + " of SHA-256 digests), or start with --no-auth on a loopback address");
        }
    }

    /** Reads and validates a configuration file. */
    public static ServeConfig load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IOException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            return parse(text, dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates a configuration; relative paths resolve against {@code baseDir}.
     *
     * @throws IllegalArgumentException naming the key that is wrong, its value and what was expected
     */
    public static ServeConfig parse(String json, Path baseDir) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of settings");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(k + ": unknown key; the keys are " + new java.util.TreeSet<>(KEYS));
            }
        }
        Path router = baseDir.resolve(string(root, "router", null));
        Optional<Path> encoder = optString(root, "encoder").map(baseDir::resolve);
        Optional<Path> prices = optString(root, "prices").map(baseDir::resolve);
        int encoderThreads = integer(root, "encoder_threads", 1, 1, 64);
        int routingThreads = integer(root, "routing_threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        String listen = optString(root, "listen").orElse(DEFAULT_HOST + ":" + DEFAULT_PORT);
        String[] hp = parseListen(listen, "listen");
        OptionalDouble mu = optNumber(root, "default_mu");
        OptionalDouble budget = optNumber(root, "default_budget_usd");
        if (mu.isPresent() && budget.isPresent()) {
            throw new IllegalArgumentException("default_mu, default_budget_usd: give one, not both (a budget is turned"
                    + " into mu by the router's calibration)");
        }
        if (mu.isPresent() && !(mu.getAsDouble() >= 0 && mu.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("default_mu: expected a number in [0, 1], got " + mu.getAsDouble());
        }
        if (budget.isPresent() && !(budget.getAsDouble() > 0) || budget.isPresent()
                && Double.isInfinite(budget.getAsDouble())) {
            throw new IllegalArgumentException("default_budget_usd: expected a number > 0 (USD per query), got "
                    + budget.getAsDouble());
        }
        if (mu.isEmpty() && budget.isEmpty()) {
            mu = OptionalDouble.of(DEFAULT_MU);
        }
        Optional<String> keysEnv = optString(root, "api_keys_env");
        keysEnv.ifPresent(v -> envName(v, "api_keys_env"));
        List<String> digests = new ArrayList<>();
        JsonNode d = root.get("api_key_sha256");
        if (d != null && !d.isNull()) {
            if (!d.isArray()) {
                throw new IllegalArgumentException("api_key_sha256: expected a list of SHA-256 digests (64 lower-case"
                        + " hex digits), got " + kind(d));
            }
            for (int i = 0; i < d.size(); i++) {
                JsonNode e = d.get(i);
                if (!e.isTextual() || !SHA256_HEX.matcher(e.asText()).matches()) {
                    throw new IllegalArgumentException("api_key_sha256[" + i + "]: expected 64 lower-case hex digits"
                            + " (e.g. printf %s \"$KEY\" | sha256sum), got " + describeDigest(e));
                }
                digests.add(e.asText());
            }
        }
        int maxFallbacks = integer(root, "max_fallbacks", 2, 0, 10);
        long maxRequestBytes = integer(root, "max_request_bytes", 4 << 20, 1024, 256 << 20);
        long maxResponseBytes = integer(root, "max_response_bytes", 16 << 20, 1024, 256 << 20);
        int maxConcurrency = integer(root, "max_concurrency", 1024, 1, 100_000);
        int maxConnections = integer(root, "max_connections", Math.max(1024, maxConcurrency), 1, 100_000);
        double idle = positive(root, "idle_timeout_s", 60);
        double maxStream = positive(root, "max_stream_s", 900);
        double shutdown = positive(root, "shutdown_timeout_s", 30);
        double ttl = positive(root, "session_ttl_s", 3600);
        int maxSessions = integer(root, "max_sessions", 10_000, 0, 10_000_000);

        JsonNode ups = root.get("upstreams");
        if (ups == null || ups.isNull()) {
            throw new IllegalArgumentException("upstreams: missing; expected an object of router model -> {\"base_url\","
                    + " \"model\", \"api_key_env\", \"timeout_s\"}");
        }
        if (!ups.isObject()) {
            throw new IllegalArgumentException("upstreams: expected an object of router model -> upstream, got "
                    + kind(ups));
        }
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : ups.properties()) {
            upstreams.put(e.getKey(), upstream("upstreams." + e.getKey(), e.getValue()));
        }
        return new ServeConfig(router, encoder, encoderThreads, routingThreads, prices, hp[0],
                Integer.parseInt(hp[1]), mu, budget, keysEnv, digests, true, maxFallbacks, maxRequestBytes,
                maxResponseBytes, maxConcurrency, maxConnections, idle, maxStream, shutdown, ttl, maxSessions,
                upstreams);
    }

    private static Upstream upstream(String key, JsonNode v) {
        if (!v.isObject()) {
            throw new IllegalArgumentException(key + ": expected an object {\"base_url\", \"model\", \"api_key_env\","
                    + " \"timeout_s\"}, got " + kind(v));
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!UPSTREAM_KEYS.contains(k)) {
                throw new IllegalArgumentException(key + "." + k + ": unknown key; the keys are "
                        + new java.util.TreeSet<>(UPSTREAM_KEYS));
            }
        }
        String url = string(v, "base_url", key);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + ".base_url: not a URL: \"" + url + "\" (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(key + ".base_url: expected an http:// or https:// URL with a host,"
                    + " such as https://api.openai.com/v1, got \"" + url + "\"");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(key + ".base_url: must not carry credentials (user:password@); put"
                    + " the key in the environment variable named by api_key_env");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException(key + ".base_url: must not have a #fragment, got \"" + url + "\"");
        }
        String model = string(v, "model", key);
        if (model.isBlank()) {
            throw new IllegalArgumentException(key + ".model: expected the upstream's model id, got \"\"");
        }
        Optional<String> env = optString(v, "api_key_env");
        env.ifPresent(n -> envName(n, key + ".api_key_env"));
        String header = optString(v, "api_key_header").orElse("Authorization");
        if (!header.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException(key + ".api_key_header: expected a header name such as Authorization"
                    + " or api-key, got \"" + header + "\"");
        }
        double timeout = positive(v, "timeout_s", 60, key);
        return new Upstream(uri, model, env, header, timeout);
    }

    /** {@code host:port}, {@code [v6]:port}, {@code :port} or a bare host. */
    static String[] parseListen(String listen, String key) {
        String host;
        String port;
        if (listen.startsWith("[")) {
            int end = listen.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException(key + ": expected host:port, got \"" + listen + "\"");
            }
            host = listen.substring(1, end);
            String rest = listen.substring(end + 1);
            port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? String.valueOf(DEFAULT_PORT) : null;
        } else {
            int c = listen.lastIndexOf(':');
            if (c >= 0 && listen.indexOf(':') != c) {
                throw new IllegalArgumentException(key + ": write an IPv6 address in brackets, [::1]:8000, got \""
                        + listen + "\"");
            }
            host = c < 0 ? listen : listen.substring(0, c);
            port = c < 0 ? String.valueOf(DEFAULT_PORT) : listen.substring(c + 1);
        }
        if (host.isEmpty()) {
            host = DEFAULT_HOST;
        }
        int p;
        try {
            p = port == null ? -1 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(key + ": expected host:port with a port 0..65535, got \"" + listen
                    + "\"");
        }
        return new String[]{host, String.valueOf(p)};
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") && h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    /** This configuration listening on another address ({@code --listen}). */
    public ServeConfig withListen(String listen) {
        String[] hp = parseListen(listen, "--listen");
        return new ServeConfig(router, encoder, encoderThreads, routingThreads, prices, hp[0],
                Integer.parseInt(hp[1]), defaultMu, defaultBudgetUsd, apiKeysEnv, apiKeySha256, requireAuth,
                maxFallbacks, maxRequestBytes, maxResponseBytes, maxConcurrency, maxConnections, idleTimeoutS,
                maxStreamS, shutdownTimeoutS, sessionTtlS, maxSessions, upstreams);
    }

    /** This configuration without gateway keys ({@code --no-auth}); only for a loopback address. */
    public ServeConfig withoutAuth() {
        return new ServeConfig(router, encoder, encoderThreads, routingThreads, prices, host, port, defaultMu,
                defaultBudgetUsd, apiKeysEnv, apiKeySha256, false, maxFallbacks, maxRequestBytes, maxResponseBytes,
                maxConcurrency, maxConnections, idleTimeoutS, maxStreamS, shutdownTimeoutS, sessionTtlS, maxSessions,
                upstreams);
    }

    // ------------------------------------------------------------------------------------------------ readers

    private static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "\"" + n.asText() + "\"";
        }
        return n.isContainerNode() ? (n.isArray() ? "a list" : "an object") : n.toString();
    }

    private static String describeDigest(JsonNode n) {
        // a key pasted here by mistake must not be echoed: say only what is wrong with it
        if (n.isTextual()) {
            return "a string of " + n.asText().length() + " characters";
        }
        return n.isContainerNode() ? (n.isArray() ? "a list" : "an object") : "a " + n.getNodeType().name()
                .toLowerCase(Locale.ROOT);
    }

    private static void envName(String v, String key) {
        if (!ENV_NAME.matcher(v).matches()) {
            throw new IllegalArgumentException(key + ": expected the NAME of an environment variable (letters, digits,"
                    + " _), got a value that is not one; never put a key itself in the config file");
        }
    }

    private static String string(JsonNode o, String field, String parent) {
        JsonNode n = o.get(field);
        String key = parent == null ? field : parent + "." + field;
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(key + ": missing; expected a string");
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(key + ": expected a string, got " + kind(n));
        }
        return n.asText();
    }

    private static Optional<String> optString(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string, got " + kind(n));
        }
        return Optional.of(n.asText());
    }

    private static OptionalDouble optNumber(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return OptionalDouble.empty();
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(field + ": expected a number, got " + kind(n));
        }
        return OptionalDouble.of(n.asDouble());
    }

    private static int integer(JsonNode o, String field, int dflt, int min, int max) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw new IllegalArgumentException(field + ": expected a whole number in " + min + ".." + max + ", got "
                    + kind(n));
        }
        return n.asInt();
    }

    private static double positive(JsonNode o, String field, double dflt) {
        return positive(o, field, dflt, null);
    }

    private static double positive(JsonNode o, String field, double dflt, String parent) {
        JsonNode n = o.get(field);
        String key = parent == null ? field : parent + "." + field;
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
            throw new IllegalArgumentException(key + ": expected a number > 0, got " + kind(n));
        }
        return n.asDouble();
    }
}

package dev.carrot.data.hf;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach the Hub and where the cache is. Usually built with {@link #fromEnvironment()}, which reads the
 * same environment variables as Python's {@code huggingface_hub} ({@code constants.py}, {@code utils/_auth.py}).
 *
 * <p>The token never appears in {@link #toString()}; the client sends it only to the endpoint's own origin.
 *
 * @param endpoint the Hub, for example {@code https://huggingface.co} (a trailing {@code '/'} is removed)
 * @param hubCache the hub cache folder, for example {@code ~/.cache/huggingface/hub}
 * @param offline  true to make no HTTP request at all and serve from the cache only
 * @param token    the access token, if any
 * @param timeout  the connect timeout, the time to wait for response headers, and the longest a download may
 *                 go without receiving a byte before it is retried
 */
public record HfConfig(URI endpoint, Path hubCache, boolean offline, Optional<String> token, Duration timeout) {

    /** The public Hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** As {@code huggingface_hub.constants.DEFAULT_DOWNLOAD_TIMEOUT}: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(HfConfig.class);
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
    private static final Pattern ENV_VAR = Pattern.compile("\\$(?:\\{([A-Za-z0-9_]+)}|([A-Za-z0-9_]+))");

    public HfConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(hubCache, "hubCache");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        endpoint = checkEndpoint(endpoint);
        hubCache = hubCache.toAbsolutePath().normalize();
        token = token.map(HfConfig::cleanToken).filter(t -> !t.isEmpty());
        if (token.isPresent() && token.get().chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new IllegalArgumentException("the Hub token contains whitespace or control characters;"
                    + " expected a single word such as the one shown at https://huggingface.co/settings/tokens");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** Online, no token, default timeout. */
    public HfConfig(URI endpoint, Path hubCache) {
        this(endpoint, hubCache, false, Optional.empty(), DEFAULT_TIMEOUT);
    }

    /** The configuration from the process environment ({@link System#getenv()}). */
    public static HfConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The configuration from the given environment variables, resolved as {@code huggingface_hub} does:
     * <ul>
     *   <li>{@code HF_ENDPOINT}, default {@code https://huggingface.co};</li>
     *   <li>{@code HF_HOME}, default {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface};</li>
     *   <li>{@code HF_HUB_CACHE}, else the legacy {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub};</li>
     *   <li>{@code HF_HUB_OFFLINE} (or the legacy {@code TRANSFORMERS_OFFLINE}) is true when 1, on, yes or
     *       true, in any case;</li>
     *   <li>the token from {@code HF_TOKEN}, else the legacy {@code HUGGING_FACE_HUB_TOKEN}, else the file
     *       {@code HF_TOKEN_PATH} (default {@code $HF_HOME/token}) as written by {@code hf auth login};</li>
     *   <li>{@code HF_HUB_DOWNLOAD_TIMEOUT} in seconds, default 10.</li>
     * </ul>
     * Paths expand a leading {@code ~} and {@code $VAR} / {@code ${VAR}} like Python's {@code expanduser} and
     * {@code expandvars}. Empty variables count as unset.
     */
    public static HfConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String home = first(env, "HOME", "USERPROFILE").orElse(System.getProperty("user.home"));

        URI endpoint = first(env, "HF_ENDPOINT").map(e -> parseEndpoint(e)).orElse(DEFAULT_ENDPOINT);

        String hfHome = first(env, "HF_HOME")
                .orElseGet(() -> first(env, "XDG_CACHE_HOME").orElse(home + "/.cache") + "/huggingface");
        Path hfHomePath = expand(hfHome, env, home);
        Path hubCache = first(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
                .map(p -> expand(p, env, home))
                .orElse(hfHomePath.resolve("hub"));

        boolean offline = first(env, "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
                .map(v -> TRUE_VALUES.contains(v.trim().toUpperCase(Locale.ROOT)))
                .orElse(false);

        Optional<String> token = first(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
                .map(HfConfig::cleanToken)
                .filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            Path tokenPath = first(env, "HF_TOKEN_PATH").map(p -> expand(p, env, home))
                    .orElse(hfHomePath.resolve("token"));
            token = readTokenFile(tokenPath);
        }

        Duration timeout = first(env, "HF_HUB_DOWNLOAD_TIMEOUT").map(HfConfig::parseTimeout).orElse(DEFAULT_TIMEOUT);
        return new HfConfig(endpoint, hubCache, offline, token, timeout);
    }

    /** This configuration with another token (blank means none). */
    public HfConfig withToken(String newToken) {
        return new HfConfig(endpoint, hubCache, offline, Optional.ofNullable(newToken), timeout);
    }

    /** This configuration without a token. */
    public HfConfig withoutToken() {
        return new HfConfig(endpoint, hubCache, offline, Optional.empty(), timeout);
    }

    /** This configuration online or offline. */
    public HfConfig withOffline(boolean newOffline) {
        return new HfConfig(endpoint, hubCache, newOffline, token, timeout);
    }

    /** This configuration with another endpoint. */
    public HfConfig withEndpoint(URI newEndpoint) {
        return new HfConfig(newEndpoint, hubCache, offline, token, timeout);
    }

    /** This configuration with another hub cache folder. */
    public HfConfig withHubCache(Path newHubCache) {
        return new HfConfig(endpoint, newHubCache, offline, token, timeout);
    }

    /** This configuration with another timeout. */
    public HfConfig withTimeout(Duration newTimeout) {
        return new HfConfig(endpoint, hubCache, offline, token, newTimeout);
    }

    /** Never shows the token, only whether there is one. */
    @Override
    public String toString() {
        return "HfConfig[endpoint=" + endpoint + ", hubCache=" + hubCache + ", offline=" + offline
                + ", token=" + (token.isPresent() ? "<set>" : "<none>") + ", timeout=" + timeout + "]";
    }

    private static URI checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme();
        if (!endpoint.isAbsolute() || scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || endpoint.getHost() == null || endpoint.getRawUserInfo() != null
                || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
            throw new IllegalArgumentException("Hub endpoint '" + endpoint + "' is not an http(s) URL without user"
                    + " info, query or fragment; expected for example https://huggingface.co");
        }
        String s = endpoint.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    private static URI parseEndpoint(String value) {
        try {
            return URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HF_ENDPOINT '" + value + "' is not a URL; expected for example"
                    + " https://huggingface.co", e);
        }
    }

    private static Duration parseTimeout(String value) {
        try {
            double seconds = Double.parseDouble(value.trim());
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new NumberFormatException("not positive");
            }
            return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT '" + value + "' is not a positive number of"
                    + " seconds; expected for example 10", e);
        }
    }

    /** As {@code huggingface_hub.utils._auth._clean_token}: drop CR and LF, trim; empty means no token. */
    private static String cleanToken(String raw) {
        return raw.replace("\r", "").replace("\n", "").strip();
    }

    private static Optional<String> readTokenFile(Path tokenPath) {
        try {
            return Optional.of(cleanToken(Files.readString(tokenPath, StandardCharsets.UTF_8)))
                    .filter(t -> !t.isEmpty());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // The file content is never logged, only that it could not be read.
            LOG.warn("Could not read the Hub token file {} ({}); continuing without a token", tokenPath,
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static Optional<String> first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** Python's {@code os.path.expandvars(os.path.expanduser(p))}: unknown variables stay as they are. */
    private static Path expand(String raw, Map<String, String> env, String home) {
        String s = raw.strip();
        if (s.equals("~") || s.startsWith("~/") || s.startsWith("~\\")) {
            s = home + s.substring(1);
        }
        Matcher m = ENV_VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = env.get(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return Path.of(out.toString());
    }
}

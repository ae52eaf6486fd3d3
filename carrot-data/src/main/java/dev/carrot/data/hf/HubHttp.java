package dev.carrot.data.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP for the Hub client: follows redirects itself, sends the token only to the endpoint's own origin (never to
 * the CDN the Hub redirects LFS files to), bounds every wait by the configured timeout, and turns error statuses
 * into {@link HfHubException}s whose messages name the repository, revision or file and the fix.
 */
final class HubHttp {

    static final int MAX_REDIRECTS = 10;
    private static final long MAX_JSON_BYTES = 64L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(HubHttp.class);
    private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]*)*)");
    private static final Pattern REL_NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";,]*)\"?",
            Pattern.CASE_INSENSITIVE);

    /** What a request is for; error messages are built from it. {@code file} is null for API calls. */
    record Target(HfRepo repo, String revision, String file, String action) {
        Target {
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(action, "action");
        }
    }

    /** A response whose body has not been read yet. Close it. */
    record Response(int status, HttpHeaders headers, URI uri, InputStream body, boolean tokenSent)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    /** A parsed JSON answer and the next page from its {@code Link} header, if any. */
    record JsonPage(JsonNode json, Optional<URI> next) {
    }

    private final HfConfig config;
    private final RetryPolicy retry;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final String userAgent = "carrot-hf/0.1; java/" + Runtime.version().feature();

    HubHttp(HfConfig config, RetryPolicy retry) {
        this.config = Objects.requireNonNull(config, "config");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout())
                .build();
    }

    RetryPolicy retry() {
        return retry;
    }

    /**
     * Sends a GET, following up to {@link #MAX_REDIRECTS} redirects. The {@code Authorization} header goes only
     * to URLs with the endpoint's scheme, host and port; extra headers (such as {@code Range}) go to every hop.
     * Returns the final response whatever its status; throws on transport failures.
     */
    Response get(URI uri, Map<String, String> headers, Target target) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            boolean sendToken = config.token().isPresent() && sameOrigin(current, config.endpoint());
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .GET()
                    .timeout(config.timeout())
                    .header("User-Agent", userAgent);
            if (sendToken) {
                request.header("Authorization", "Bearer " + config.token().get());
            }
            headers.forEach(request::header);
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while " + target.action());
            }
            IdleTimeoutBody body = new IdleTimeoutBody(response.body(), config.timeout(), "GET " + display(current));
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (!isRedirect(status) || location.isEmpty()) {
                return new Response(status, response.headers(), current, body, sendToken);
            }
            body.close();
            if (hop >= MAX_REDIRECTS) {
                throw new HfHubException(HfHubException.Kind.HTTP_ERROR, status, "more than " + MAX_REDIRECTS
                        + " redirects while " + target.action() + ", last at " + display(current), null);
            }
            URI next;
            try {
                next = current.resolve(location.get().trim());
            } catch (IllegalArgumentException e) {
                throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "invalid redirect location '"
                        + redact(location.get()) + "' from " + display(current) + " while " + target.action(), e);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
                throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "refusing redirect to a non-http(s)"
                        + " URL " + display(next) + " from " + display(current) + " while " + target.action());
            }
            if ("https".equalsIgnoreCase(current.getScheme()) && scheme.equals("http")) {
                throw new HfHubException(HfHubException.Kind.HTTP_ERROR, status, "refusing redirect from https to"
                        + " plain http (" + display(current) + " -> " + display(next) + ") while " + target.action(),
                        null);
            }
            LOG.debug("Following HTTP {} redirect {} -> {}", status, display(current), display(next));
            current = next;
        }
    }

    /**
     * GETs a JSON document from the API, retrying 5xx, 429, timeouts and resets with backoff. A connection that
     * cannot be made at all fails at once with {@link HfHubException.Kind#HUB_UNREACHABLE}, so the caller can
     * fall back to the cache quickly.
     */
    JsonPage getJson(URI uri, Target target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            HfHubException failure;
            try (Response r = get(uri, Map.of("Accept", "application/json"), target)) {
                if (r.status() == 200) {
                    JsonNode node = parseJson(readBounded(r.body(), MAX_JSON_BYTES, r.uri()), r.uri(), target);
                    return new JsonPage(node, nextLink(r.headers(), r.uri(), target));
                }
                failure = error(r, target);
                if (!isRetryable(r.status())) {
                    throw failure;
                }
            } catch (HfHubException e) {
                throw e;
            } catch (IOException e) {
                if (isInterruption(e)) {
                    throw e;
                }
                if (isConnectFailure(e)) {
                    throw unreachable(uri, target, e);
                }
                failure = unreachable(uri, target, e);
            }
            if (attempt >= retry.maxAttempts()) {
                throw failure;
            }
            Duration wait = retry.backoff(attempt);
            LOG.warn("{} (attempt {} of {}); retrying in {} ms", failure.getMessage(), attempt, retry.maxAttempts(),
                    wait.toMillis());
            sleep(wait, target);
        }
    }

    /** The exception for a response with an error status. Reads (a bounded part of) its body. */
    HfHubException error(Response r, Target target) {
        int status = r.status();
        String repoName = target.repo().displayName();
        String at = " (HTTP " + status + " from GET " + display(r.uri()) + ")";
        String hubSays = serverMessage(r).map(m -> "; the Hub said: " + m).orElse("");
        String tokens = config.endpoint() + "/settings/tokens";
        String repoUrl = config.endpoint() + "/" + target.repo().type().resolvePrefix() + target.repo().id();
        boolean fromEndpoint = sameOrigin(r.uri(), config.endpoint());
        String code = r.header("X-Error-Code").orElse("");
        if (!fromEndpoint && (status == 401 || status == 403 || status == 404)) {
            return new HfHubException(HfHubException.Kind.HTTP_ERROR, status, "the file host " + r.uri().getHost()
                    + " refused the download while " + target.action() + at + hubSays
                    + "; the signed link may have expired, retry the download", null);
        }
        switch (status) {
            case 401:
                if (r.tokenSent()) {
                    return new HfHubException(HfHubException.Kind.UNAUTHORIZED, status, "the Hub rejected the access"
                            + " token for " + repoName + at + hubSays + ": the token from HF_TOKEN (or the token file"
                            + " in HF_HOME) is invalid, expired or revoked; create a read token at " + tokens
                            + " and set HF_TOKEN to it", null);
                }
                return new HfHubException(HfHubException.Kind.UNAUTHORIZED, status, repoName + " requires"
                        + " authentication" + at + hubSays + ": set HF_TOKEN to a token with access to " + repoName
                        + " (create one at " + tokens + "); the Hub also answers 401 for a repository that does not"
                        + " exist, so check the repo id '" + target.repo().id() + "' and type "
                        + target.repo().type(), null);
            case 403:
                return new HfHubException(HfHubException.Kind.FORBIDDEN, status, "access to " + repoName
                        + " is forbidden" + at + hubSays + ": the repository is "
                        + ("GatedRepo".equals(code) ? "gated" : "gated or private") + "; request access at " + repoUrl
                        + (r.tokenSent() ? " with the account of the token in use"
                                : " and set HF_TOKEN to a token of an account that was granted access"), null);
            case 404:
                return notFound(r, target, code, at + hubSays);
            default:
                return new HfHubException(HfHubException.Kind.HTTP_ERROR, status, "HTTP " + status + " from GET "
                        + display(r.uri()) + " while " + target.action() + hubSays
                        + (isRetryable(status) ? " (the Hub may be down or overloaded; retry later)" : ""), null);
        }
    }

    private HfHubException notFound(Response r, Target target, String code, String detail) {
        String repoName = target.repo().displayName();
        String message;
        if (code.equals("RepoNotFound")) {
            message = "repository " + repoName + " not found at " + config.endpoint() + detail + ": check the repo id"
                    + " and type (dataset or model); a private repository also needs HF_TOKEN";
        } else if (code.equals("RevisionNotFound")) {
            message = "revision '" + target.revision() + "' not found in " + repoName + detail
                    + ": check the branch, tag or commit name";
        } else if (code.equals("EntryNotFound") || target.file() != null) {
            message = "file '" + (target.file() == null ? "?" : target.file()) + "' not found in " + repoName
                    + " at revision '" + target.revision() + "'" + detail;
        } else {
            message = "repository " + repoName + " or its revision '" + target.revision() + "' not found at "
                    + config.endpoint() + detail + ": check the repo id, type and revision";
        }
        return new HfHubException(HfHubException.Kind.NOT_FOUND, 404, message, null);
    }

    /** The exception for a transport failure while {@code target.action()}. */
    HfHubException unreachable(URI uri, Target target, IOException cause) {
        String host = uri.getHost() == null ? String.valueOf(uri) : uri.getHost();
        String where = sameOrigin(uri, config.endpoint()) ? "the Hub at " + config.endpoint() : host;
        return new HfHubException(HfHubException.Kind.HUB_UNREACHABLE, "cannot reach " + where + " while "
                + target.action() + " (" + describe(cause) + "); check the network or proxy, set HF_ENDPOINT to a"
                + " reachable mirror, or set HF_HUB_OFFLINE=1 to use the local cache only", cause);
    }

    /** Whether a failed status is worth retrying: the server is down, overloaded or timed out. */
    static boolean isRetryable(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    /** Whether the thread was interrupted (a timeout, also an {@link InterruptedIOException}, is not). */
    static boolean isInterruption(IOException e) {
        return e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException);
    }

    /** Whether no connection could be made at all (as opposed to one that broke). */
    static boolean isConnectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnresolvedAddressException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Scheme, host and port of a URL without its query (signed CDN links carry credentials there). */
    static String display(URI uri) {
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        return uri.getScheme() + "://" + authority + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && b.getScheme() != null && a.getHost() != null && b.getHost() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Text from the server, cut short, with control characters escaped and the token (if echoed) removed. */
    String redact(String text) {
        String s = text;
        if (config.token().isPresent()) {
            s = s.replace(config.token().get(), "<redacted>");
        }
        return RepoPaths.printable(s);
    }

    private Optional<String> serverMessage(Response r) {
        Optional<String> header = r.header("X-Error-Message").filter(m -> !m.isBlank());
        if (header.isPresent()) {
            return header.map(this::redact);
        }
        try {
            byte[] bytes = readBounded(r.body(), 4096, r.uri());
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                JsonNode node = json.readTree(text);
                if (node != null && node.hasNonNull("error")) {
                    return Optional.of(redact(node.get("error").asText()));
                }
            } catch (IOException notJson) {
                // fall through to the raw text
            }
            return text.startsWith("<") ? Optional.empty() : Optional.of(redact(text));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private JsonNode parseJson(byte[] bytes, URI uri, Target target) throws HfHubException {
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new IOException("empty body");
            }
            return node;
        } catch (IOException e) {
            throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "the Hub answered with invalid JSON from"
                    + " GET " + display(uri) + " while " + target.action() + " (" + describe(e)
                    + "); is HF_ENDPOINT (" + config.endpoint() + ") a Hugging Face Hub?", e);
        }
    }

    private Optional<URI> nextLink(HttpHeaders headers, URI base, Target target) throws HfHubException {
        for (String value : headers.allValues("Link")) {
            Matcher m = LINK.matcher(value);
            while (m.find()) {
                Matcher rel = REL_NEXT.matcher(m.group(2));
                while (rel.find()) {
                    for (String r : rel.group(1).trim().split("\\s+")) {
                        if (r.equalsIgnoreCase("next")) {
                            try {
                                return Optional.of(base.resolve(m.group(1).trim()));
                            } catch (IllegalArgumentException e) {
                                throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "invalid next-page"
                                        + " link '" + redact(m.group(1)) + "' while " + target.action(), e);
                            }
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] readBounded(InputStream in, long max, URI uri) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
            throw new IOException("response from " + display(uri) + " is larger than " + max + " bytes");
        }
        return bytes;
    }

    static void sleep(Duration wait, Target target) throws InterruptedIOException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + target.action());
        }
    }
}

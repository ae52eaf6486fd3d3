package dev.carrot.data.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake HuggingFace Hub on loopback, serving the endpoints that {@link HfHub} (and Python's
 * {@code huggingface_hub}) use, with knobs to break things. Reusable by any test that needs files "from the Hub",
 * for example small Parquet files in the SPROUT layout:
 *
 * <pre>{@code
 * try (FakeHub hub = FakeHub.start()) {
 *     FakeHub.FakeRepo sprout = hub.dataset("CARROT-LLM-Routing/SPROUT")
 *             .file("README.md", "# SPROUT")
 *             .lfsFile("data/train-00000-of-00001.parquet", parquetBytes);
 *     HfHub client = new HfHub(new HfConfig(hub.endpoint(), tempDir.resolve("hub")));
 *     HfSnapshot snapshot = client.download(HfRepo.dataset("CARROT-LLM-Routing/SPROUT"), "main",
 *             List.of("data/*.parquet"), DownloadListener.silent());
 *     // snapshot.files().get(0).localPath() is the Parquet file; sprout.commit() is the commit it came from
 * }
 * }</pre>
 *
 * <p>Endpoints, as on huggingface.co:
 * <ul>
 *   <li>{@code GET /api/{datasets|models}/{org}/{name}/revision/{revision}}: {@code {"id", "sha", "siblings"}};</li>
 *   <li>{@code GET /api/{datasets|models}/{org}/{name}/tree/{revision}?recursive=true}: file and directory
 *       entries ({@code type, path, size, oid} and {@code lfs: {oid, size, pointerSize}} for LFS files), in pages
 *       of {@link #treePageSize(int)} with a {@code Link: <...>; rel="next"} header;</li>
 *   <li>{@code GET /datasets/{org}/{name}/resolve/{revision}/{path}} (models without {@code datasets/}): the
 *       bytes, with {@code Range: bytes=N-} support (206, or 416 past the end), {@code ETag},
 *       {@code X-Repo-Commit}; LFS files are redirected (302) to a second server, the "CDN", on another host
 *       (127.0.0.2 where it can bind, else another port), unless {@link FakeRepo#redirectLfsToCdn(boolean)} is
 *       off.</li>
 * </ul>
 * {@code HEAD} is answered like {@code GET} without a body, as Python's {@code hf_hub_download} uses it to read
 * a file's metadata. Errors carry the Hub's {@code X-Error-Code} ({@code RepoNotFound}, {@code RevisionNotFound},
 * {@code EntryNotFound}, {@code GatedRepo}) and {@code X-Error-Message} headers and an {@code {"error": ...}} body.
 *
 * <p>Every request is recorded ({@link #requests()}), including its {@code Authorization} and {@code Range}
 * headers, so tests can assert what went where. The fake is thread-safe; configure it before or between
 * downloads. Paths given to {@link FakeRepo#file} are not validated, so tests can serve hostile names too.
 */
public final class FakeHub implements AutoCloseable {

    /** One recorded HTTP request. {@code server} is {@code "hub"} or {@code "cdn"}; {@code path} is decoded. */
    public record Request(String server, String method, String path, String rawPath, String query,
            Optional<String> authorization, Optional<String> range) {

        /** Whether this request asked for file bytes: a {@code /resolve/} URL on the hub, or anything on the CDN. */
        public boolean isFileRequest() {
            return server.equals("cdn") || rawPath.contains("/resolve/");
        }
    }

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK,
        // which costs ~40 ms per request on loopback. Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor;
    private final URI endpoint;
    private final URI cdnEndpoint;
    private final Map<String, FakeRepo> repos = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;
    private volatile int treePageSize = 1000;

    private static final class Failure {
        final String pathContains;
        final int status;
        final AtomicInteger remaining;

        Failure(String pathContains, int status, int times) {
            this.pathContains = pathContains;
            this.status = status;
            this.remaining = new AtomicInteger(times);
        }
    }

    private FakeHub() throws IOException {
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-hub");
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        HttpServer cdnServer;
        try {
            cdnServer = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 0);
        } catch (IOException notBindable) {
            cdnServer = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        }
        cdn = cdnServer;
        hub.createContext("/", ex -> handle(ex, "hub"));
        cdn.createContext("/", ex -> handle(ex, "cdn"));
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
        endpoint = URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
        cdnEndpoint = URI.create("http://" + cdn.getAddress().getAddress().getHostAddress() + ":"
                + cdn.getAddress().getPort());
    }

    /** Starts a fake Hub (and its CDN) on loopback, on free ports. Close it when done. */
    public static FakeHub start() throws IOException {
        return new FakeHub();
    }

    /** The Hub URL, to use as {@link HfConfig#endpoint()}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The CDN URL that LFS downloads are redirected to. */
    public URI cdnEndpoint() {
        return cdnEndpoint;
    }

    /** The dataset repository {@code id}, created empty (one commit, branch {@code main}) on first use. */
    public FakeRepo dataset(String id) {
        return repo(HfRepo.dataset(id));
    }

    /** The model repository {@code id}, created empty on first use. */
    public FakeRepo model(String id) {
        return repo(HfRepo.model(id));
    }

    /** The repository, created empty on first use. */
    public FakeRepo repo(HfRepo repo) {
        return repos.computeIfAbsent(key(repo.type().plural(), repo.id()), k -> new FakeRepo(repo));
    }

    /** From now on every Hub (not CDN) request needs {@code Authorization: Bearer token}; null turns it off. */
    public FakeHub requireToken(String token) {
        this.requiredToken = token;
        return this;
    }

    /** Entries per page of the tree listing (default 1000). */
    public FakeHub treePageSize(int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("page size must be >= 1, got " + entries);
        }
        this.treePageSize = entries;
        return this;
    }

    /** The next {@code times} requests (Hub or CDN) whose raw path contains {@code pathContains} get {@code status}. */
    public FakeHub failNext(String pathContains, int status, int times) {
        failures.add(new Failure(pathContains, status, times));
        return this;
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests so far that match. */
    public List<Request> requests(Predicate<Request> filter) {
        return requests.stream().filter(filter).toList();
    }

    /** How many requests (of any kind, to either server) were made. */
    public int requestCount() {
        return requests.size();
    }

    /** How many requests asked for file bytes (resolve URLs and CDN downloads). */
    public long fileRequestCount() {
        return requests.stream().filter(Request::isFileRequest).count();
    }

    /** Whether any request to the CDN carried an {@code Authorization} header. */
    public boolean cdnSawAuthorization() {
        return requests.stream().anyMatch(r -> r.server().equals("cdn") && r.authorization().isPresent());
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    /** A repository of the fake Hub: one commit, some refs pointing at it, and files. */
    public final class FakeRepo {
        private final HfRepo repo;
        private volatile String commit;
        private final Map<String, Boolean> refs = new ConcurrentHashMap<>();
        private final Map<String, FakeFile> files = new ConcurrentHashMap<>();
        private volatile boolean gated;
        private volatile boolean redirectLfs = true;

        private FakeRepo(HfRepo repo) {
            this.repo = repo;
            this.commit = sha1Hex(("commit of " + repo.displayName()).getBytes(StandardCharsets.UTF_8));
            refs.put("main", true);
        }

        public HfRepo hfRepo() {
            return repo;
        }

        /** The commit every ref resolves to. */
        public String commit() {
            return commit;
        }

        /** Sets the commit (40 lower-case hex digits). */
        public FakeRepo commit(String sha) {
            if (!sha.matches("[0-9a-f]{40}")) {
                throw new IllegalArgumentException("commit must be 40 lower-case hex digits, got " + sha);
            }
            this.commit = sha;
            return this;
        }

        /** Adds a branch or tag name (for example {@code "v1.0"} or {@code "refs/convert/parquet"}) for the commit. */
        public FakeRepo ref(String name) {
            refs.put(name, true);
            return this;
        }

        /** Adds (or replaces) a regular git file. */
        public FakeRepo file(String path, byte[] content) {
            files.put(path, new FakeFile(path, content.clone(), false));
            return this;
        }

        /** Adds (or replaces) a regular git file with UTF-8 text. */
        public FakeRepo file(String path, String content) {
            return file(path, content.getBytes(StandardCharsets.UTF_8));
        }

        /** Adds (or replaces) a Git LFS file: listed with {@code lfs.oid} = its SHA-256, and served via the CDN. */
        public FakeRepo lfsFile(String path, byte[] content) {
            files.put(path, new FakeFile(path, content.clone(), true));
            return this;
        }

        /** Removes a file. */
        public FakeRepo remove(String path) {
            files.remove(path);
            return this;
        }

        /** Makes the repository gated: every request answers 403 with {@code X-Error-Code: GatedRepo}. */
        public FakeRepo gated() {
            this.gated = true;
            return this;
        }

        /** Whether LFS downloads are redirected to the CDN (default true) or served by the Hub itself. */
        public FakeRepo redirectLfsToCdn(boolean redirect) {
            this.redirectLfs = redirect;
            return this;
        }

        /** Serves the file with one byte flipped, while the listing keeps announcing the true hashes. */
        public FakeRepo corrupt(String path) {
            file(path).corrupt = true;
            return this;
        }

        /** The first request for the file's bytes sends {@code bytes} bytes of the body, then drops the connection. */
        public FakeRepo cutAfter(String path, long bytes) {
            file(path).cutAfter = bytes;
            return this;
        }

        /**
         * The first request for the file's bytes sends {@code bytes} bytes, then goes silent for {@code stall}
         * (at most until the hub is closed), then drops the connection.
         */
        public FakeRepo stallAfter(String path, long bytes, Duration stall) {
            FakeFile f = file(path);
            f.cutAfter = bytes;
            f.stall = stall;
            return this;
        }

        /** Ignores {@code Range} headers for this file: always answers 200 with the whole content. */
        public FakeRepo ignoreRange(String path) {
            file(path).ignoreRange = true;
            return this;
        }

        /** Lists the file in the tree, but answers its download with 404 {@code EntryNotFound}. */
        public FakeRepo listOnly(String path) {
            file(path).listOnly = true;
            return this;
        }

        /** Requests for this file's bytes so far (Hub resolve requests that served bytes, and CDN requests). */
        public int dataRequests(String path) {
            return file(path).dataRequests.get();
        }

        /** The SHA-256 (hex) of a file's content. */
        public String sha256(String path) {
            return file(path).sha256;
        }

        /** The git blob id (hex) of a file: of its content, or of its LFS pointer for LFS files. */
        public String blobId(String path) {
            return file(path).blobId;
        }

        /** The name under which the file is stored in the cache's {@code blobs/}: sha256 for LFS, else blob id. */
        public String etag(String path) {
            FakeFile f = file(path);
            return f.lfs ? f.sha256 : f.blobId;
        }

        private FakeFile file(String path) {
            FakeFile f = files.get(path);
            if (f == null) {
                throw new IllegalArgumentException("no file " + path + " in " + repo.displayName() + "; it has "
                        + new TreeSet<>(files.keySet()));
            }
            return f;
        }

        private boolean knows(String revision) {
            return revision.equals(commit) || refs.containsKey(revision);
        }
    }

    private static final class FakeFile {
        final String path;
        final byte[] content;
        final boolean lfs;
        final String sha256;
        final String blobId;
        final int pointerSize;
        final AtomicInteger dataRequests = new AtomicInteger();
        volatile boolean corrupt;
        volatile boolean ignoreRange;
        volatile boolean listOnly;
        volatile long cutAfter = -1;
        volatile Duration stall = Duration.ZERO;

        FakeFile(String path, byte[] content, boolean lfs) {
            this.path = path;
            this.content = content;
            this.lfs = lfs;
            this.sha256 = hex("SHA-256", content);
            byte[] pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256 + "\nsize "
                    + content.length + "\n").getBytes(StandardCharsets.UTF_8);
            this.pointerSize = pointer.length;
            this.blobId = gitBlobId(lfs ? pointer : content);
        }

        byte[] served() {
            if (!corrupt || content.length == 0) {
                return content;
            }
            byte[] copy = content.clone();
            copy[copy.length / 2] ^= 0x5a;
            return copy;
        }
    }

    // ------------------------------------------------------------------------------------------------ serving

    private void handle(HttpExchange ex, String server) throws IOException {
        String rawPath = ex.getRequestURI().getRawPath();
        requests.add(new Request(server, ex.getRequestMethod(), decode(rawPath), rawPath,
                ex.getRequestURI().getRawQuery(),
                Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")),
                Optional.ofNullable(ex.getRequestHeaders().getFirst("Range"))));
        try (ex) {
            for (Failure f : failures) {
                if (rawPath.contains(f.pathContains) && f.remaining.getAndDecrement() > 0) {
                    error(ex, f.status, null, "injected failure");
                    return;
                }
            }
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                error(ex, 405, null, "only GET and HEAD are supported by FakeHub");
                return;
            }
            if (server.equals("cdn")) {
                serveCdn(ex, rawPath);
                return;
            }
            String token = requiredToken;
            if (token != null) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth == null) {
                    error(ex, 401, null, "Access to this resource requires authentication.");
                    return;
                }
                if (!auth.equals("Bearer " + token)) {
                    error(ex, 401, null, "Invalid credentials in Authorization header");
                    return;
                }
            }
            route(ex, rawPath);
        }
    }

    private void route(HttpExchange ex, String rawPath) throws IOException {
        List<String> seg = new ArrayList<>(List.of(rawPath.substring(1).split("/", -1)));
        if (seg.size() >= 6 && seg.get(0).equals("api") && (seg.get(1).equals("datasets")
                || seg.get(1).equals("models"))) {
            FakeRepo repo = repos.get(key(seg.get(1), decode(seg.get(2)) + "/" + decode(seg.get(3))));
            if (!checkRepo(ex, repo)) {
                return;
            }
            String revision = decode(String.join("/", seg.subList(5, seg.size())));
            if (seg.get(4).equals("revision")) {
                serveRevision(ex, repo, revision);
                return;
            }
            if (seg.get(4).equals("tree")) {
                serveTree(ex, repo, revision, seg.get(1));
                return;
            }
        }
        String type = "models";
        if (!seg.isEmpty() && seg.get(0).equals("datasets")) {
            type = "datasets";
            seg.remove(0);
        }
        if (seg.size() >= 5 && seg.get(2).equals("resolve")) {
            FakeRepo repo = repos.get(key(type, decode(seg.get(0)) + "/" + decode(seg.get(1))));
            if (!checkRepo(ex, repo)) {
                return;
            }
            String revision = decode(seg.get(3));
            if (!repo.knows(revision)) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
                return;
            }
            String path = decode(String.join("/", seg.subList(4, seg.size())));
            FakeFile file = repo.files.get(path);
            if (file == null || file.listOnly) {
                ex.getResponseHeaders().set("X-Repo-Commit", repo.commit);
                error(ex, 404, "EntryNotFound", path + " does not exist on \"" + revision + "\"");
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", repo.commit);
            ex.getResponseHeaders().set("ETag", "\"" + (file.lfs ? file.sha256 : file.blobId) + "\"");
            if (file.lfs) {
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + file.sha256 + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", String.valueOf(file.content.length));
                if (repo.redirectLfs) {
                    ex.getResponseHeaders().set("Location", cdnEndpoint + "/repos/" + file.sha256
                            + "?X-Amz-Signature=fake-signature&response-content-disposition=attachment");
                    send(ex, 302, 0);
                    return;
                }
            }
            serveBytes(ex, file);
            return;
        }
        error(ex, 404, null, "FakeHub has no route for " + rawPath);
    }

    private boolean checkRepo(HttpExchange ex, FakeRepo repo) throws IOException {
        if (repo == null) {
            error(ex, 404, "RepoNotFound", "Repository not found");
            return false;
        }
        if (repo.gated) {
            error(ex, 403, "GatedRepo", "Access to " + repo.repo.displayName() + " is restricted. You must have"
                    + " access to it and be authenticated to access it. Please log in.");
            return false;
        }
        return true;
    }

    private void serveRevision(HttpExchange ex, FakeRepo repo, String revision) throws IOException {
        if (!repo.knows(revision)) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        ObjectNode info = JSON.createObjectNode();
        info.put("id", repo.repo.id());
        info.put("sha", repo.commit);
        ArrayNode siblings = info.putArray("siblings");
        for (String path : new TreeSet<>(repo.files.keySet())) {
            siblings.addObject().put("rfilename", path);
        }
        json(ex, 200, info.toString());
    }

    private void serveTree(HttpExchange ex, FakeRepo repo, String revision, String plural) throws IOException {
        if (!repo.knows(revision)) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        Map<String, ObjectNode> entries = new TreeMap<>();
        for (FakeFile f : repo.files.values()) {
            String[] parts = f.path.split("/");
            StringBuilder dir = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                dir.append(i == 0 ? "" : "/").append(parts[i]);
                String d = dir.toString();
                entries.computeIfAbsent(d, k -> {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("type", "directory");
                    n.put("oid", sha1Hex(("tree " + k).getBytes(StandardCharsets.UTF_8)));
                    n.put("size", 0);
                    n.put("path", k);
                    return n;
                });
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("type", "file");
            n.put("oid", f.blobId);
            n.put("size", f.content.length);
            n.put("path", f.path);
            if (f.lfs) {
                ObjectNode lfs = n.putObject("lfs");
                lfs.put("oid", f.sha256);
                lfs.put("size", f.content.length);
                lfs.put("pointerSize", f.pointerSize);
            }
            entries.put(f.path + "\u0000file", n);
        }
        List<ObjectNode> all = new ArrayList<>(entries.values());
        int start = 0;
        String cursor = queryParam(ex.getRequestURI().getRawQuery(), "cursor");
        if (cursor != null) {
            start = Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        }
        int pageSize = treePageSize;
        int end = Math.min(all.size(), start + pageSize);
        ArrayNode page = JSON.createArrayNode();
        all.subList(start, end).forEach(page::add);
        if (end < all.size()) {
            String next = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(String.valueOf(end).getBytes(StandardCharsets.UTF_8));
            ex.getResponseHeaders().set("Link", "<" + endpoint + "/api/" + plural + "/" + repo.repo.id() + "/tree/"
                    + RepoPaths.encodeSegment(revision) + "?recursive=true&cursor=" + next + ">; rel=\"next\"");
        }
        json(ex, 200, page.toString());
    }

    private void serveCdn(HttpExchange ex, String rawPath) throws IOException {
        String sha = rawPath.substring(rawPath.lastIndexOf('/') + 1);
        for (FakeRepo repo : repos.values()) {
            for (FakeFile f : repo.files.values()) {
                if (f.lfs && f.sha256.equals(sha)) {
                    serveBytes(ex, f);
                    return;
                }
            }
        }
        error(ex, 404, null, "no such object on the CDN");
    }

    private void serveBytes(HttpExchange ex, FakeFile file) throws IOException {
        boolean head = isHead(ex);
        int requestNumber = head ? 0 : file.dataRequests.incrementAndGet();
        byte[] content = file.served();
        long length = content.length;
        long start = 0;
        int status = 200;
        String range = file.ignoreRange ? null : ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches()) {
                long from = Long.parseLong(m.group(1));
                if (from >= length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + length);
                    send(ex, 416, 0);
                    return;
                }
                start = from;
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (length - 1) + "/" + length);
            }
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        long bodyLength = length - start;
        send(ex, status, bodyLength);
        if (bodyLength == 0 || head) {
            return;
        }
        OutputStream out = ex.getResponseBody();
        long cut = file.cutAfter;
        if (requestNumber == 1 && cut >= 0 && cut < bodyLength) {
            out.write(content, (int) start, (int) cut);
            out.flush();
            Duration stall = file.stall;
            if (!stall.isZero()) {
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // Throwing out of the handler makes the server drop the connection mid-body.
            throw new IOException("FakeHub: dropping the connection after " + cut + " bytes of " + file.path);
        }
        out.write(content, (int) start, (int) bodyLength);
    }

    private static void error(HttpExchange ex, int status, String errorCode, String message) throws IOException {
        if (errorCode != null) {
            ex.getResponseHeaders().set("X-Error-Code", errorCode);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        json(ex, status, body.toString());
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        send(ex, status, bytes.length);
        if (bytes.length > 0 && !isHead(ex)) {
            ex.getResponseBody().write(bytes);
        }
    }

    private static boolean isHead(HttpExchange ex) {
        return ex.getRequestMethod().equals("HEAD");
    }

    /** Sends the status line and headers; a HEAD answer announces the length but has no body. */
    private static void send(HttpExchange ex, int status, long length) throws IOException {
        if (isHead(ex)) {
            if (length > 0) {
                ex.getResponseHeaders().set("Content-Length", String.valueOf(length));
            }
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String key(String plural, String id) {
        return plural + "/" + id;
    }

    private static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /** Percent-decoding as in URL paths ({@code '+'} stays a plus); a malformed escape is kept as it is. */
    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** The git blob id of some content: {@code sha1("blob <size>\0" + content)}. */
    public static String gitBlobId(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return sha1Hex(all);
    }

    /** The SHA-256 of some content, in lower-case hex. */
    public static String sha256Hex(byte[] content) {
        return hex("SHA-256", content);
    }

    private static String sha1Hex(byte[] content) {
        return hex("SHA-1", content);
    }

    private static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("endpoint", endpoint);
        summary.put("cdn", cdnEndpoint);
        summary.put("repos", new TreeSet<>(repos.keySet()));
        return "FakeHub" + summary;
    }
}

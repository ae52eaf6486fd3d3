package dev.carrot.data.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads files of Hub repositories at a pinned revision into the cache layout of Python's
 * {@code huggingface_hub} (see the package documentation), reusing whatever is cached already.
 *
 * <p>For each {@link #download} call the client
 * <ol>
 *   <li>resolves a branch or tag to a commit ({@code GET /api/{datasets|models}/{id}/revision/{revision}}) and
 *       records it in {@code refs/{revision}}; a 40-hex commit is used as it is;</li>
 *   <li>lists the files with sizes and hashes ({@code GET /api/.../tree/{commit}?recursive=true}, following
 *       {@code Link: rel="next"} pages), refuses any path that would leave the cache, and keeps those matching
 *       one of the glob patterns (fnmatch semantics, see {@link Globs});</li>
 *   <li>for each file not yet in {@code snapshots/{commit}/}, streams it from
 *       {@code {endpoint}/[datasets/]{id}/resolve/{commit}/{path}} into {@code blobs/{etag}.incomplete},
 *       resuming an interrupted transfer with an HTTP {@code Range} request, retrying transient failures with
 *       backoff, then checks its size and hash (the LFS SHA-256, or the git blob id for small files), renames it
 *       atomically to {@code blobs/{etag}} and links it into the snapshot.</li>
 * </ol>
 * A file already in the snapshot (for example downloaded by Python) costs no HTTP request. Offline
 * ({@link HfConfig#offline()}) no HTTP request is made at all; when the Hub cannot be reached, a cached snapshot
 * of the revision is used with a warning, as {@code huggingface_hub.snapshot_download} does.
 *
 * <p>Thread-safe: concurrent downloads of the same blob, in this or another JVM, are serialised by a file lock.
 * The token is sent only to the endpoint's own origin and never logged or put in a message.
 */
public final class HfHub {

    private static final Logger LOG = LoggerFactory.getLogger(HfHub.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
            Pattern.CASE_INSENSITIVE);
    private static final int MAX_TREE_PAGES = 100_000;
    private static final int COPY_BUFFER = 1 << 16;

    private final HfConfig config;
    private final HubHttp http;
    private final HubCache cache;

    /** A client for this configuration. Cheap to create; holds one HTTP client. */
    public HfHub(HfConfig config) {
        this(config, RetryPolicy.DEFAULT, true);
    }

    /** For tests: another retry policy, or no symlinks (the copy fallback). */
    HfHub(HfConfig config, RetryPolicy retry, boolean symlinks) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = new HubHttp(config, retry);
        this.cache = new HubCache(config.hubCache(), symlinks);
    }

    public HfConfig config() {
        return config;
    }

    /**
     * Downloads every file of {@code repo} at {@code revision} that matches one of {@code globPatterns}, showing
     * progress with {@link DownloadListener#standard()}.
     *
     * @see #download(HfRepo, String, List, DownloadListener)
     */
    public HfSnapshot download(HfRepo repo, String revision, List<String> globPatterns) throws IOException {
        return download(repo, revision, globPatterns, DownloadListener.standard());
    }

    /**
     * Downloads every file of {@code repo} at {@code revision} that matches one of {@code globPatterns} and
     * returns the snapshot, with every file on local disk.
     *
     * @param repo         the repository
     * @param revision     a branch ({@code "main"}), tag, {@code "refs/convert/parquet"} or a 40-hex commit; pin a
     *                     commit for reproducible data
     * @param globPatterns fnmatch patterns over repo-relative paths, for example {@code "data/train-*.parquet"};
     *                     {@code "*"} selects everything (see {@link Globs} for the exact rules)
     * @param listener     hears about each file transferred over the network
     * @throws HfHubException for the failures listed in {@link HfHubException.Kind}
     * @throws IOException    for local file-system failures
     */
    public HfSnapshot download(HfRepo repo, String revision, List<String> globPatterns, DownloadListener listener)
            throws IOException {
        Objects.requireNonNull(repo, "repo");
        RepoPaths.checkRevision(revision);
        List<Pattern> globs = Globs.compileAll(globPatterns);
        Objects.requireNonNull(listener, "listener");
        List<String> patterns = List.copyOf(globPatterns);

        if (config.offline()) {
            return fromCache(repo, revision, patterns, globs, null);
        }
        String commit;
        List<RemoteFile> remoteFiles;
        try {
            // A commit is immutable: no need to ask the Hub what it resolves to (as snapshot_download does).
            commit = RepoPaths.COMMIT.matcher(revision).matches() ? revision : resolveCommit(repo, revision);
            remoteFiles = listFiles(repo, revision, commit);
        } catch (HfHubException e) {
            if (!canUseCacheAfter(e)) {
                throw e;
            }
            return fromCache(repo, revision, patterns, globs, e);
        }

        List<RemoteFile> selected = new ArrayList<>();
        for (RemoteFile f : remoteFiles) {
            if (Globs.matchesAny(globs, f.path())) {
                selected.add(f);
            }
        }
        if (selected.isEmpty()) {
            throw new HfHubException(HfHubException.Kind.NO_MATCHING_FILES, "no file of " + repo.displayName()
                    + " at revision '" + revision + "' (commit " + commit + ") matches " + patterns + "; it has "
                    + remoteFiles.size() + " files" + examples(remoteFiles.stream().map(RemoteFile::path).toList())
                    + " (patterns use fnmatch syntax, where * and ? also match '/')");
        }
        selected.sort(Comparator.comparing(RemoteFile::path));
        cache.writeRef(repo, revision, commit);
        long total = selected.stream().mapToLong(RemoteFile::size).sum();
        LOG.info("{} at '{}' is commit {}: {} of {} files match {} ({})", repo.displayName(), revision, commit,
                selected.size(), remoteFiles.size(), patterns, ProgressDownloadListener.human(total));

        List<HfFile> files = new ArrayList<>(selected.size());
        for (RemoteFile f : selected) {
            files.add(fetch(repo, commit, f, listener));
        }
        return new HfSnapshot(repo, revision, commit, cache.snapshotDir(repo, commit), files);
    }

    /** A file as listed by the tree API. */
    private record RemoteFile(String path, long size, String blobId, Optional<String> sha256) {
        String etag() {
            return sha256.orElse(blobId);
        }
    }

    // ---------------------------------------------------------------------------------------------- online

    private String resolveCommit(HfRepo repo, String revision) throws IOException {
        URI uri = URI.create(config.endpoint() + "/api/" + repo.type().plural() + "/" + repo.id() + "/revision/"
                + RepoPaths.encodeSegment(revision));
        HubHttp.Target target = new HubHttp.Target(repo, revision, null,
                "resolving revision '" + revision + "' of " + repo.displayName());
        JsonNode info = http.getJson(uri, target).json();
        JsonNode sha = info.get("sha");
        if (sha == null || !sha.isTextual() || !RepoPaths.COMMIT.matcher(sha.asText()).matches()) {
            throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "the Hub's answer for "
                    + HubHttp.display(uri) + " has no valid commit: expected \"sha\" with 40 lower-case hex digits,"
                    + " got " + (sha == null ? "none" : http.redact(sha.toString())));
        }
        return sha.asText();
    }

    private List<RemoteFile> listFiles(HfRepo repo, String revision, String commit) throws IOException {
        HubHttp.Target target = new HubHttp.Target(repo, revision, null,
                "listing the files of " + repo.displayName() + " at commit " + commit);
        URI next = URI.create(config.endpoint() + "/api/" + repo.type().plural() + "/" + repo.id() + "/tree/"
                + RepoPaths.encodeSegment(commit) + "?recursive=true");
        Set<URI> seen = new HashSet<>();
        Set<String> paths = new HashSet<>();
        List<RemoteFile> files = new ArrayList<>();
        while (next != null) {
            if (!seen.add(next) || seen.size() > MAX_TREE_PAGES) {
                throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "the file list of "
                        + repo.displayName() + " pages in a loop (page " + HubHttp.display(next) + " again)");
            }
            HubHttp.JsonPage page = http.getJson(next, target);
            if (!page.json().isArray()) {
                throw new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "the file list of "
                        + repo.displayName() + " from " + HubHttp.display(next) + " is not a JSON array");
            }
            for (JsonNode entry : page.json()) {
                RemoteFile f = parseTreeEntry(repo, entry);
                if (f != null && paths.add(f.path())) {
                    files.add(f);
                }
            }
            next = page.next().orElse(null);
        }
        return files;
    }

    private RemoteFile parseTreeEntry(HfRepo repo, JsonNode entry) throws HfHubException {
        String what = "the file list of " + repo.displayName();
        if (!entry.isObject() || !"file".equals(entry.path("type").asText())) {
            return null;
        }
        JsonNode pathNode = entry.get("path");
        if (pathNode == null || !pathNode.isTextual()) {
            throw invalidEntry(repo, entry, "no \"path\"");
        }
        String path = pathNode.asText();
        Optional<String> unsafe = RepoPaths.unsafeReason(path);
        if (unsafe.isPresent()) {
            throw RepoPaths.unsafe(path, what, unsafe.get());
        }
        String oid = entry.path("oid").asText("");
        if (!RepoPaths.COMMIT.matcher(oid).matches()) {
            throw invalidEntry(repo, entry, "\"oid\" is not 40 lower-case hex digits");
        }
        long size = sizeOf(entry.get("size"));
        Optional<String> sha256 = Optional.empty();
        JsonNode lfs = entry.get("lfs");
        if (lfs != null && lfs.isObject()) {
            String lfsOid = lfs.path("oid").asText("");
            if (!RepoPaths.SHA256.matcher(lfsOid).matches()) {
                throw invalidEntry(repo, entry, "\"lfs.oid\" is not 64 lower-case hex digits");
            }
            sha256 = Optional.of(lfsOid);
            if (lfs.has("size")) {
                size = sizeOf(lfs.get("size"));
            }
        }
        if (size < 0) {
            throw invalidEntry(repo, entry, "no valid \"size\"");
        }
        return new RemoteFile(path, size, oid, sha256);
    }

    private static long sizeOf(JsonNode node) {
        return node != null && node.canConvertToLong() && node.asLong() >= 0 ? node.asLong() : -1;
    }

    private HfHubException invalidEntry(HfRepo repo, JsonNode entry, String problem) {
        return new HfHubException(HfHubException.Kind.INVALID_RESPONSE, "invalid entry in the file list of "
                + repo.displayName() + ": " + problem + " in " + http.redact(entry.toString()));
    }

    private HfFile fetch(HfRepo repo, String commit, RemoteFile f, DownloadListener listener) throws IOException {
        Path pointer = cache.pointerPath(repo, commit, f.path());
        HfFile result = new HfFile(f.path(), pointer, f.size(), f.sha256(), Optional.of(f.blobId()));
        if (HubCache.hasFile(pointer, f.size())) {
            LOG.debug("Using cached {}", pointer);
            return result;
        }
        if (Files.exists(pointer, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("Cached {} is broken or not {} bytes long; fetching it again", pointer, f.size());
        }
        Path blob = cache.blobPath(repo, f.etag());
        if (HubCache.hasFile(blob, f.size())) {
            LOG.debug("Linking cached blob {} to {}", blob, pointer);
            cache.link(blob, pointer, false);
            return result;
        }
        HubCache.BlobLock lock = cache.lockBlob(repo, f.etag());
        try {
            if (HubCache.hasFile(blob, f.size())) {
                cache.link(blob, pointer, false);
            } else {
                downloadBlob(repo, commit, f, blob, listener);
                cache.link(blob, pointer, true);
            }
        } finally {
            lock.release();
        }
        return result;
    }

    /** Progress of one blob across attempts. */
    private static final class Transfer {
        boolean started;
    }

    private void downloadBlob(HfRepo repo, String commit, RemoteFile f, Path blob, DownloadListener listener)
            throws IOException {
        Path incomplete = cache.incompletePath(repo, f.etag());
        Files.createDirectories(incomplete.getParent());
        URI url = URI.create(config.endpoint() + "/" + repo.type().resolvePrefix() + repo.id() + "/resolve/"
                + RepoPaths.encodeSegment(commit) + "/" + RepoPaths.encodePath(f.path()));
        HubHttp.Target target = new HubHttp.Target(repo, commit, f.path(),
                "downloading " + f.path() + " of " + repo.displayName() + " at commit " + commit);
        RetryPolicy retry = http.retry();
        Transfer transfer = new Transfer();
        for (int attempt = 1; ; attempt++) {
            long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            if (have > f.size()) {
                LOG.warn("Partial download {} has {} bytes, more than the expected {}; starting over", incomplete,
                        have, f.size());
                truncate(incomplete);
                have = 0;
            }
            IOException failure;
            try {
                transferOnce(url, target, incomplete, have, repo, f, listener, transfer);
                break;
            } catch (HfHubException e) {
                boolean retryable = e.kind() == HfHubException.Kind.HTTP_ERROR
                        && e.statusCode().isPresent() && HubHttp.isRetryable(e.statusCode().getAsInt());
                if (!retryable) {
                    throw e;
                }
                failure = e;
            } catch (IOException e) {
                if (HubHttp.isInterruption(e)) {
                    throw e;
                }
                failure = e;
            }
            long kept = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            if (attempt >= retry.maxAttempts()) {
                HfHubException last = failure instanceof HfHubException h ? h : http.unreachable(url, target, failure);
                throw new HfHubException(last.kind(), last.statusCode().orElse(-1), "giving up after "
                        + attempt + " attempts: " + last.getMessage() + "; " + kept + " of " + f.size()
                        + " bytes are kept in " + incomplete + " and the next download resumes from there", failure);
            }
            Duration wait = retry.backoff(attempt);
            LOG.warn("Download of {} from {} failed at {} of {} bytes ({}); attempt {} of {}, resuming in {} ms",
                    f.path(), repo.displayName(), kept, f.size(), HubHttp.describe(failure), attempt,
                    retry.maxAttempts(), wait.toMillis());
            HubHttp.sleep(wait, target);
        }
        verify(incomplete, repo, commit, f);
        HubCache.moveAtomically(incomplete, blob);
        listener.onDone(repo, f.path(), f.size());
    }

    /** One GET of a file into the partial file; returns when it holds every byte, throws otherwise. */
    private void transferOnce(URI url, HubHttp.Target target, Path incomplete, long have, HfRepo repo, RemoteFile f,
            DownloadListener listener, Transfer transfer) throws IOException {
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        try (HubHttp.Response r = http.get(url, headers, target)) {
            long offset;
            if (r.status() == 206 && have > 0) {
                OptionalLong start = contentRangeStart(r);
                if (start.isEmpty() || start.getAsLong() != have) {
                    truncate(incomplete);
                    throw new IOException("the server answered a range request for bytes " + have + "- with "
                            + r.header("Content-Range").orElse("no Content-Range") + "; starting over");
                }
                offset = have;
            } else if (r.status() == 200 || (r.status() == 206 && have == 0)) {
                if (have > 0) {
                    LOG.info("The server ignored the range request for {}; downloading it from the start", f.path());
                }
                offset = 0;
            } else if (r.status() == 416 && have > 0) {
                if (have == f.size()) {
                    LOG.debug("Partial file {} already has all {} bytes", incomplete, have);
                    if (!transfer.started) {
                        transfer.started = true;
                        listener.onStart(repo, f.path(), f.size(), have);
                    }
                    return;
                }
                truncate(incomplete);
                throw new IOException("HTTP 416 (range not satisfiable) for bytes " + have + "- of " + f.size()
                        + "; starting over");
            } else {
                throw http.error(r, target);
            }
            if (!transfer.started) {
                transfer.started = true;
                listener.onStart(repo, f.path(), f.size(), offset);
            }
            copyBody(r.body(), incomplete, offset, repo, f, listener);
        }
    }

    private void copyBody(InputStream in, Path incomplete, long offset, HfRepo repo, RemoteFile f,
            DownloadListener listener) throws IOException {
        try (FileChannel out = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(offset);
            out.position(offset);
            byte[] buffer = new byte[COPY_BUFFER];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            long done = offset;
            boolean tooLong = false;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                if (done + n > f.size()) {
                    tooLong = true;
                    break;
                }
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
                done += n;
                listener.onProgress(repo, f.path(), done, f.size());
            }
            if (!tooLong) {
                out.force(false);
                if (done < f.size()) {
                    throw new IOException("connection closed after " + done + " of " + f.size() + " bytes");
                }
                return;
            }
        }
        HubCache.deleteQuietly(incomplete);
        throw new HfHubException(HfHubException.Kind.CHECKSUM_MISMATCH, "size mismatch for " + f.path() + " of "
                + repo.displayName() + ": the server sent more than the expected " + f.size()
                + " bytes; the download was deleted, retry it");
    }

    private static OptionalLong contentRangeStart(HubHttp.Response r) {
        Optional<String> value = r.header("Content-Range");
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher m = CONTENT_RANGE.matcher(value.get().trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void truncate(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    /**
     * Checks size and hash of a complete download: the LFS SHA-256 for LFS files, the git blob id
     * ({@code sha1("blob <size>\0" + content)}) for the others. On mismatch the file is deleted.
     */
    private void verify(Path file, HfRepo repo, String commit, RemoteFile f) throws IOException {
        long actualSize = Files.size(file);
        String where = f.path() + " of " + repo.displayName() + " at commit " + commit;
        if (actualSize != f.size()) {
            HubCache.deleteQuietly(file);
            throw new HfHubException(HfHubException.Kind.CHECKSUM_MISMATCH, "size mismatch for " + where
                    + ": expected " + f.size() + " bytes, got " + actualSize + "; the download was deleted, retry it");
        }
        String expected;
        String actual;
        String kind;
        if (f.sha256().isPresent()) {
            kind = "SHA-256";
            expected = f.sha256().get();
            actual = digest(file, "SHA-256", null);
        } else {
            kind = "git blob id";
            expected = f.blobId();
            actual = digest(file, "SHA-1", ("blob " + actualSize + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        if (!actual.equals(expected)) {
            HubCache.deleteQuietly(file);
            throw new HfHubException(HfHubException.Kind.CHECKSUM_MISMATCH, "checksum mismatch for " + where
                    + ": expected " + kind + " " + expected + " (from the Hub), got " + actual + " (" + actualSize
                    + " bytes downloaded); the corrupt download was deleted, retry it");
        }
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by every Java platform", e);
        }
        if (prefix != null) {
            md.update(prefix);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ---------------------------------------------------------------------------------------------- cache only

    private static boolean canUseCacheAfter(HfHubException e) {
        return e.kind() == HfHubException.Kind.HUB_UNREACHABLE
                || (e.kind() == HfHubException.Kind.HTTP_ERROR && e.statusCode().isPresent()
                && HubHttp.isRetryable(e.statusCode().getAsInt()));
    }

    /**
     * The snapshot from the cache alone: offline ({@code onlineFailure == null}), or because the Hub could not be
     * reached. Resolves the revision through {@code refs/{revision}}, or takes it as the commit when it is one.
     */
    private HfSnapshot fromCache(HfRepo repo, String revision, List<String> patterns, List<Pattern> globs,
            HfHubException onlineFailure) throws IOException {
        String commit;
        String lookedFor;
        if (RepoPaths.COMMIT.matcher(revision).matches()) {
            commit = revision;
            lookedFor = "the snapshot folder " + cache.snapshotDir(repo, commit);
        } else {
            Path ref = cache.refPath(repo, revision);
            commit = cache.readRef(repo, revision).orElse(null);
            lookedFor = "the ref file " + ref + (commit == null ? " (missing)"
                    : " (commit " + commit + ") and the snapshot folder " + cache.snapshotDir(repo, commit));
        }
        Path snapshotDir = commit == null ? null : cache.snapshotDir(repo, commit);
        List<String> cached = snapshotDir != null && Files.isDirectory(snapshotDir)
                ? cache.listSnapshot(snapshotDir) : List.of();
        List<String> matching = cached.stream().filter(p -> Globs.matchesAny(globs, p)).toList();
        if (matching.isEmpty()) {
            String state = cached.isEmpty() ? "is not in the local cache"
                    : "has no cached file matching " + patterns + " (cached: " + cached.size() + " files"
                            + examples(cached) + ")";
            String subject = repo.displayName() + " at revision '" + revision + "' " + state + "; looked for "
                    + lookedFor + " in the hub cache " + cache.root();
            if (onlineFailure == null) {
                throw new HfHubException(HfHubException.Kind.OFFLINE_NOT_CACHED, "offline mode is on"
                        + " (HF_HUB_OFFLINE) and " + subject + ". To fix: run once with network access (unset"
                        + " HF_HUB_OFFLINE or set it to 0) to download it, or point HF_HUB_CACHE (or HF_HOME) at a"
                        + " cache that has it");
            }
            throw new HfHubException(onlineFailure.kind(), onlineFailure.statusCode().orElse(-1),
                    onlineFailure.getMessage() + "; and " + subject, onlineFailure);
        }
        List<HfFile> files = new ArrayList<>(matching.size());
        for (String path : matching) {
            files.add(cachedFile(snapshotDir, path));
        }
        if (onlineFailure != null) {
            LOG.warn("{}; using the cached snapshot {} of {} at revision '{}' instead ({} files; it may be"
                    + " incomplete or out of date)", onlineFailure.getMessage(), commit, repo.displayName(), revision,
                    files.size());
        } else {
            LOG.info("Offline: using the cached snapshot {} of {} at revision '{}' ({} files matching {})", commit,
                    repo.displayName(), revision, files.size(), patterns);
        }
        return new HfSnapshot(repo, revision, commit, snapshotDir, files);
    }

    /** A file found in a snapshot folder; its blob name (when it is a symlink) tells its LFS sha256 or blob id. */
    private static HfFile cachedFile(Path snapshotDir, String path) throws IOException {
        Path local = RepoPaths.resolveUnder(snapshotDir, path, "the cache folder " + snapshotDir);
        long size = Files.size(local);
        Optional<String> sha256 = Optional.empty();
        Optional<String> blobId = Optional.empty();
        if (Files.isSymbolicLink(local)) {
            Path target = Files.readSymbolicLink(local).getFileName();
            String name = target == null ? "" : target.toString();
            if (RepoPaths.SHA256.matcher(name).matches()) {
                sha256 = Optional.of(name);
            } else if (RepoPaths.COMMIT.matcher(name).matches()) {
                blobId = Optional.of(name);
            }
        }
        return new HfFile(path, local, size, sha256, blobId);
    }

    private static String examples(List<String> paths) {
        if (paths.isEmpty()) {
            return "";
        }
        int shown = Math.min(paths.size(), 8);
        return ", for example " + String.join(", ", paths.subList(0, shown).stream().map(RepoPaths::printable)
                .toList()) + (paths.size() > shown ? ", ..." : "");
    }
}

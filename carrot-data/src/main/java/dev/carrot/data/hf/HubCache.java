package dev.carrot.data.hf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk cache in the layout of Python's {@code huggingface_hub} ({@code file_download.py}):
 * {@code {root}/{datasets|models}--{org}--{name}/{blobs,refs,snapshots}} and {@code {root}/.locks}.
 *
 * <p>Files only ever appear at their final path by an atomic rename, so a reader never sees half a file.
 */
final class HubCache {

    private static final Logger LOG = LoggerFactory.getLogger(HubCache.class);
    private static final long LOCK_LOG_EVERY_NANOS = 10_000_000_000L;
    private static final String TEMP_MARK = ".carrot-tmp-";

    private final Path root;
    private final AtomicBoolean symlinksWork;

    /**
     * @param root     the hub cache folder
     * @param symlinks false to never create symlinks and store file copies in the snapshots instead (what
     *                 {@code huggingface_hub} does where symlinks are not supported); true to try symlinks first
     */
    HubCache(Path root, boolean symlinks) {
        this.root = Objects.requireNonNull(root, "root");
        this.symlinksWork = new AtomicBoolean(symlinks);
    }

    Path root() {
        return root;
    }

    Path repoDir(HfRepo repo) {
        return root.resolve(repo.cacheFolderName());
    }

    Path blobPath(HfRepo repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag);
    }

    Path incompletePath(HfRepo repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    Path snapshotDir(HfRepo repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** {@code snapshots/{commit}/{path}}, refusing a path that would leave the snapshot folder. */
    Path pointerPath(HfRepo repo, String commit, String path) throws HfHubException {
        return RepoPaths.resolveUnder(snapshotDir(repo, commit), path, "the file list of " + repo.displayName());
    }

    Path refPath(HfRepo repo, String revision) {
        return repoDir(repo).resolve("refs").resolve(revision);
    }

    /** The commit recorded for a branch or tag by an earlier online download (by this client or by Python). */
    Optional<String> readRef(HfRepo repo, String revision) throws IOException {
        Path ref = refPath(repo, revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        if (!RepoPaths.COMMIT.matcher(commit).matches()) {
            LOG.warn("Ignoring {}: it should hold a 40-hex commit, found '{}'", ref, RepoPaths.printable(commit));
            return Optional.empty();
        }
        return Optional.of(commit);
    }

    /**
     * Records {@code revision -> commit} in {@code refs/{revision}}, as {@code huggingface_hub} does after
     * resolving a branch or tag. Writes nothing for a commit revision or when the ref is already up to date
     * (so a read-only cache that is current does not fail).
     */
    void writeRef(HfRepo repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refPath(repo, revision);
        if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).strip().equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(TEMP_MARK + UUID.randomUUID());
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether {@code path} is a readable regular file (following symlinks) of exactly {@code size} bytes. */
    static boolean hasFile(Path path, long size) {
        try {
            return Files.isRegularFile(path) && Files.size(path) == size;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes {@code pointer} show the content of {@code blob}: a relative symlink ({@code ../../blobs/{etag}},
     * with one more {@code ..} per folder level of the repo path), put in place by an atomic rename. Where
     * symlinks are not available, moves a new blob (or copies a blob that other snapshots may share) instead,
     * as {@code huggingface_hub._create_symlink} does.
     */
    void link(Path blob, Path pointer, boolean newBlob) throws IOException {
        Path dir = pointer.getParent();
        Files.createDirectories(dir);
        Path target = dir.toAbsolutePath().relativize(blob.toAbsolutePath());
        if (symlinksWork.get()) {
            Path tmp = dir.resolve(TEMP_MARK + UUID.randomUUID());
            boolean created = false;
            try {
                Files.createSymbolicLink(tmp, target);
                created = true;
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                symlinksWork.set(false);
                LOG.warn("Cannot create symlinks in {} ({}); storing file copies in the snapshot folders instead,"
                        + " which takes more disk space", dir, HubHttp.describe(e));
            }
            if (created) {
                try {
                    moveAtomically(tmp, pointer);
                    return;
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        Path tmp = dir.resolve(TEMP_MARK + UUID.randomUUID());
        try {
            if (newBlob) {
                moveAtomically(blob, tmp);
            } else {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            moveAtomically(tmp, pointer);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The repo-relative paths ({@code '/'} separators) of the files in a snapshot folder, sorted; symlinks to
     * blobs count as files, dangling ones do not.
     */
    List<String> listSnapshot(Path snapshotDir) throws IOException {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(snapshotDir, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(TEMP_MARK))
                    .forEach(p -> {
                        List<String> parts = new ArrayList<>();
                        for (Path part : snapshotDir.relativize(p)) {
                            parts.add(part.toString());
                        }
                        paths.add(String.join("/", parts));
                    });
        }
        paths.sort(null);
        return paths;
    }

    /**
     * Takes the cross-process lock for one blob, {@code .locks/{repo folder}/{etag}.lock} as in
     * {@code huggingface_hub}. Waits as long as another thread or process holds it, logging every 10 seconds.
     * (Java's locks are POSIX {@code fcntl} locks: they exclude other JVMs, but not Python's {@code flock}-based
     * {@code filelock} on Linux.)
     */
    BlobLock lockBlob(HfRepo repo, String etag) throws IOException {
        Path lockFile = root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(etag + ".lock");
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long start = System.nanoTime();
        long lastLog = start;
        try {
            while (true) {
                FileLock lock = null;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException heldInThisJvm) {
                    // Another thread of this JVM holds it: wait like for another process.
                }
                if (lock != null) {
                    FileLock held = lock;
                    return () -> {
                        try {
                            held.release();
                        } finally {
                            channel.close();
                        }
                    };
                }
                long now = System.nanoTime();
                if (now - lastLog >= LOCK_LOG_EVERY_NANOS) {
                    LOG.info("Waiting for lock {} ({} s): another download of the same file is in progress",
                            lockFile, (now - start) / 1_000_000_000L);
                    lastLog = now;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new InterruptedIOException("interrupted while waiting for lock " + lockFile);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A held blob lock. */
    interface BlobLock {
        /** Releases the lock and closes its file. */
        void release() throws IOException;
    }

    /** Renames atomically, replacing the target; falls back to a plain replacing move where atomic is not possible. */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file if it is there, reporting (not throwing) a failure. */
    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (NoSuchFileException ignored) {
            // gone already
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", path, HubHttp.describe(e));
        }
    }
}

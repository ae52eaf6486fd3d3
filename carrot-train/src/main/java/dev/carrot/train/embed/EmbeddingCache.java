package dev.carrot.train.embed;

import dev.carrot.route.encoder.CarrotHome;
import dev.carrot.data.Hashing;
import dev.carrot.train.embed.SegmentFiles.Key;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import dev.carrot.route.encoder.EncoderInfo;

/**
 * A persistent map from prompt text to embedding, for one encoder configuration ({@link EncoderInfo#fingerprint()}:
 * ONNX SHA-256, dimension, maxTokens, pooling, normalisation).
 *
 * <p>Files live in {@code <embeddingsDir>/<onnx sha256>/} as immutable segment files (see
 * {@code internal.SegmentFiles}): every write creates a new segment through a temporary file and an atomic rename, so
 * a crash or two processes writing at once never leave a half-written or mixed file. Each entry carries a CRC32C over
 * its key and vector; a damaged or truncated entry is skipped (and so recomputed by {@link CachingPromptEncoder}), never
 * trusted. When more than {@code maxSegments} segments accumulate, or damage is found, opening compacts them into one
 * (under a file lock, so only one process compacts at a time). Everything is loaded into memory at open.
 *
 * <p>Thread-safe. Keys are SHA-256 hashes of the UTF-8 prompt; prompts themselves are not stored.
 */
public final class EmbeddingCache implements AutoCloseable {

    /** Segments above which opening compacts. */
    public static final int DEFAULT_MAX_SEGMENTS = 16;
    /** Buffered single {@link #put}s written as one segment once this many are pending. */
    static final int FLUSH_THRESHOLD = 1024;
    private static final Duration STALE_TEMP_AGE = Duration.ofHours(1);
    private static final String LOCK_FILE = ".compact.lock";
    private static final System.Logger LOG = System.getLogger(EmbeddingCache.class.getName());

    /**
     * What opening the cache found.
     *
     * @param segments        segments read
     * @param entries         distinct valid entries loaded
     * @param damagedEntries  entries that failed their checksum or were cut short (they will be recomputed)
     * @param damagedSegments segments that were damaged or unreadable
     * @param millis          time to list, read and verify everything
     * @param compacted       whether opening compacted the segments
     */
    public record LoadReport(int segments, int entries, int damagedEntries, int damagedSegments, long millis,
                             boolean compacted) {
    }

    private final Path dir;
    private final EncoderInfo info;
    private final byte[] fingerprintHash;
    private final String tag;
    private final int maxSegments;
    private final ConcurrentHashMap<Key, float[]> entries = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private final Map<Key, float[]> pending = new LinkedHashMap<>(); // guarded by writeLock
    private final LoadReport loadReport;

    private EmbeddingCache(Path dir, EncoderInfo info, int maxSegments) throws IOException {
        this.dir = dir;
        this.info = info;
        this.fingerprintHash = Hashing.sha256().digest(info.fingerprint().getBytes(StandardCharsets.UTF_8));
        this.tag = SegmentFiles.tag(fingerprintHash);
        this.maxSegments = maxSegments;
        this.loadReport = load();
    }

    /**
     * Opens the cache of {@code info} under {@code CarrotHome.cacheDir()/embeddings}.
     *
     * @param info the encoder whose vectors are cached
     * @return the opened cache
     * @throws UncheckedIOException if the directory cannot be created or read
     */
    public static EmbeddingCache open(EncoderInfo info) {
        return open(CarrotHome.cacheDir("embeddings"), info);
    }

    /**
     * Opens the cache of {@code info} under {@code embeddingsDir/<onnx sha256>/}, creating directories as needed.
     *
     * @param embeddingsDir the root of embedding caches, e.g. {@code CarrotHome.cacheDir("embeddings")}
     * @param info          the encoder whose vectors are cached
     * @return the opened cache
     * @throws UncheckedIOException if the directory cannot be created or read
     */
    public static EmbeddingCache open(Path embeddingsDir, EncoderInfo info) {
        return open(embeddingsDir, info, DEFAULT_MAX_SEGMENTS);
    }

    /**
     * Same as {@link #open(Path, EncoderInfo)} with a custom compaction threshold.
     *
     * @param embeddingsDir the root of embedding caches
     * @param info          the encoder whose vectors are cached
     * @param maxSegments   segments above which opening compacts, at least 1
     * @return the opened cache
     */
    public static EmbeddingCache open(Path embeddingsDir, EncoderInfo info, int maxSegments) {
        if (embeddingsDir == null) {
            throw new IllegalArgumentException("embeddingsDir is null; expected a directory such as "
                    + "CarrotHome.cacheDir(\"embeddings\")");
        }
        Objects.requireNonNull(info, "info");
        if (maxSegments < 1) {
            throw new IllegalArgumentException("maxSegments is " + maxSegments + "; expected >= 1");
        }
        Path dir = embeddingsDir.toAbsolutePath().normalize().resolve(info.onnxSha256());
        try {
            Files.createDirectories(dir);
            return new EmbeddingCache(dir, info, maxSegments);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the embedding cache in " + dir, e);
        }
    }

    /** @return the directory holding this encoder's segments */
    public Path directory() {
        return dir;
    }

    /** @return the encoder this cache belongs to */
    public EncoderInfo info() {
        return info;
    }

    /** @return what opening found */
    public LoadReport loadReport() {
        return loadReport;
    }

    /** @return the number of cached prompts */
    public int size() {
        return entries.size();
    }

    /**
     * @param text a prompt
     * @return a copy of its cached vector, or null when not cached
     */
    public float[] get(String text) {
        float[] vector = entries.get(key(text));
        return vector == null ? null : vector.clone();
    }

    /**
     * @param text a prompt
     * @return whether its vector is cached
     */
    public boolean contains(String text) {
        return entries.containsKey(key(text));
    }

    /**
     * Caches one vector. It is written to disk with the next {@link #flush()} (or {@link #close()}, or once
     * {@value #FLUSH_THRESHOLD} are pending).
     *
     * @param text   the prompt
     * @param vector its embedding, of length {@code info().dimension()}, finite
     */
    public void put(String text, float[] vector) {
        Key key = key(text);
        float[] copy = checkedCopy(vector, "vector");
        synchronized (writeLock) {
            entries.put(key, copy);
            pending.put(key, copy);
            if (pending.size() >= FLUSH_THRESHOLD) {
                flushLocked();
            }
        }
    }

    /**
     * Caches many vectors and writes them (with anything pending) as one segment now.
     *
     * @param texts   prompts
     * @param vectors their embeddings, parallel to {@code texts}
     */
    public void putAll(List<String> texts, float[][] vectors) {
        if (texts == null || vectors == null || texts.size() != vectors.length) {
            throw new IllegalArgumentException("putAll got " + (texts == null ? "null" : texts.size()) + " texts and "
                    + (vectors == null ? "null" : vectors.length) + " vectors; expected the same number of each");
        }
        List<Key> keys = new ArrayList<>(texts.size());
        List<float[]> copies = new ArrayList<>(texts.size());
        for (int i = 0; i < vectors.length; i++) {
            keys.add(key(texts.get(i)));
            copies.add(checkedCopy(vectors[i], "vectors[" + i + "]"));
        }
        synchronized (writeLock) {
            for (int i = 0; i < keys.size(); i++) {
                entries.put(keys.get(i), copies.get(i));
                pending.put(keys.get(i), copies.get(i));
            }
            flushLocked();
        }
    }

    /** Writes pending vectors as one new segment. */
    public void flush() {
        synchronized (writeLock) {
            flushLocked();
        }
    }

    private void flushLocked() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            SegmentFiles.write(dir, info.dimension(), fingerprintHash, new ArrayList<>(pending.keySet()),
                    new ArrayList<>(pending.values()));
            pending.clear();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pending.size() + " embeddings to the cache in " + dir, e);
        }
    }

    /**
     * Merges all segments of this encoder configuration into one, dropping damaged entries. Does nothing when another
     * process (or another cache object in this JVM) is compacting the same directory.
     *
     * @return whether this call compacted
     */
    public boolean compact() {
        synchronized (writeLock) {
            flushLocked();
            try {
                return compactLocked(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot compact the embedding cache in " + dir, e);
            }
        }
    }

    /** Writes pending vectors. */
    @Override
    public void close() {
        flush();
    }

    @Override
    public String toString() {
        return "EmbeddingCache[" + dir + ", " + entries.size() + " entries]";
    }

    private LoadReport load() throws IOException {
        long start = System.nanoTime();
        deleteStaleTemporaryFiles();
        List<Path> segments = SegmentFiles.list(dir, tag);
        int read = 0;
        int damagedEntries = 0;
        int damagedSegments = 0;
        for (Path segment : segments) {
            SegmentFiles.ReadResult result;
            try {
                result = SegmentFiles.read(segment, info.dimension(), fingerprintHash, entries::put);
            } catch (NoSuchFileException e) {
                continue; // compacted away by another process meanwhile: its entries are in the merged segment
            }
            read++;
            switch (result.status()) {
                case OK:
                    break;
                case DAMAGED:
                case UNREADABLE:
                    damagedSegments++;
                    damagedEntries += result.damaged();
                    LOG.log(Level.WARNING, "embedding cache segment " + segment + ": " + result.problem() + "; "
                            + result.entries() + " good entries kept, the rest will be recomputed");
                    break;
                case NEWER_VERSION:
                    LOG.log(Level.WARNING, "embedding cache segment " + segment + " skipped: " + result.problem());
                    break;
                default:
                    LOG.log(Level.DEBUG, "embedding cache segment " + segment + " skipped: " + result.problem());
                    break;
            }
        }
        boolean compacted = false;
        if (segments.size() > maxSegments || damagedSegments > 0) {
            synchronized (writeLock) {
                compacted = compactLocked(true);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        LoadReport report = new LoadReport(read, entries.size(), damagedEntries, damagedSegments, millis, compacted);
        LOG.log(Level.DEBUG, () -> "opened " + this + ": " + report);
        return report;
    }

    private boolean compactLocked(boolean quiet) throws IOException {
        Path lockPath = dir.resolve(LOCK_FILE);
        try (FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = tryLock(lockChannel);
            if (lock == null) {
                LOG.log(Level.DEBUG, "embedding cache " + dir + " is being compacted elsewhere; skipped");
                return false;
            }
            try (lock) {
                List<Path> segments = SegmentFiles.list(dir, tag);
                Map<Key, float[]> merged = new LinkedHashMap<>();
                List<Path> sources = new ArrayList<>();
                int dropped = 0;
                boolean damage = false;
                for (Path segment : segments) {
                    SegmentFiles.ReadResult result;
                    try {
                        result = SegmentFiles.read(segment, info.dimension(), fingerprintHash, merged::put);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                    switch (result.status()) {
                        case OK:
                            sources.add(segment);
                            break;
                        case DAMAGED:
                        case UNREADABLE:
                            sources.add(segment);
                            dropped += result.damaged();
                            damage = true;
                            break;
                        default:
                            break; // never delete what we cannot read (newer format, other encoder)
                    }
                }
                if (sources.size() <= 1 && !damage) {
                    return false;
                }
                if (!merged.isEmpty()) {
                    SegmentFiles.write(dir, info.dimension(), fingerprintHash, new ArrayList<>(merged.keySet()),
                            new ArrayList<>(merged.values()));
                }
                for (Path source : sources) {
                    Files.deleteIfExists(source);
                }
                entries.putAll(merged); // picks up what other processes wrote since we loaded
                int droppedEntries = dropped;
                LOG.log(quiet && droppedEntries == 0 ? Level.DEBUG : Level.INFO, () -> "compacted embedding cache "
                        + dir + ": " + sources.size() + " segments -> 1 with " + merged.size() + " entries"
                        + (droppedEntries > 0 ? ", dropped " + droppedEntries + " damaged entries" : ""));
                return true;
            }
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // another EmbeddingCache in this JVM holds it
        }
    }

    private void deleteStaleTemporaryFiles() {
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, ".tmp-*")) {
            for (Path temp : stream) {
                try {
                    if (Files.getLastModifiedTime(temp).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(temp);
                    }
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "cannot delete stale temporary file " + temp, e);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot list temporary files in " + dir, e);
        }
    }

    private static Key key(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null; expected a prompt string");
        }
        return Key.ofText(text);
    }

    private float[] checkedCopy(float[] vector, String name) {
        if (vector == null || vector.length != info.dimension()) {
            throw new IllegalArgumentException(name + " has length " + (vector == null ? "null" : vector.length)
                    + "; expected " + info.dimension() + " (encoder '" + info.id() + "')");
        }
        for (int d = 0; d < vector.length; d++) {
            if (!Float.isFinite(vector[d])) {
                throw new IllegalArgumentException(name + "[" + d + "] is " + vector[d] + "; expected a finite value");
            }
        }
        return vector.clone();
    }
}

package dev.carrot.train.embed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;
import dev.carrot.data.Hashing;

/**
 * The on-disk format of the embedding cache: immutable segment files, each written once to a temporary file and then
 * atomically renamed, so readers and other processes only ever see complete files.
 *
 * <pre>
 * header, 64 bytes, little-endian:
 *   0  magic "CRTEMBED" (8 bytes)     8  format version (int32)      12 dimension (int32)
 *   16 entry count (int32)            20 entry size in bytes (int32) 24 SHA-256 of the encoder fingerprint (32 bytes)
 *   56 reserved, 0 (int32)            60 CRC32C of bytes 0..59 (int32)
 * entry, 32 + 4 * dimension + 4 bytes:
 *   SHA-256 of the UTF-8 prompt (32 bytes) | dimension float32 | CRC32C of the key and the floats (int32)
 * </pre>
 * File names are {@code seg-<first 16 hex digits of the fingerprint hash>-<millis>-<random>.cemb}; temporary files start
 * with {@code .tmp-} and are never read.
 */
public final class SegmentFiles {

    /** Current format version; readers skip newer versions with a warning. */
    public static final int VERSION = 1;
    static final byte[] MAGIC = "CRTEMBED".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 64;
    static final int KEY_BYTES = 32;
    static final String SUFFIX = ".cemb";
    static final String TEMP_PREFIX = ".tmp-";
    private static final int CHUNK_ENTRIES = 1024;

    private SegmentFiles() {
    }

    /** @return bytes of one entry of {@code dimension} floats */
    public static int entryBytes(int dimension) {
        return KEY_BYTES + 4 * dimension + 4;
    }

    /** @return the file-name tag for a fingerprint hash */
    public static String tag(byte[] fingerprintHash) {
        return HexFormat.of().formatHex(fingerprintHash, 0, 8);
    }

    /** A 32-byte SHA-256, held as four longs for cheap hashing and comparison. */
    public record Key(long a, long b, long c, long d) {

        /** @return the key of a prompt: SHA-256 of its UTF-8 bytes */
        public static Key ofText(String text) {
            return of(Hashing.sha256(text), 0);
        }

        static Key of(byte[] bytes, int offset) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, KEY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            return new Key(buffer.getLong(offset), buffer.getLong(offset + 8), buffer.getLong(offset + 16),
                    buffer.getLong(offset + 24));
        }

        void writeTo(ByteBuffer buffer) {
            buffer.putLong(a).putLong(b).putLong(c).putLong(d);
        }
    }

    /** Receives the valid entries of a segment. The vector is a new array. */
    @FunctionalInterface
    public interface EntrySink {
        /**
         * @param key    the prompt key
         * @param vector the stored vector
         */
        void accept(Key key, float[] vector);
    }

    /** What reading one segment found. */
    public enum Status {
        /** Complete and every entry verified. */
        OK,
        /** Readable; some entries failed their checksum or the file is truncated or has trailing bytes. */
        DAMAGED,
        /** Header unreadable or failed its checksum: nothing was read. */
        UNREADABLE,
        /** Written by a newer carrot: left alone. */
        NEWER_VERSION,
        /** A valid segment of another encoder configuration: left alone. */
        OTHER_ENCODER
    }

    /**
     * Result of reading a segment.
     *
     * @param status  overall verdict
     * @param entries entries that passed their checksum
     * @param damaged entries that failed it, or were cut short
     * @param problem what was wrong, null when OK
     */
    public record ReadResult(Status status, int entries, int damaged, String problem) {
    }

    /**
     * Lists the segments of one fingerprint in name order (oldest first).
     *
     * @param dir the encoder's cache directory
     * @param tag {@link #tag(byte[])} of the fingerprint hash
     * @return segment paths
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> list(Path dir, String tag) throws IOException {
        List<Path> segments = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "seg-" + tag + "-*" + SUFFIX)) {
            for (Path path : stream) {
                segments.add(path);
            }
        }
        segments.sort(null);
        return segments;
    }

    /**
     * Reads a segment, verifying the header and every entry's checksum. Damaged entries are skipped and counted.
     *
     * @param file            the segment
     * @param dimension       expected vector length
     * @param fingerprintHash expected SHA-256 of the encoder fingerprint
     * @param sink            receives every valid entry
     * @return what was found
     * @throws IOException if the file cannot be read at all (a missing file is the caller's to handle)
     */
    public static ReadResult read(Path file, int dimension, byte[] fingerprintHash, EntrySink sink) throws IOException {
        int entryBytes = entryBytes(dimension);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                return new ReadResult(Status.UNREADABLE, 0, 0, "file is " + size + " bytes, shorter than the "
                        + HEADER_BYTES + "-byte header");
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            byte[] h = header.array();
            if (!Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                return new ReadResult(Status.UNREADABLE, 0, 0, "bad magic; expected \"CRTEMBED\"");
            }
            int version = header.getInt(8);
            CRC32C crc = new CRC32C();
            crc.update(h, 0, 60);
            if ((int) crc.getValue() != header.getInt(60)) {
                return new ReadResult(Status.UNREADABLE, 0, 0, "header checksum mismatch");
            }
            if (version > VERSION) {
                return new ReadResult(Status.NEWER_VERSION, 0, 0, "format version " + version
                        + " is newer than this carrot reads (" + VERSION + "); upgrade carrot or use another cache dir");
            }
            if (version < 1) {
                return new ReadResult(Status.UNREADABLE, 0, 0, "format version " + version + "; expected 1.." + VERSION);
            }
            if (!Arrays.equals(h, 24, 56, fingerprintHash, 0, 32)) {
                return new ReadResult(Status.OTHER_ENCODER, 0, 0, "segment of another encoder configuration");
            }
            int storedDim = header.getInt(12);
            int count = header.getInt(16);
            int storedEntryBytes = header.getInt(20);
            if (storedDim != dimension || storedEntryBytes != entryBytes || count < 0) {
                return new ReadResult(Status.UNREADABLE, 0, 0, "header says dimension " + storedDim + ", entry size "
                        + storedEntryBytes + ", " + count + " entries; expected dimension " + dimension
                        + " and entry size " + entryBytes);
            }
            long body = size - HEADER_BYTES;
            long available = body / entryBytes;
            int readable = (int) Math.min(count, available);
            int damaged = count - readable;
            String problem = null;
            if (available < count) {
                problem = "truncated: " + size + " bytes hold " + available + " of " + count + " entries";
            } else if (body != (long) count * entryBytes) {
                problem = "unexpected " + (body - (long) count * entryBytes) + " trailing bytes";
            }
            int valid = 0;
            ByteBuffer chunk = ByteBuffer.allocate(entryBytes * Math.max(1, Math.min(CHUNK_ENTRIES, readable)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            byte[] bytes = chunk.array();
            long position = HEADER_BYTES;
            int done = 0;
            while (done < readable) {
                int n = Math.min(CHUNK_ENTRIES, readable - done);
                chunk.clear().limit(n * entryBytes);
                readFully(channel, chunk, position);
                position += (long) n * entryBytes;
                FloatBuffer floats = chunk.position(0).asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    int off = i * entryBytes;
                    crc.reset();
                    crc.update(bytes, off, entryBytes - 4);
                    if ((int) crc.getValue() != chunk.getInt(off + entryBytes - 4)) {
                        damaged++;
                        continue;
                    }
                    float[] vector = new float[dimension];
                    floats.get((off + KEY_BYTES) / 4, vector);
                    sink.accept(Key.of(bytes, off), vector);
                    valid++;
                }
                done += n;
            }
            if (damaged > 0 && problem == null) {
                problem = damaged + " of " + count + " entries failed their checksum";
            } else if (damaged > 0) {
                problem = problem + "; " + damaged + " entries unusable";
            }
            return new ReadResult(problem == null ? Status.OK : Status.DAMAGED, valid, damaged, problem);
        }
    }

    /**
     * Writes a new segment: a temporary file, forced to disk, then atomically renamed.
     *
     * @param dir             the encoder's cache directory (must exist)
     * @param dimension       vector length
     * @param fingerprintHash SHA-256 of the encoder fingerprint
     * @param keys            entry keys
     * @param vectors         entry vectors, parallel to {@code keys}
     * @return the new segment's path
     * @throws IOException if writing fails; no partial segment is left behind
     */
    public static Path write(Path dir, int dimension, byte[] fingerprintHash, List<Key> keys, List<float[]> vectors)
            throws IOException {
        if (keys.size() != vectors.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + vectors.size() + " vectors");
        }
        int entryBytes = entryBytes(dimension);
        String name = String.format(Locale.ROOT, "seg-%s-%013d-%016x%s", tag(fingerprintHash), System.currentTimeMillis(),
                ThreadLocalRandom.current().nextLong(), SUFFIX);
        Path target = dir.resolve(name);
        Path temp = dir.resolve(TEMP_PREFIX + name);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.put(MAGIC).putInt(VERSION).putInt(dimension).putInt(keys.size()).putInt(entryBytes)
                        .put(fingerprintHash, 0, 32).putInt(0);
                CRC32C crc = new CRC32C();
                crc.update(header.array(), 0, 60);
                header.putInt((int) crc.getValue()).flip();
                writeFully(channel, header);
                int chunkEntries = Math.max(1, Math.min(CHUNK_ENTRIES, keys.size()));
                ByteBuffer chunk = ByteBuffer.allocate(entryBytes * chunkEntries).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < keys.size(); i++) {
                    float[] vector = vectors.get(i);
                    if (vector.length != dimension) {
                        throw new IllegalArgumentException("vector " + i + " has length " + vector.length + "; expected "
                                + dimension);
                    }
                    int start = chunk.position();
                    keys.get(i).writeTo(chunk);
                    for (float x : vector) {
                        chunk.putFloat(x);
                    }
                    crc.reset();
                    crc.update(chunk.array(), start, entryBytes - 4);
                    chunk.putInt((int) crc.getValue());
                    if (!chunk.hasRemaining()) {
                        chunk.flip();
                        writeFully(channel, chunk);
                        chunk.clear();
                    }
                }
                chunk.flip();
                writeFully(channel, chunk);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically; the embedding cache "
                        + "needs a local file system", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
        return target;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Not supported on every OS (Windows); the rename is still atomic.
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}

package dev.carrot.data.internal;

import dev.carrot.data.Hashing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Data files that ship inside carrot-data's jar (the embedded default dataset) and are read from a copy in
 * carrot's cache, because DuckDB reads files, not streams.
 *
 * <p>The copy lives at {@code CACHE/datasets/<sha256>/<file name>}. It is used when it hashes to the expected
 * SHA-256; otherwise the resource is copied again through a temporary file in the same folder, checked, and moved
 * into place in one rename, so concurrent processes and interrupted runs never see a partial file.
 */
public final class EmbeddedFiles {
    /** Where embedded data files live on the class path (the project's {@code datasets/} folder). */
    public static final String RESOURCE_ROOT = "/dev/carrot/data/embedded/";

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private EmbeddedFiles() {
    }

    /** Where the copy of {@code relativePath} with {@code sha256} lives under {@code cacheDir}. */
    public static Path copyPath(Path cacheDir, String relativePath, String sha256) {
        return cacheDir.resolve("datasets").resolve(sha256).resolve(Path.of(relativePath).getFileName().toString());
    }

    /**
     * The file {@code relativePath} (under {@link #RESOURCE_ROOT}) as a file in {@code cacheDir}, extracted on first
     * use and checked against {@code sha256}.
     *
     * @param origin names the descriptor in messages ({@code datasets/zeroeval.json})
     * @throws IOException when the resource is missing or does not hash to {@code sha256} (a damaged jar), or when
     *                     the cache folder cannot be written (the message says how to choose another)
     */
    public static Path materialize(String relativePath, String sha256, Path cacheDir, String origin)
            throws IOException {
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(cacheDir, "cacheDir");
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException(origin + ": an embedded source needs 'sha256' as 64 lower-case hex"
                    + " digits, got " + sha256);
        }
        Path target = copyPath(cacheDir, relativePath, sha256);
        if (Files.isRegularFile(target)) {
            if (sha256.equals(Hashing.sha256(target))) {
                return target;
            }
            // a damaged copy (disk trouble, someone edited it): replaced below
        }
        String resource = RESOURCE_ROOT + relativePath;
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create " + dir + " to extract the embedded dataset file " + relativePath
                    + " (" + e.getMessage() + "); set CARROT_CACHE_DIR (or --cache-dir) to a writable folder", e);
        }
        Path temp = dir.resolve(".tmp-" + target.getFileName() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            MessageDigest md = Hashing.sha256();
            try (InputStream in = EmbeddedFiles.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("the embedded dataset file " + resource + " named by " + origin
                            + " is not on the class path: carrot-data was built without datasets/" + relativePath
                            + "; rebuild carrot");
                }
                try (OutputStream out = Files.newOutputStream(temp)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
            }
            String actual = Hashing.hex(md.digest());
            if (!actual.equals(sha256)) {
                throw new IOException("the embedded dataset file " + resource + " hashes to " + actual + ", but "
                        + origin + " expects " + sha256 + ": the jar is damaged or was built from a changed file;"
                        + " rebuild carrot");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (FileSystemException e) {
            // the copy cannot be written (read-only or full cache, permissions)
            throw new IOException("cannot write the embedded dataset file " + relativePath + " into " + dir + " ("
                    + e.getMessage() + "); set CARROT_CACHE_DIR (or --cache-dir) to a writable folder", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}

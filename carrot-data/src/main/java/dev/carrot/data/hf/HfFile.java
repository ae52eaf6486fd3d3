package dev.carrot.data.hf;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of a downloaded snapshot.
 *
 * @param path      the repo-relative path with {@code '/'} separators, for example {@code data/train-0.parquet}
 * @param localPath where the file is: {@code snapshots/{commit}/{path}} in the cache (usually a symlink to the blob)
 * @param size      the size in bytes
 * @param sha256    the LFS SHA-256 (lower-case hex) for files stored with Git LFS; the download was checked against it
 * @param blobId    the git blob id (40 hex); known for every file listed by the Hub, but not for an LFS file found
 *                  in the cache while offline, where only the sha256 is recorded (both are empty for a file
 *                  found offline in a cache that stores copies instead of symlinks)
 */
public record HfFile(String path, Path localPath, long size, Optional<String> sha256, Optional<String> blobId) {

    public HfFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(localPath, "localPath");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(blobId, "blobId");
        RepoPaths.unsafeReason(path).ifPresent(reason -> {
            throw new IllegalArgumentException("file path '" + RepoPaths.printable(path) + "' is not a safe"
                    + " repo-relative path: " + reason);
        });
        if (size < 0) {
            throw new IllegalArgumentException("size of " + path + " must be >= 0, got " + size);
        }
        sha256.ifPresent(h -> {
            if (!RepoPaths.SHA256.matcher(h).matches()) {
                throw new IllegalArgumentException("sha256 of " + path + " must be 64 lower-case hex digits, got '"
                        + RepoPaths.printable(h) + "'");
            }
        });
        blobId.ifPresent(h -> {
            if (!RepoPaths.COMMIT.matcher(h).matches()) {
                throw new IllegalArgumentException("blob id of " + path + " must be 40 lower-case hex digits, got '"
                        + RepoPaths.printable(h) + "'");
            }
        });
    }

    /**
     * The name of this file's blob in the cache: the LFS sha256 if there is one, else the git blob id. Empty only
     * for a file found offline in a cache that stores copies instead of symlinks.
     */
    public Optional<String> etag() {
        return sha256.or(() -> blobId);
    }

    /** Whether the file is stored with Git LFS on the Hub. */
    public boolean isLfs() {
        return sha256.isPresent();
    }
}

package dev.carrot.data.hf;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The files of one repository at one commit, all present on local disk.
 *
 * @param repo        the repository
 * @param revision    the revision that was asked for: a branch, tag or commit
 * @param commit      the commit it resolved to (40 lower-case hex digits)
 * @param snapshotDir {@code {hubCache}/{repo folder}/snapshots/{commit}}
 * @param files       the files that matched the requested patterns, sorted by path
 */
public record HfSnapshot(HfRepo repo, String revision, String commit, Path snapshotDir, List<HfFile> files) {

    public HfSnapshot {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(snapshotDir, "snapshotDir");
        files = List.copyOf(files);
        if (!RepoPaths.COMMIT.matcher(commit).matches()) {
            throw new IllegalArgumentException("commit must be 40 lower-case hex digits, got '"
                    + RepoPaths.printable(commit) + "'");
        }
    }

    /** The file with this repo-relative path, if it is part of the snapshot. */
    public Optional<HfFile> file(String path) {
        for (HfFile f : files) {
            if (f.path().equals(path)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The local paths of all files, in the order of {@link #files()}. */
    public List<Path> localPaths() {
        return files.stream().map(HfFile::localPath).toList();
    }

    /** The total size of all files in bytes. */
    public long totalBytes() {
        long total = 0;
        for (HfFile f : files) {
            total += f.size();
        }
        return total;
    }
}

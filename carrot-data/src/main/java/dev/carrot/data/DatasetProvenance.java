package dev.carrot.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link RoutingDataset} came from and what happened on the way in.
 *
 * @param source      what was loaded: a file path, or {@code hf://datasets/org/name}
 * @param format      the reader that parsed it ({@code long}, {@code sprout-wide}, {@code builder})
 * @param revision    the revision asked for (HF branch, tag or commit), if any
 * @param commit      the resolved commit hash (HF), if any
 * @param files       every file read, with its SHA-256 and row count
 * @param rowsRead    rows read over all files
 * @param dropped     prompts dropped, by reason (reason -> count), in the order reasons were first seen
 * @param droppedExamples up to a few prompt ids per reason, to make a drop easy to look up
 * @param notes       decisions taken while loading (split policy, derived costs ...), in order
 * @param contentSha256 SHA-256 over the loaded content (ids, texts, models, splits, matrices); identical data gives
 *                    an identical hash whatever the file format it came from
 */
public record DatasetProvenance(
        String source,
        String format,
        Optional<String> revision,
        Optional<String> commit,
        List<SourceFile> files,
        long rowsRead,
        Map<String, Integer> dropped,
        Map<String, List<String>> droppedExamples,
        List<String> notes,
        String contentSha256) {

    public DatasetProvenance {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(contentSha256, "contentSha256");
        files = List.copyOf(files);
        if (rowsRead < 0) {
            throw new IllegalArgumentException("rowsRead must be >= 0, got " + rowsRead);
        }
        dropped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dropped));
        Map<String, List<String>> examples = new LinkedHashMap<>();
        droppedExamples.forEach((k, v) -> examples.put(k, List.copyOf(v)));
        droppedExamples = java.util.Collections.unmodifiableMap(examples);
        notes = List.copyOf(notes);
    }

    /** Total number of prompts dropped, over all reasons. */
    public int droppedTotal() {
        int total = 0;
        for (int n : dropped.values()) {
            total += n;
        }
        return total;
    }

    /**
     * One file that was read.
     *
     * @param path   the path as given (local) or the repo-relative path (HF)
     * @param sha256 SHA-256 of the file's bytes, lower-case hex
     * @param bytes  file size
     * @param rows   rows read from it
     */
    public record SourceFile(String path, String sha256, long bytes, long rows) {
        public SourceFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }
}

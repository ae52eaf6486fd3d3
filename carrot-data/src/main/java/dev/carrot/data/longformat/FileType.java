package dev.carrot.data.longformat;

import dev.carrot.data.DatasetFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The file types this reader understands, by extension (each optionally gzipped): the one list of data-file
 * extensions of carrot.
 */
public enum FileType {
    PARQUET("parquet", "pq"), CSV("csv", "tsv"), JSONL("jsonl", "ndjson", "json");

    private final List<String> extensions;

    FileType(String... extensions) {
        this.extensions = List.of(extensions);
    }

    /** The extensions of this type, without the dot. */
    public List<String> extensions() {
        return extensions;
    }

    /** The type of a file name by its extension, if it is a data file. */
    public static Optional<FileType> ofName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        for (FileType t : values()) {
            for (String ext : t.extensions) {
                if (name.endsWith("." + ext)) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }

    /** The type of a file by its extension, or an exception that lists the supported ones. */
    public static FileType of(Path file) throws DatasetFormatException {
        return ofName(file.getFileName().toString()).orElseThrow(() -> new DatasetFormatException(
                file.toString(), -1, null, "unsupported file type: expected " + describe()));
    }

    /** Whether a file name is a data file of some type. */
    public static boolean isDataFile(Path file) {
        return ofName(file.getFileName().toString()).isPresent();
    }

    /** The name without its data-file extension (and {@code .gz}), or the name itself. */
    public static String stripExtension(String fileName) {
        String name = fileName;
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        for (FileType t : values()) {
            for (String ext : t.extensions) {
                if (name.toLowerCase(Locale.ROOT).endsWith("." + ext)) {
                    return name.substring(0, name.length() - ext.length() - 1);
                }
            }
        }
        return fileName;
    }

    /**
     * Glob patterns of this type's files in a Hub repository ({@code *.parquet}, {@code **}{@code /*.parquet}).
     * Plain {@code .json} is left out: in a repository it is metadata far more often than data.
     */
    public List<String> hubGlobs() {
        List<String> g = new java.util.ArrayList<>();
        for (String ext : extensions) {
            if (ext.equals("json")) {
                continue;
            }
            g.add("*." + ext);
            g.add("**/*." + ext);
        }
        return g;
    }

    /** The supported extensions, for messages: {@code .parquet, .pq, .csv, ... (optionally .gz)}. */
    public static String describe() {
        List<String> all = new java.util.ArrayList<>();
        for (FileType t : values()) {
            t.extensions.forEach(e -> all.add("." + e));
        }
        return String.join(", ", all) + " (optionally .gz)";
    }
}

package dev.carrot.data.longformat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.DatasetFormatException;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the records of a JSON data file, one object at a time: one object per line ({@code .jsonl},
 * {@code .ndjson}, {@code .json}) or one array of objects ({@code .json}), optionally gzipped. Memory is bounded by
 * the largest record, never by the file.
 *
 * <p>Values reach the caller as JSON has them, for carrot's own validation: a string as {@link String}, an integer as
 * {@link Long} or {@link java.math.BigInteger}, any other number as {@link Double}, {@code null} (or a missing key) as
 * {@code null}, and a boolean, object or array as an {@link Other}. Records are numbered from 1 in file order; the
 * line a record starts on is kept for messages.
 */
final class JsonRecords implements Closeable {
    /** Strict about duplicate keys; lenient about NaN (so that a NaN score gets carrot's own message). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // a prompt may be long; a record is held whole anyway, so no limit below the JVM's own
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    /** A JSON value that is not a string, number or null: its kind ({@code boolean}, {@code object}, ...) and text. */
    record Other(String kind, String json) {
    }

    /** The keys found in a file's records (in order of first appearance) and how many records it has. */
    record Shape(Set<String> keys, long records) {
    }

    private final String name;
    private final JsonParser parser;
    private final Map<String, Integer> fieldIndex = new HashMap<>();
    private final Object[] values;
    private final Set<String> keys = new LinkedHashSet<>();
    private final boolean collectKeys;
    private final boolean arrayAllowed;
    private final boolean gzip;
    private boolean started;
    private boolean inArray;
    private long record;
    private long line;
    private boolean inRecord;

    /**
     * @param file        the file
     * @param name        the file's name in messages
     * @param fields      the keys whose values {@link #value(int)} gives, by index
     * @param collectKeys whether to gather every key seen (for {@link #shape})
     */
    private JsonRecords(Path file, String name, List<String> fields, boolean collectKeys) throws IOException {
        this.name = name;
        for (int i = 0; i < fields.size(); i++) {
            fieldIndex.put(fields.get(i), i);
        }
        this.values = new Object[fields.size()];
        this.collectKeys = collectKeys;
        String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
        this.gzip = fileName.endsWith(".gz");
        // records may come as one array of objects only in a plain .json file, as DuckDB's read_json had it
        this.arrayAllowed = fileName.replaceFirst("\\.gz$", "").endsWith(".json");
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            if (gzip) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            this.parser = FACTORY.createParser(in);
        } catch (ZipException e) {
            closeQuietly(in, e);
            throw corrupt(e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(in, e);
            throw e;
        }
    }

    private static void closeQuietly(InputStream in, Exception failure) {
        try {
            in.close();
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** Opens a file to read the values of {@code fields} from each record. */
    static JsonRecords open(Path file, String name, List<String> fields) throws IOException {
        return new JsonRecords(file, name, fields, false);
    }

    /** Reads a whole file once for its keys and record count, checking that it is well-formed. */
    static Shape shape(Path file, String name) throws IOException {
        try (JsonRecords r = new JsonRecords(file, name, List.of(), true)) {
            long n = 0;
            while (r.next()) {
                n++;
            }
            return new Shape(r.keys, n);
        }
    }

    /** Moves to the next record; false at the end of the file. */
    boolean next() throws IOException {
        try {
            JsonToken t = parser.nextToken();
            if (!started) {
                started = true;
                if (t == JsonToken.START_ARRAY) {
                    if (!arrayAllowed) {
                        throw new DatasetFormatException(name, -1, null, "expected one JSON object per line, got an"
                                + " array (a file of one array of objects must be named .json)");
                    }
                    inArray = true;
                    t = parser.nextToken();
                }
            }
            if (inArray && t == JsonToken.END_ARRAY) {
                JsonToken after = parser.nextToken();
                if (after != null) {
                    throw new DatasetFormatException(name, -1, null, "unexpected " + kind(after) + " after the"
                            + " array at line " + parser.currentTokenLocation().getLineNr() + ": expected the end of"
                            + " the file");
                }
                t = null;
                inArray = false;
            }
            if (t == null) {
                if (inArray) {
                    throw new DatasetFormatException(name, -1, null, "the array of records is not closed: the file"
                            + " ends after " + record + " records (is it truncated?)");
                }
                return false;
            }
            record++;
            line = parser.currentTokenLocation().getLineNr();
            if (t != JsonToken.START_OBJECT) {
                throw new DatasetFormatException(name, record, null, "expected a JSON object (one per row), got "
                        + article(kind(t)) + at());
            }
            inRecord = true;
            Arrays.fill(values, null);
            while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                if (collectKeys) {
                    keys.add(key);
                }
                t = parser.nextToken();
                Integer i = fieldIndex.get(key);
                if (i == null) {
                    parser.skipChildren();
                } else {
                    values[i] = value(t);
                }
            }
            inRecord = false;
            return true;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            // the location is in our message; Jackson's own form of it names a Jackson setting instead of the file
            e.clearLocation();
            String what = e.getOriginalMessage().replaceAll("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)]",
                    "line $1, column $2");
            String detail = what.startsWith("Invalid UTF-8")
                    ? "the file is not valid UTF-8" + at + " (" + what + "); " + Utf8Check.howToFix(name)
                    : "not valid JSON" + at + ": " + what;
            throw new DatasetFormatException(name, inRecord ? record : -1, null, detail, e);
        } catch (ZipException e) {
            throw corrupt(e);
        } catch (EOFException e) {
            if (gzip) {
                throw corrupt(e);
            }
            throw e;
        }
    }

    private Object value(JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_NULL -> null;
            case VALUE_TRUE, VALUE_FALSE -> new Other("boolean", parser.getText());
            case START_OBJECT, START_ARRAY -> new Other(kind(t), MAPPER.readTree(parser).toString());
            default -> new Other(kind(t), parser.getText());
        };
    }

    private DatasetFormatException corrupt(IOException e) {
        return new DatasetFormatException(name, -1, null, "cannot read as gzip (truncated or corrupt file): "
                + e.getMessage(), e);
    }

    private String at() {
        return " at line " + line;
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case START_OBJECT, END_OBJECT -> "object";
            case START_ARRAY, END_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String article(String kind) {
        return (kind.startsWith("a") || kind.startsWith("o") ? "an " : "a ") + kind;
    }

    /** The current record's number, from 1. */
    long record() {
        return record;
    }

    /** The line the current record starts on, from 1. */
    long line() {
        return line;
    }

    /** The current record's value of field {@code i}, or {@code null} when it is null or absent. */
    Object value(int i) {
        return values[i];
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}

package dev.carrot.data.longformat;

import dev.carrot.data.DatasetFormatException;
import dev.carrot.data.DatasetProvenance;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.SplitPolicy;
import dev.carrot.data.internal.DuckDb;
import dev.carrot.data.Hashing;
import dev.carrot.data.internal.SplitNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads routing data in carrot's long format: one row per (prompt, model), from Parquet, CSV or JSON Lines files.
 *
 * <p>Required columns: {@code prompt_id, prompt, model, score}. Optional: {@code split, task, input_tokens,
 * output_tokens, cost_usd}. Other columns are ignored. The format, and what happens to missing values, is documented
 * in {@code datasets/README.md}; in short:
 * <ul>
 *   <li>a null {@code score}, or a prompt that has no row for some model, drops the prompt (counted in provenance as
 *       {@code missing_score} / {@code missing_model});</li>
 *   <li>an optional column that is null in every row is treated as absent; one that is null in some rows drops those
 *       prompts ({@code missing_input_tokens}, {@code missing_output_tokens}, {@code missing_cost});</li>
 *   <li>everything else that is wrong is an error naming the file, row and column: a missing required column, a
 *       value of the wrong type, a score outside [0, 1] or NaN, a negative token count or cost, a duplicate
 *       (prompt_id, model), a prompt whose text, split or task differs between its rows, an empty, truncated or
 *       corrupt file.</li>
 * </ul>
 * Parquet and CSV are read with DuckDB, CSV with every column as text; JSON is streamed by carrot itself
 * ({@code JsonRecords}). Either way each CSV or JSON value is checked here, with its row, never by a column type
 * guessed from a sample.
 *
 * <p>Without a {@code split} column, a file named like an HF split ({@code train*}, {@code validation*}/{@code val*}/
 * {@code dev*}, {@code test*}) gives its split to its rows; otherwise the {@link SplitPolicy} assigns one.
 */
public final class LongFormatReader {
    private static final Logger LOG = LoggerFactory.getLogger(LongFormatReader.class);

    public static final List<String> REQUIRED_COLUMNS = List.of("prompt_id", "prompt", "model", "score");
    public static final List<String> OPTIONAL_COLUMNS = List.of("split", "task", "input_tokens", "output_tokens",
            "cost_usd");

    /** Drop reasons, as they appear in provenance. */
    public static final String MISSING_SCORE = "missing_score";
    public static final String MISSING_MODEL = "missing_model";
    public static final String MISSING_INPUT_TOKENS = "missing_input_tokens";
    public static final String MISSING_OUTPUT_TOKENS = "missing_output_tokens";
    public static final String MISSING_COST = "missing_cost";

    private static final int EXAMPLES_PER_REASON = 5;
    /** The longest CSV line (one row) read: 1 GiB. */
    static final long MAX_LINE_BYTES = 1L << 30;
    /** Where {@code prompt} is in a row's values: they come in {@link #REQUIRED_COLUMNS}' order, then optional. */
    private static final int PROMPT = 1;

    private final SplitPolicy splitPolicy;

    public LongFormatReader() {
        this(new SplitPolicy());
    }

    public LongFormatReader(SplitPolicy splitPolicy) {
        this.splitPolicy = Objects.requireNonNull(splitPolicy, "splitPolicy");
    }

    /** Reads one file. */
    public RoutingDataset read(Path file) throws IOException {
        return read(List.of(file), file.toString(), Optional.empty(), Optional.empty(), null);
    }

    /**
     * Reads several files as one dataset (for example one file per split).
     *
     * @param files       the files, each named in errors as {@code displayNames} gives (or by path)
     * @param source      the dataset's source for provenance
     * @param revision    revision for provenance (HF), if any
     * @param commit      commit for provenance (HF), if any
     * @param displayNames per-file names to use in messages and provenance (for example repo-relative HF paths), or
     *                    {@code null} to use the paths
     */
    public RoutingDataset read(List<Path> files, String source, Optional<String> revision, Optional<String> commit,
                               List<String> displayNames) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files to read for " + source);
        }
        Accumulator acc = new Accumulator();
        List<DatasetProvenance.SourceFile> sources = new ArrayList<>();
        try (Connection c = DuckDb.open()) {
            for (int f = 0; f < files.size(); f++) {
                Path file = files.get(f);
                String name = displayNames == null ? file.toString() : displayNames.get(f);
                // an HF path (data/train/0000.parquet) names its split in folders; a local file by its own name
                String splitSource = displayNames == null ? file.getFileName().toString() : name;
                long rows = readFile(c, file, name, splitSource, acc);
                sources.add(new DatasetProvenance.SourceFile(name, Hashing.sha256(file), Files.size(file), rows));
            }
        } catch (SQLException e) {
            throw new IOException("DuckDB failed while reading " + source + ": " + DuckDb.message(e), e);
        }
        RoutingDataset raw = acc.build(source, revision, commit, sources);
        RoutingDataset out = splitPolicy.apply(raw);
        LOG.info("read {}: {} rows, {} prompts x {} models, splits {}, dropped {}", source, raw.provenance().rowsRead(),
                out.size(), out.modelCount(), out.splitCounts(), out.provenance().dropped());
        return out;
    }

    private long readFile(Connection c, Path file, String name, String splitSource, Accumulator acc)
            throws IOException, SQLException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException(name, -1, null, "no such file (looked at " + file.toAbsolutePath() + ")");
        }
        if (Files.size(file) == 0) {
            throw new DatasetFormatException(name, -1, null, "the file is empty (0 bytes): expected a header and rows"
                    + " with columns " + REQUIRED_COLUMNS);
        }
        FileType type = FileType.of(file);
        if (type == FileType.JSONL) {
            return readJson(file, name, splitSource, acc);
        }
        String plain = file.getFileName().toString().toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        // Every CSV column as text: we parse and validate values ourselves, with row numbers.
        String from = type == FileType.PARQUET ? "read_parquet(" + DuckDb.literal(file) + ")"
                // a prompt may be tens of megabytes: DuckDB's default refuses lines over 2 MB
                : "read_csv(" + DuckDb.literal(file) + ", header = true, all_varchar = true, max_line_size = "
                + MAX_LINE_BYTES + (plain.endsWith(".tsv") ? ", delim = '\\t'" : "") + ")";
        Map<String, String> schema;
        try {
            schema = DuckDb.describe(c, from);
        } catch (SQLException e) {
            if (type == FileType.CSV && isEncodingError(e)) {
                throw notUtf8(file, name, e);
            }
            throw new DatasetFormatException(name, -1, null, "cannot read as " + type + " (is it truncated or"
                    + " corrupt, or not a " + type + " file?): " + DuckDb.message(e), e);
        }
        checkRequired(name, schema.keySet());
        if (type == FileType.PARQUET) {
            checkType(name, schema, "score", false);
            checkType(name, schema, "input_tokens", true);
            checkType(name, schema, "output_tokens", true);
            checkType(name, schema, "cost_usd", false);
        }
        Layout layout = Layout.of(schema.keySet());
        String select = "SELECT " + String.join(", ", layout.cols().stream().map(DuckDb::identifier).toList())
                + " FROM " + from;
        String fileSplit = layout.split() >= 0 ? null : SplitNames.fromFileName(splitSource);
        long row = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select)) {
            acc.startFile(name, layout.in() >= 0, layout.out() >= 0, layout.cost() >= 0);
            Object[] values = new Object[layout.cols().size()];
            while (rs.next()) {
                row++;
                for (int i = 0; i < values.length; i++) {
                    values[i] = rs.getObject(i + 1);
                }
                acc.add(cell(name, row, layout, values, fileSplit));
            }
        } catch (SQLException e) {
            if (type == FileType.CSV && isEncodingError(e)) {
                throw notUtf8(file, name, e);
            }
            throw new DatasetFormatException(name, row + 1, null, "cannot read " + type + " data (truncated or"
                    + " corrupt file, or a value DuckDB cannot parse): " + DuckDb.message(e), e);
        }
        if (row == 0) {
            throw new DatasetFormatException(name, -1, null, "the file has a header but no rows");
        }
        return row;
    }

    private static final Pattern DUCKDB_CSV_LINE = Pattern.compile("CSV Error on Line: (\\d+)");

    private static boolean isEncodingError(SQLException e) {
        return DuckDb.message(e).contains("Invalid unicode");
    }

    /**
     * A CSV file that is not UTF-8, named by its first bad row as carrot finds it (DuckDB reads ahead, so its row
     * is not ours) and with the fix. DuckDB's message is kept as a suppressed exception rather than the cause: it
     * suggests reader options ({@code encoding}, {@code ignore_errors}) that a user of carrot cannot set.
     */
    private static DatasetFormatException notUtf8(Path file, String name, SQLException e) throws IOException {
        Optional<Utf8Check.Position> at = Utf8Check.firstInvalid(file);
        DatasetFormatException out;
        if (at.isPresent()) {
            Utf8Check.Position p = at.get();
            out = new DatasetFormatException(name, p.row() > 0 ? p.row() : -1, null, "the file is not valid UTF-8:"
                    + (p.row() > 0 ? "" : " the header,") + " line " + p.line() + ", byte offset " + p.offset()
                    + ", holds a byte sequence that is not UTF-8; " + Utf8Check.howToFix(name));
        } else {
            Matcher m = DUCKDB_CSV_LINE.matcher(DuckDb.message(e));
            out = new DatasetFormatException(name, -1, null, "the file is not valid UTF-8" + (m.find() ? " (at line "
                    + m.group(1) + ")" : "") + "; " + Utf8Check.howToFix(name));
        }
        out.addSuppressed(e);
        return out;
    }

    /**
     * JSON is read by carrot itself, record by record, so that every value reaches the checks below with its row
     * (the record's number) and as JSON has it; a type inferred from a sample would decide for the rest of the file.
     * One pass finds the keys (the file's columns), a second reads the values.
     */
    private static long readJson(Path file, String name, String splitSource, Accumulator acc) throws IOException {
        JsonRecords.Shape shape = JsonRecords.shape(file, name);
        if (shape.records() == 0) {
            throw new DatasetFormatException(name, -1, null, "the file holds no JSON records: expected one object per"
                    + " (prompt, model) row with keys " + REQUIRED_COLUMNS);
        }
        checkRequired(name, shape.keys());
        Layout layout = Layout.of(shape.keys());
        String fileSplit = layout.split() >= 0 ? null : SplitNames.fromFileName(splitSource);
        acc.startFile(name, layout.in() >= 0, layout.out() >= 0, layout.cost() >= 0);
        Object[] values = new Object[layout.cols().size()];
        long rows = 0;
        try (JsonRecords records = JsonRecords.open(file, name, layout.cols())) {
            while (records.next()) {
                rows++;
                for (int i = 0; i < values.length; i++) {
                    values[i] = records.value(i);
                }
                if (values[PROMPT] instanceof Number n) { // a prompt is text: a number there is named as JSON has it
                    values[PROMPT] = new JsonRecords.Other("number", String.valueOf(n));
                }
                try {
                    acc.add(cell(name, records.record(), layout, values, fileSplit));
                } catch (DatasetFormatException e) {
                    if (records.line() == records.record() || e.row().isEmpty()) {
                        throw e;
                    }
                    throw new DatasetFormatException(e.file(), e.row().getAsLong(), e.column().orElse(null),
                            e.detail() + " (the record at line " + records.line() + ")", e.getCause());
                }
            }
        }
        return rows;
    }

    private static void checkRequired(String name, Collection<String> found) throws DatasetFormatException {
        List<String> missing = new ArrayList<>();
        for (String col : REQUIRED_COLUMNS) {
            if (!found.contains(col)) {
                missing.add(col);
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetFormatException(name, -1, missing.get(0), "missing required column" + (missing.size() > 1
                    ? "s " : " ") + missing + "; the long format needs " + REQUIRED_COLUMNS + " (optional: "
                    + OPTIONAL_COLUMNS + "), found " + found);
        }
    }

    /** The columns read from a file, required first, and where each optional one is (-1 when absent). */
    private record Layout(List<String> cols, int split, int task, int in, int out, int cost) {
        static Layout of(Collection<String> found) {
            List<String> cols = new ArrayList<>(REQUIRED_COLUMNS);
            for (String col : OPTIONAL_COLUMNS) {
                if (found.contains(col)) {
                    cols.add(col);
                }
            }
            return new Layout(List.copyOf(cols), cols.indexOf("split"), cols.indexOf("task"),
                    cols.indexOf("input_tokens"), cols.indexOf("output_tokens"), cols.indexOf("cost_usd"));
        }
    }

    /** One row's values (in {@code layout}'s order), checked. */
    private static Cell cell(String name, long row, Layout layout, Object[] v, String fileSplit)
            throws DatasetFormatException {
        Cell cell = new Cell();
        cell.row = row;
        cell.promptId = text(name, row, "prompt_id", v[0], true);
        cell.prompt = text(name, row, "prompt", v[1], true);
        cell.model = text(name, row, "model", v[2], true);
        cell.score = score(name, row, v[3]);
        cell.split = layout.split() >= 0 ? text(name, row, "split", v[layout.split()], false) : fileSplit;
        if (cell.split != null) {
            cell.split = cell.split.strip();
            if (cell.split.isEmpty()) {
                cell.split = null;
            }
        }
        cell.task = layout.task() >= 0 ? text(name, row, "task", v[layout.task()], false) : null;
        cell.inputTokens = layout.in() >= 0 ? tokens(name, row, "input_tokens", v[layout.in()]) : NULL_INT;
        cell.outputTokens = layout.out() >= 0 ? tokens(name, row, "output_tokens", v[layout.out()]) : NULL_INT;
        cell.cost = layout.cost() >= 0 ? cost(name, row, v[layout.cost()]) : Double.NaN;
        return cell;
    }

    /**
     * Parquet columns carry real types: a score stored as text is a schema error. (CSV and JSON values are checked
     * value by value, and named by row.)
     */
    private static void checkType(String file, Map<String, String> schema, String col, boolean integer)
            throws DatasetFormatException {
        String t = schema.get(col);
        if (t == null || t.equals("NULL")) {
            return;
        }
        boolean ok = integer ? DuckDb.isInteger(t) || t.equals("DOUBLE") || t.equals("FLOAT") || t.startsWith("DECIMAL")
                : DuckDb.isNumeric(t);
        if (!ok) {
            throw new DatasetFormatException(file, -1, col, "has type " + t + ", expected "
                    + (integer ? "an integer type (a token count)" : "a numeric type"));
        }
    }

    static final long NULL_INT = Long.MIN_VALUE;

    private static String text(String file, long row, String col, Object v, boolean required)
            throws DatasetFormatException {
        if (v == null) {
            if (required) {
                throw new DatasetFormatException(file, row, col, "is null; expected a non-empty value");
            }
            return null;
        }
        if (v instanceof String s) {
            if (required && s.isEmpty() && !col.equals("prompt")) {
                throw new DatasetFormatException(file, row, col, "is empty; expected a non-empty value");
            }
            return s;
        }
        if (v instanceof Number n && !col.equals("prompt")) {
            return n instanceof Double || n instanceof Float ? String.valueOf(n) : new BigDecimal(n.toString())
                    .toPlainString();
        }
        throw new DatasetFormatException(file, row, col, "expected a string, got " + describe(v));
    }

    private static double score(String file, long row, Object v) throws DatasetFormatException {
        if (v == null) {
            return Double.NaN; // missing: the prompt is dropped and counted
        }
        double d = number(file, row, "score", v);
        if (Double.isNaN(d)) {
            throw new DatasetFormatException(file, row, "score", "is NaN; expected a number in [0, 1] (leave the cell"
                    + " empty/null for a missing score, which drops the prompt)");
        }
        if (d < 0 || d > 1) {
            throw new DatasetFormatException(file, row, "score", "is " + d + "; expected a number in [0, 1]");
        }
        return d;
    }

    private static double cost(String file, long row, Object v) throws DatasetFormatException {
        if (v == null) {
            return Double.NaN;
        }
        double d = number(file, row, "cost_usd", v);
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new DatasetFormatException(file, row, "cost_usd", "is " + d + "; expected a finite number >= 0 (USD"
                    + " per query)");
        }
        return d;
    }

    private static long tokens(String file, long row, String col, Object v) throws DatasetFormatException {
        if (v == null) {
            return NULL_INT;
        }
        long t;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            t = ((Number) v).longValue();
        } else if (v instanceof BigInteger b) {
            if (b.bitLength() > 62) {
                throw new DatasetFormatException(file, row, col, "is " + b + "; expected a token count below 2^31");
            }
            t = b.longValue();
        } else {
            double d = number(file, row, col, v);
            if (Double.isNaN(d) || d != Math.rint(d)) {
                throw new DatasetFormatException(file, row, col, "is " + d + "; expected a whole number of tokens");
            }
            t = (long) d;
        }
        if (t < 0) {
            throw new DatasetFormatException(file, row, col, "is " + t + "; expected a token count >= 0");
        }
        if (t > Integer.MAX_VALUE) {
            throw new DatasetFormatException(file, row, col, "is " + t + "; expected a token count below 2^31");
        }
        return t;
    }

    private static double number(String file, long row, String col, Object v) throws DatasetFormatException {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            String t = s.strip();
            try {
                if (t.equalsIgnoreCase("nan")) {
                    return Double.NaN;
                }
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new DatasetFormatException(file, row, col, "is \"" + abbreviate(s) + "\"; expected a number");
            }
        }
        throw new DatasetFormatException(file, row, col, "expected a number, got " + describe(v));
    }

    private static String describe(Object v) {
        if (v instanceof JsonRecords.Other o) {
            return "a JSON " + o.kind() + " " + abbreviate(o.json());
        }
        return v.getClass().getSimpleName() + " " + abbreviate(String.valueOf(v));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** One (prompt, model) row. */
    private static final class Cell {
        long row;
        String promptId;
        String prompt;
        String model;
        double score;
        String split;
        String task;
        long inputTokens;
        long outputTokens;
        double cost;
    }

    /** Collects rows from all files and turns them into matrices, dropping incomplete prompts. */
    private static final class Accumulator {
        private final Map<String, Integer> promptIndex = new HashMap<>();
        private final List<String> ids = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();
        private final List<String> splits = new ArrayList<>();
        private final List<String> tasks = new ArrayList<>();
        private final List<String> firstSeen = new ArrayList<>(); // "file row N" of the prompt's first row
        private final Map<String, Integer> modelIndex = new LinkedHashMap<>();
        // cells, in parallel growable arrays
        private int cells;
        private int[] cellPrompt = new int[1024];
        private int[] cellModel = new int[1024];
        private double[] cellScore = new double[1024];
        private long[] cellIn = new long[1024];
        private long[] cellOut = new long[1024];
        private double[] cellCost = new double[1024];
        private long[] cellRow = new long[1024];
        private int[] cellFile = new int[1024];
        private final List<String> fileNames = new ArrayList<>();
        private long rowsRead;
        // an optional column counts as present if any file has it with at least one non-null value
        private boolean anyIn;
        private boolean anyOut;
        private boolean anyCost;
        private boolean fileHasIn;
        private boolean fileHasOut;
        private boolean fileHasCost;
        private final List<String> filesWithoutIn = new ArrayList<>();
        private final List<String> filesWithoutOut = new ArrayList<>();
        private final List<String> filesWithoutCost = new ArrayList<>();

        void startFile(String name, boolean hasIn, boolean hasOut, boolean hasCost) {
            fileNames.add(name);
            fileHasIn = hasIn;
            fileHasOut = hasOut;
            fileHasCost = hasCost;
            if (!hasIn) {
                filesWithoutIn.add(name);
            }
            if (!hasOut) {
                filesWithoutOut.add(name);
            }
            if (!hasCost) {
                filesWithoutCost.add(name);
            }
        }

        void add(Cell c) throws DatasetFormatException {
            rowsRead++;
            String file = fileNames.get(fileNames.size() - 1);
            Integer p = promptIndex.get(c.promptId);
            if (p == null) {
                p = ids.size();
                promptIndex.put(c.promptId, p);
                ids.add(c.promptId);
                texts.add(c.prompt);
                splits.add(c.split);
                tasks.add(c.task);
                firstSeen.add(file + " row " + c.row);
            } else {
                checkSame(file, c, "prompt", texts.get(p), c.prompt, p);
                checkSame(file, c, "split", splits.get(p), c.split, p);
                checkSame(file, c, "task", tasks.get(p), c.task, p);
            }
            Integer m = modelIndex.get(c.model);
            if (m == null) {
                m = modelIndex.size();
                modelIndex.put(c.model, m);
            }
            if (cells == cellPrompt.length) {
                int cap = cells * 2;
                cellPrompt = Arrays.copyOf(cellPrompt, cap);
                cellModel = Arrays.copyOf(cellModel, cap);
                cellScore = Arrays.copyOf(cellScore, cap);
                cellIn = Arrays.copyOf(cellIn, cap);
                cellOut = Arrays.copyOf(cellOut, cap);
                cellCost = Arrays.copyOf(cellCost, cap);
                cellRow = Arrays.copyOf(cellRow, cap);
                cellFile = Arrays.copyOf(cellFile, cap);
            }
            cellPrompt[cells] = p;
            cellModel[cells] = m;
            cellScore[cells] = c.score;
            cellIn[cells] = c.inputTokens;
            cellOut[cells] = c.outputTokens;
            cellCost[cells] = c.cost;
            cellRow[cells] = c.row;
            cellFile[cells] = fileNames.size() - 1;
            cells++;
            anyIn |= fileHasIn && c.inputTokens != NULL_INT;
            anyOut |= fileHasOut && c.outputTokens != NULL_INT;
            anyCost |= fileHasCost && !Double.isNaN(c.cost);
        }

        private void checkSame(String file, Cell c, String col, String before, String now, int p)
                throws DatasetFormatException {
            if (!Objects.equals(before, now)) {
                throw new DatasetFormatException(file, c.row, col, "prompt_id '" + c.promptId + "' has " + col + " "
                        + quote(now) + " here but " + quote(before) + " in its first row (" + firstSeen.get(p)
                        + "); every row of a prompt must agree on prompt, split and task");
            }
        }

        private static String quote(String s) {
            return s == null ? "null" : "\"" + abbreviate(s) + "\"";
        }

        RoutingDataset build(String source, Optional<String> revision, Optional<String> commit,
                             List<DatasetProvenance.SourceFile> files) throws DatasetFormatException {
            int n = ids.size();
            int m = modelIndex.size();
            List<String> models = List.copyOf(modelIndex.keySet());
            List<String> notes = new ArrayList<>();
            if (anyIn && !filesWithoutIn.isEmpty() || anyOut && !filesWithoutOut.isEmpty()
                    || anyCost && !filesWithoutCost.isEmpty()) {
                throw new DatasetFormatException(anyCost && !filesWithoutCost.isEmpty() ? filesWithoutCost.get(0)
                        : anyIn && !filesWithoutIn.isEmpty() ? filesWithoutIn.get(0) : filesWithoutOut.get(0), -1,
                        null, "the files of " + source + " do not agree on their optional columns: every file must"
                        + " have input_tokens / output_tokens / cost_usd if one of them has values there");
            }
            for (String[] col : new String[][]{{"input_tokens", String.valueOf(anyIn), String.valueOf(
                    filesWithoutIn.size() < fileNames.size())}, {"output_tokens", String.valueOf(anyOut),
                    String.valueOf(filesWithoutOut.size() < fileNames.size())}, {"cost_usd", String.valueOf(anyCost),
                    String.valueOf(filesWithoutCost.size() < fileNames.size())}}) {
                if (col[1].equals("false") && col[2].equals("true")) {
                    notes.add("column " + col[0] + " is null in every row: treated as absent");
                }
            }
            double[] q = new double[n * m];
            Arrays.fill(q, Double.NaN);
            long[] in = anyIn ? filled(n * m) : null;
            long[] out = anyOut ? filled(n * m) : null;
            double[] cost = anyCost ? new double[n * m] : null;
            if (cost != null) {
                Arrays.fill(cost, Double.NaN);
            }
            int[] where = new int[n * m];
            Arrays.fill(where, -1);
            for (int k = 0; k < cells; k++) {
                int idx = cellPrompt[k] * m + cellModel[k];
                if (where[idx] >= 0) {
                    int first = where[idx];
                    throw new DatasetFormatException(fileNames.get(cellFile[k]), cellRow[k], "model", "duplicate"
                            + " (prompt_id, model) = ('" + ids.get(cellPrompt[k]) + "', '" + models.get(cellModel[k])
                            + "'): already given in " + fileNames.get(cellFile[first]) + " row " + cellRow[first]
                            + "; expected one row per prompt and model");
                }
                where[idx] = k;
                q[idx] = cellScore[k];
                if (in != null) {
                    in[idx] = cellIn[k];
                }
                if (out != null) {
                    out[idx] = cellOut[k];
                }
                if (cost != null) {
                    cost[idx] = cellCost[k];
                }
            }
            Map<String, Integer> dropped = new LinkedHashMap<>();
            Map<String, List<String>> examples = new LinkedHashMap<>();
            RoutingDataset.Builder b = RoutingDataset.builder(models);
            boolean anyTask = tasks.stream().anyMatch(Objects::nonNull);
            for (int i = 0; i < n; i++) {
                String reason = null;
                for (int j = 0; j < m && reason == null; j++) {
                    int idx = i * m + j;
                    if (where[idx] < 0) {
                        reason = MISSING_MODEL;
                    } else if (Double.isNaN(q[idx])) {
                        reason = MISSING_SCORE;
                    }
                }
                for (int j = 0; j < m && reason == null; j++) {
                    int idx = i * m + j;
                    if (in != null && in[idx] == NULL_INT) {
                        reason = MISSING_INPUT_TOKENS;
                    } else if (out != null && out[idx] == NULL_INT) {
                        reason = MISSING_OUTPUT_TOKENS;
                    } else if (cost != null && Double.isNaN(cost[idx])) {
                        reason = MISSING_COST;
                    }
                }
                if (reason != null) {
                    dropped.merge(reason, 1, Integer::sum);
                    List<String> ex = examples.computeIfAbsent(reason, r -> new ArrayList<>());
                    if (ex.size() < EXAMPLES_PER_REASON) {
                        ex.add(ids.get(i));
                    }
                    continue;
                }
                String split = splits.get(i) == null ? SplitPolicy.UNASSIGNED : splits.get(i);
                b.add(ids.get(i), texts.get(i), split, anyTask ? tasks.get(i) : null,
                        Arrays.copyOfRange(q, i * m, (i + 1) * m),
                        in == null ? null : toInt(in, i * m, m), out == null ? null : toInt(out, i * m, m),
                        cost == null ? null : Arrays.copyOfRange(cost, i * m, (i + 1) * m));
            }
            String sparse = dropped.containsKey(MISSING_MODEL) ? sparseModels(n, m, models, where) : null;
            if (b.size() == 0) {
                throw new DatasetFormatException(files.get(0).path(), -1, null, "no prompt has a score for every model"
                        + " (" + n + " prompts read, dropped " + dropped + "): nothing to route on"
                        + (sparse == null ? "" : "; " + sparse));
            }
            if (sparse != null) {
                notes.add(sparse);
                LOG.warn("{}: {} of {} prompts dropped because some model has no row for them ({}); {}", source,
                        count(dropped.get(MISSING_MODEL)), count(n), MISSING_MODEL, sparse);
            }
            return b.build(source, "long", revision, commit, files, rowsRead, dropped, examples, notes);
        }

        /**
         * The models that have rows for only a few prompts (at most half as many as the best-covered model), which
         * drop every other prompt as {@code missing_model}: most often a misspelt model name. {@code null} if none.
         */
        private static String sparseModels(int n, int m, List<String> models, int[] where) {
            int[] covered = new int[m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    if (where[i * m + j] >= 0) {
                        covered[j]++;
                    }
                }
            }
            int top = 0;
            for (int c : covered) {
                top = Math.max(top, c);
            }
            List<Integer> few = new ArrayList<>();
            int othersLeast = Integer.MAX_VALUE;
            for (int j = 0; j < m; j++) {
                if (covered[j] * 2 <= top) {
                    few.add(j);
                } else {
                    othersLeast = Math.min(othersLeast, covered[j]);
                }
            }
            if (few.isEmpty()) {
                return null;
            }
            few.sort((a, c) -> Integer.compare(covered[a], covered[c]));
            String others = othersLeast == n ? (few.size() == 1 ? "every other model has all" : "every other model"
                    + " has all " + count(n)) : "the other models have rows for " + count(othersLeast)
                    + (othersLeast == top ? "" : " to " + count(top));
            if (few.size() == 1) {
                int j = few.get(0);
                return "model '" + models.get(j) + "' has rows for " + count(covered[j]) + " of " + count(n)
                        + " prompts while " + others + ": a misspelt model name?";
            }
            StringBuilder sb = new StringBuilder("models ");
            int shown = Math.min(few.size(), EXAMPLES_PER_REASON);
            for (int k = 0; k < shown; k++) {
                int j = few.get(k);
                sb.append(k == 0 ? "" : ", ").append('\'').append(models.get(j)).append("' (").append(count(covered[j]))
                        .append(')');
            }
            if (few.size() > shown) {
                sb.append(" and ").append(few.size() - shown).append(" more");
            }
            return sb.append(" have rows for only a few of ").append(count(n)).append(" prompts while ").append(others)
                    .append(": misspelt model names?").toString();
        }

        private static String count(long n) {
            return String.format(Locale.ROOT, "%,d", n);
        }

        private static long[] filled(int size) {
            long[] a = new long[size];
            Arrays.fill(a, NULL_INT);
            return a;
        }

        private static int[] toInt(long[] a, int from, int len) {
            int[] out = new int[len];
            for (int j = 0; j < len; j++) {
                out[j] = (int) a[from + j];
            }
            return out;
        }
    }
}

package dev.carrot.data.wide;

import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.DatasetFormatException;
import dev.carrot.data.DatasetProvenance;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.SplitPolicy;
import dev.carrot.data.internal.DuckDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.carrot.data.Hashing;

/**
 * Reads SPROUT's wide layout: one row per prompt with metadata columns ({@code key, dataset, dataset_level,
 * dataset_idx, prompt, golden_answer}) followed by one struct column per model holding {@code score,
 * num_input_tokens, num_output_tokens, response, ...}.
 *
 * <p>Only the columns a router needs are read (prompt id, prompt, task, and each model's score and token counts);
 * DuckDB skips the response text, which is most of the bytes. A prompt with a null score or token count for any
 * model is dropped and counted ({@code missing_score}, {@code missing_tokens}); a score outside [0, 1], a negative
 * token count, a duplicate key, a missing model column or metadata column is an error naming file, row and column.
 * Costs are derived from the token counts and the descriptor's prices.
 */
public final class WideFormatReader {
    private static final Logger LOG = LoggerFactory.getLogger(WideFormatReader.class);

    public static final String MISSING_SCORE = "missing_score";
    public static final String MISSING_TOKENS = "missing_tokens";

    private final DatasetDescriptor descriptor;
    private final DatasetDescriptor.WideColumns columns;
    private final SplitPolicy splitPolicy;

    public WideFormatReader(DatasetDescriptor descriptor, SplitPolicy splitPolicy) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.columns = descriptor.columns().orElseThrow(() -> new IllegalArgumentException("descriptor "
                + descriptor.name() + " has no wide-format columns"));
        this.splitPolicy = Objects.requireNonNull(splitPolicy, "splitPolicy");
    }

    /**
     * One file to read.
     *
     * @param path  where it is on disk
     * @param name  how to name it in messages and provenance (repo-relative path for HF files)
     * @param split the split its rows belong to
     * @param sha256 its SHA-256 if already known (verified at download), else {@code null} to compute it
     */
    public record Input(Path path, String name, String split, String sha256) {
        public Input {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(split, "split");
        }
    }

    public RoutingDataset read(List<Input> inputs, String source, Optional<String> revision, Optional<String> commit)
            throws IOException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no files to read for " + source);
        }
        List<String> models = null;
        RoutingDataset.Builder builder = null;
        Map<String, String> seen = new HashMap<>();
        Map<String, Integer> dropped = new LinkedHashMap<>();
        Map<String, List<String>> examples = new LinkedHashMap<>();
        List<DatasetProvenance.SourceFile> files = new ArrayList<>();
        long rowsRead = 0;
        try (Connection c = DuckDb.open()) {
            for (Input in : inputs) {
                if (!Files.isRegularFile(in.path())) {
                    throw new DatasetFormatException(in.name(), -1, null, "no such file (looked at " + in.path() + ")");
                }
                String from = "read_parquet(" + DuckDb.literal(in.path()) + ")";
                Map<String, String> schema;
                try {
                    schema = DuckDb.describe(c, from);
                } catch (SQLException e) {
                    throw new DatasetFormatException(in.name(), -1, null, "cannot read as Parquet (is it truncated or"
                            + " corrupt?): " + DuckDb.message(e), e);
                }
                List<String> fileModels = modelColumns(in.name(), schema);
                if (models == null) {
                    models = fileModels;
                    builder = RoutingDataset.builder(models);
                } else if (!models.equals(fileModels)) {
                    throw new DatasetFormatException(in.name(), -1, null, "has model columns " + fileModels
                            + " but the first file has " + models);
                }
                long rows = readFile(c, in, from, models, builder, seen, dropped, examples);
                rowsRead += rows;
                String sha = in.sha256() != null ? in.sha256() : dev.carrot.data.Hashing.sha256(in.path());
                files.add(new DatasetProvenance.SourceFile(in.name(), sha, Files.size(in.path()), rows));
            }
        } catch (SQLException e) {
            throw new IOException("DuckDB failed while reading " + source + ": " + DuckDb.message(e), e);
        }
        if (builder.size() == 0) {
            throw new DatasetFormatException(inputs.get(0).name(), -1, null, "no prompt has a score and token counts"
                    + " for every model (dropped " + dropped + ")");
        }
        RoutingDataset data = builder.build(source, DatasetDescriptor.FORMAT_SPROUT_WIDE, revision, commit, files,
                rowsRead, dropped, examples, List.of("read with descriptor datasets/" + descriptor.name() + ".json"));
        data = splitPolicy.apply(data);
        LOG.info("read {}: {} rows, {} prompts x {} models, splits {}, dropped {}", source, rowsRead, data.size(),
                data.modelCount(), data.splitCounts(), data.provenance().dropped());
        return data;
    }

    /** The model struct columns, checked against the descriptor. */
    private List<String> modelColumns(String file, Map<String, String> schema) throws DatasetFormatException {
        List<String> required = new ArrayList<>(List.of(columns.promptId(), columns.prompt()));
        columns.task().ifPresent(required::add);
        for (String col : required) {
            if (!schema.containsKey(col)) {
                throw new DatasetFormatException(file, -1, col, "missing metadata column; expected " + required
                        + ", found " + schema.keySet());
            }
        }
        List<String> structs = new ArrayList<>();
        for (Map.Entry<String, String> e : schema.entrySet()) {
            if (e.getValue().startsWith("STRUCT(")) {
                structs.add(e.getKey());
            }
        }
        List<String> models = descriptor.models().isEmpty() ? structs : descriptor.models();
        for (String m : models) {
            String type = schema.get(m);
            if (type == null) {
                throw new DatasetFormatException(file, -1, m, "missing model column; the descriptor datasets/"
                        + descriptor.name() + ".json lists " + descriptor.models().size() + " models, the file has"
                        + " model columns " + structs);
            }
            for (String field : List.of(columns.score(), columns.inputTokens(), columns.outputTokens())) {
                if (!type.startsWith("STRUCT(") || !type.matches("(?s).*[(, ]\"?" + java.util.regex.Pattern.quote(field)
                        + "\"? [A-Z].*")) {
                    throw new DatasetFormatException(file, -1, m, "expected a struct with field '" + field
                            + "' (and " + List.of(columns.score(), columns.inputTokens(), columns.outputTokens())
                            + "), found type " + (type.length() > 200 ? type.substring(0, 200) + "..." : type));
                }
            }
        }
        if (!descriptor.models().isEmpty() && structs.size() > models.size()) {
            List<String> extra = new ArrayList<>(structs);
            extra.removeAll(models);
            LOG.warn("{}: model columns {} are not in descriptor datasets/{}.json and are ignored", file, extra,
                    descriptor.name());
        }
        return List.copyOf(models);
    }

    private long readFile(Connection c, Input in, String from, List<String> models, RoutingDataset.Builder builder,
                          Map<String, String> seen, Map<String, Integer> dropped, Map<String, List<String>> examples)
            throws SQLException, DatasetFormatException {
        StringBuilder sql = new StringBuilder("SELECT ").append(DuckDb.identifier(columns.promptId())).append(", ")
                .append(DuckDb.identifier(columns.prompt())).append(", ")
                .append(columns.task().map(DuckDb::identifier).orElse("NULL"));
        for (String m : models) {
            String col = DuckDb.identifier(m);
            sql.append(", ").append(col).append('.').append(DuckDb.identifier(columns.score()))
                    .append(", ").append(col).append('.').append(DuckDb.identifier(columns.inputTokens()))
                    .append(", ").append(col).append('.').append(DuckDb.identifier(columns.outputTokens()));
        }
        sql.append(" FROM ").append(from);
        int k = models.size();
        long row = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                row++;
                Object idObj = rs.getObject(1);
                if (idObj == null) {
                    throw new DatasetFormatException(in.name(), row, columns.promptId(), "is null; expected a prompt id");
                }
                String id = String.valueOf(idObj);
                String prev = seen.putIfAbsent(id, in.name() + " row " + row);
                if (prev != null) {
                    throw new DatasetFormatException(in.name(), row, columns.promptId(), "duplicate prompt id '" + id
                            + "': already in " + prev);
                }
                String prompt = rs.getString(2);
                if (prompt == null) {
                    throw new DatasetFormatException(in.name(), row, columns.prompt(), "is null; expected the prompt"
                            + " text");
                }
                String task = rs.getString(3);
                double[] q = new double[k];
                int[] tin = new int[k];
                int[] tout = new int[k];
                String reason = null;
                for (int j = 0; j < k; j++) {
                    int base = 4 + 3 * j;
                    Object sv = rs.getObject(base);
                    Object iv = rs.getObject(base + 1);
                    Object ov = rs.getObject(base + 2);
                    String m = models.get(j);
                    if (sv == null) {
                        reason = reason == null ? MISSING_SCORE : reason;
                        continue;
                    }
                    double score = ((Number) number(in.name(), row, m + "." + columns.score(), sv)).doubleValue();
                    if (!(score >= 0 && score <= 1)) {
                        throw new DatasetFormatException(in.name(), row, m + "." + columns.score(), "is " + score
                                + "; expected a number in [0, 1]");
                    }
                    q[j] = score;
                    if (iv == null || ov == null) {
                        reason = reason == null ? MISSING_TOKENS : reason;
                        continue;
                    }
                    tin[j] = tokens(in.name(), row, m + "." + columns.inputTokens(), iv);
                    tout[j] = tokens(in.name(), row, m + "." + columns.outputTokens(), ov);
                }
                if (reason != null) {
                    dropped.merge(reason, 1, Integer::sum);
                    List<String> ex = examples.computeIfAbsent(reason, r -> new ArrayList<>());
                    if (ex.size() < 5) {
                        ex.add(id);
                    }
                    continue;
                }
                builder.add(id, prompt, in.split(), task, q, tin, tout, null);
            }
        } catch (SQLException e) {
            throw new DatasetFormatException(in.name(), row + 1, null, "cannot read Parquet data (truncated or corrupt"
                    + " file?): " + DuckDb.message(e), e);
        }
        if (row == 0) {
            LOG.warn("{} has no rows", in.name());
        }
        return row;
    }

    private static Number number(String file, long row, String col, Object v) throws DatasetFormatException {
        if (v instanceof Number n) {
            return n;
        }
        throw new DatasetFormatException(file, row, col, "expected a number, got " + v.getClass().getSimpleName()
                + " " + v);
    }

    private static int tokens(String file, long row, String col, Object v) throws DatasetFormatException {
        double d = number(file, row, col, v).doubleValue();
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
            throw new DatasetFormatException(file, row, col, "is " + v + "; expected a whole token count >= 0");
        }
        return (int) d;
    }
}

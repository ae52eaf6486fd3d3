package dev.carrot.data.wide;

import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.internal.DuckDb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Writes small Parquet files with SPROUT's schema: the six metadata columns {@code key, dataset, dataset_level,
 * dataset_idx, prompt, golden_answer}, then one struct per model with {@code score, num_input_tokens,
 * num_output_tokens, response}. Values are deterministic functions of the row, split and model, so tests can
 * recompute what the loader must produce.
 */
public final class SproutFixture {
    private SproutFixture() {
    }

    public static List<String> models() {
        return DatasetDescriptor.load("sprout").models();
    }

    /** Score of row {@code i} of {@code split} for model number {@code m}: one of 0, 0.1, ..., 1. */
    public static double score(String split, int i, int m) {
        return Math.floorMod((i * 7 + m * 3 + split.length()), 11) / 10.0;
    }

    public static int inputTokens(String split, int i, int m) {
        return 20 + Math.floorMod(i * 13 + split.length(), 300) + m;
    }

    public static int outputTokens(String split, int i, int m) {
        return 5 + Math.floorMod(i * 31 + m * 17, 900);
    }

    /**
     * Writes {@code rows} prompts of {@code split} to {@code file}. With {@code nullScoreRow >= 0}, that row's score
     * for the first model is null.
     */
    public static void write(Path file, String split, int rows, List<String> models, int nullScoreRow)
            throws SQLException, java.io.IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder sql = new StringBuilder("COPY (SELECT 'sprout-").append(split)
                .append("-' || i AS key, CASE i % 3 WHEN 0 THEN 'TIGER-Lab/MMLU-Pro' WHEN 1 THEN 'lighteval/MATH/all'"
                        + " ELSE 'openhermes/teknium' END AS dataset, 'level ' || (i % 5) AS dataset_level,"
                        + " i AS dataset_idx, 'Question ' || i || ' of ").append(split)
                .append(": what is ' || i || ' plus ' || (i * 3) || '?' AS prompt, CAST(i * 4 AS VARCHAR)"
                        + " AS golden_answer");
        for (int m = 0; m < models.size(); m++) {
            int len = split.length();
            sql.append(", {'score': CASE WHEN i = ").append(nullScoreRow).append(" AND ").append(m)
                    .append(" = 0 THEN NULL ELSE CAST(((i * 7 + ").append(m * 3 + len)
                    .append(") % 11) AS DOUBLE) / 10.0 END, 'num_input_tokens': CAST(20 + ((i * 13 + ").append(len)
                    .append(") % 300) + ").append(m).append(" AS BIGINT), 'num_output_tokens': CAST(5 + ((i * 31 + ")
                    .append(m * 17).append(") % 900) AS BIGINT), 'response': repeat('The answer is ' || i || '. ', 40)}"
                            + " AS ").append(DuckDb.identifier(models.get(m)));
        }
        sql.append(" FROM range(").append(rows).append(") t(i)) TO ").append(DuckDb.literal(file))
                .append(" (FORMAT PARQUET)");
        try (Connection c = DuckDb.open(); Statement s = c.createStatement()) {
            s.execute(sql.toString());
        }
    }
}

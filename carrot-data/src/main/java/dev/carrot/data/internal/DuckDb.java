package dev.carrot.data.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** An embedded, in-memory DuckDB engine for reading Parquet and CSV files. Never downloads anything. */
public final class DuckDb {
    private DuckDb() {
    }

    /** Opens a fresh in-memory database with extension auto-install and auto-load disabled. */
    public static Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("autoinstall_known_extensions", "false");
        props.setProperty("autoload_known_extensions", "false");
        Connection c = DriverManager.getConnection("jdbc:duckdb:", props);
        try (Statement s = c.createStatement()) {
            s.execute("SET enable_progress_bar = false");
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return c;
    }

    /** A SQL string literal for a path (single quotes doubled). */
    public static String literal(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    /** A quoted SQL identifier. */
    public static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** Column name -> DuckDB type name of a query's result, in order. */
    public static Map<String, String> describe(Connection c, String from) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + from)) {
            while (rs.next()) {
                out.put(rs.getString("column_name"), rs.getString("column_type"));
            }
        }
        return out;
    }

    /** DuckDB's message without the Java exception class noise. */
    /** Longest DuckDB message shown: DuckDB quotes whole input lines, which may be megabytes of a prompt. */
    static final int MAX_MESSAGE_CHARS = 1_000;

    /** DuckDB's message, each of its lines cut to a readable length. */
    public static String message(SQLException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        StringBuilder sb = new StringBuilder();
        for (String line : m.strip().split("\n", -1)) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(line.length() <= 300 ? line : line.substring(0, 300) + "... (" + line.length() + " characters)");
            if (sb.length() > MAX_MESSAGE_CHARS) {
                sb.append("\n...");
                break;
            }
        }
        return sb.toString();
    }

    public static boolean isNumeric(String type) {
        return type.matches("(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
                + "|FLOAT|DOUBLE|REAL|DECIMAL.*)");
    }

    public static boolean isInteger(String type) {
        return type.matches("(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)");
    }
}

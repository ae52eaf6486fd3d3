package dev.carrot.data;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Input data that cannot be turned into a routing dataset: a missing column, a value of the wrong type or out of
 * range, a duplicate, an empty, truncated or corrupt file. The message names the file and, where there is one, the
 * row and column, the value found and what was expected.
 */
public class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long row;
    private final String column;
    private final String detail;

    /**
     * @param file   the file (path as given)
     * @param row    1-based data row (header not counted), or -1 when the problem is not about one row
     * @param column the column, or {@code null}
     * @param detail what was wrong and what was expected
     */
    public DatasetFormatException(String file, long row, String column, String detail) {
        this(file, row, column, detail, null);
    }

    public DatasetFormatException(String file, long row, String column, String detail, Throwable cause) {
        super(format(file, row, column, detail), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.row = row;
        this.column = column;
        this.detail = detail;
    }

    private static String format(String file, long row, String column, String detail) {
        StringBuilder sb = new StringBuilder(file);
        if (row > 0) {
            sb.append(", row ").append(row);
        }
        if (column != null) {
            sb.append(", column '").append(column).append('\'');
        }
        return sb.append(": ").append(detail).toString();
    }

    public String file() {
        return file;
    }

    /** 1-based data row, header not counted. */
    public OptionalLong row() {
        return row > 0 ? OptionalLong.of(row) : OptionalLong.empty();
    }

    public Optional<String> column() {
        return Optional.ofNullable(column);
    }

    /** What was wrong and what was expected: the message without the file, row and column. */
    public String detail() {
        return detail;
    }
}

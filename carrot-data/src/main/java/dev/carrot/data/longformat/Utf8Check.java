package dev.carrot.data.longformat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Finds where a text file stops being UTF-8, for a message that names the row and says how to fix it. Only run
 * after a reader has failed on the encoding: it reads the file once more.
 */
final class Utf8Check {
    private Utf8Check() {
    }

    /**
     * The first byte sequence that is not UTF-8.
     *
     * @param offset 0-based byte offset in the (uncompressed) file
     * @param line   1-based line
     * @param row    1-based CSV data row (the header is row 0): lines are counted outside double quotes only, so a
     *               quoted value that spans lines stays one row
     */
    record Position(long offset, long line, long row) {
    }

    static Optional<Position> firstInvalid(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : raw) {
            byte[] buf = new byte[1 << 16];
            long offset = 0;
            long line = 1;
            long row = 0;
            boolean quoted = false;
            int need = 0; // continuation bytes still expected
            int lo = 0x80;
            int hi = 0xBF; // range of the next continuation byte (narrower after E0, ED, F0, F4)
            long start = 0; // where the current sequence started
            long startLine = 1;
            long startRow = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int k = 0; k < n; k++, offset++) {
                    int b = buf[k] & 0xFF;
                    if (need > 0) {
                        if (b < lo || b > hi) {
                            return Optional.of(new Position(start, startLine, startRow));
                        }
                        need--;
                        lo = 0x80;
                        hi = 0xBF;
                        continue;
                    }
                    start = offset;
                    startLine = line;
                    startRow = row;
                    if (b < 0x80) {
                        if (b == '"') {
                            quoted = !quoted;
                        } else if (b == '\n') {
                            line++;
                            if (!quoted) {
                                row++;
                            }
                        }
                    } else if (b >= 0xC2 && b <= 0xDF) {
                        need = 1;
                    } else if (b >= 0xE0 && b <= 0xEF) {
                        need = 2;
                        lo = b == 0xE0 ? 0xA0 : 0x80;
                        hi = b == 0xED ? 0x9F : 0xBF;
                    } else if (b >= 0xF0 && b <= 0xF4) {
                        need = 3;
                        lo = b == 0xF0 ? 0x90 : 0x80;
                        hi = b == 0xF4 ? 0x8F : 0xBF;
                    } else {
                        return Optional.of(new Position(start, startLine, startRow));
                    }
                }
            }
            return need > 0 ? Optional.of(new Position(start, startLine, startRow)) : Optional.empty();
        }
    }

    /** How to re-encode the file {@code name} to UTF-8, as a shell command. */
    static String howToFix(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            String plain = name.substring(0, name.length() - 3);
            return "re-encode it to UTF-8, e.g. gzip -dc " + name + " | iconv -f latin1 -t utf-8 | gzip > "
                    + utf8Name(plain) + ".gz (if it is Latin-1; use the file's real encoding after -f)";
        }
        return "re-encode it to UTF-8, e.g. iconv -f latin1 -t utf-8 " + name + " > " + utf8Name(name) + " (if it is"
                + " Latin-1; use the file's real encoding after -f)";
    }

    private static String utf8Name(String name) {
        String stem = FileType.stripExtension(name);
        return stem + ".utf8" + name.substring(stem.length());
    }

    private static boolean isGzip(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }
}

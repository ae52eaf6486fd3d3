package dev.carrot.data.hf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks repo-relative paths and revisions before they touch the file system, and encodes them for URLs. */
final class RepoPaths {

    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*", Pattern.DOTALL);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private RepoPaths() {
    }

    /**
     * Why a repo-relative path from the Hub is unsafe to use as a path below a snapshot folder, or empty when
     * it is safe: it must be relative, use {@code '/'} only, and have no empty, {@code "."} or {@code ".."} segment.
     */
    static Optional<String> unsafeReason(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.of("the path is empty");
        }
        if (path.startsWith("/")) {
            return Optional.of("it is absolute");
        }
        if (path.indexOf('\\') >= 0) {
            return Optional.of("it contains a backslash");
        }
        if (DRIVE.matcher(path).matches()) {
            return Optional.of("it starts with a drive letter");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("it contains the control character U+" + String.format("%04X", (int) c));
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                return Optional.of("it has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("it has a '" + segment + "' segment");
            }
        }
        return Optional.empty();
    }

    /**
     * Resolves a repo-relative path below {@code base}, refusing any path that is unsafe or whose normalised
     * form would leave {@code base}.
     */
    static Path resolveUnder(Path base, String path, String what) throws HfHubException {
        Optional<String> reason = unsafeReason(path);
        if (reason.isPresent()) {
            throw unsafe(path, what, reason.get());
        }
        Path normalizedBase = base.toAbsolutePath().normalize();
        Path resolved = normalizedBase.resolve(path).normalize();
        if (!resolved.startsWith(normalizedBase) || resolved.equals(normalizedBase)) {
            throw unsafe(path, what, "it resolves to " + resolved + ", outside " + normalizedBase);
        }
        return resolved;
    }

    static HfHubException unsafe(String path, String what, String reason) {
        return new HfHubException(HfHubException.Kind.UNSAFE_PATH, "refusing unsafe file path '" + printable(path)
                + "' from " + what + ": " + reason + " (expected a relative path with '/' separators and no empty,"
                + " '.' or '..' segments)");
    }

    /**
     * Checks a revision given by the caller: a branch, tag or commit. It is used as a URL segment and as the
     * file {@code refs/{revision}} in the cache, so it must be a safe relative path itself
     * ({@code "refs/convert/parquet"} is fine).
     */
    static String checkRevision(String revision) {
        if (revision == null || revision.isBlank()) {
            throw new IllegalArgumentException("revision must be a branch, tag or commit, got "
                    + (revision == null ? "null" : "'" + revision + "'"));
        }
        Optional<String> reason = unsafeReason(revision);
        if (reason.isPresent() || revision.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("revision '" + printable(revision) + "' is not a valid branch, tag or"
                    + " commit name: " + reason.orElse("it contains whitespace"));
        }
        return revision;
    }

    /** Percent-encodes one URL path segment: everything but {@code A-Z a-z 0-9 - . _ ~}, so {@code '/'} too. */
    static String encodeSegment(String segment) {
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** Percent-encodes a repo-relative path segment by segment, keeping the {@code '/'} separators. */
    static String encodePath(String path) {
        String[] segments = path.split("/", -1);
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(encodeSegment(segments[i]));
        }
        return out.toString();
    }

    /** The string with control characters escaped and cut to 300 characters, safe for a log line or message. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 310));
        for (int i = 0; i < s.length() && out.length() <= 300; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.length() > 300 ? out.substring(0, 300) + "..." : out.toString();
    }
}

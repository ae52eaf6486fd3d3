package dev.carrot.data.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Glob patterns over repo-relative paths with the semantics of Python's {@code fnmatch}, which
 * {@code huggingface_hub.utils.filter_repo_objects} uses for {@code allow_patterns}, so a pattern selects the
 * same files here as in Python:
 * <ul>
 *   <li>{@code *} matches any run of characters, {@code '/'} included (so {@code **} means the same);</li>
 *   <li>{@code ?} matches one character;</li>
 *   <li>{@code [abc]}, {@code [a-z]} and {@code [!abc]} match one character of (or not of) a set;</li>
 *   <li>a pattern ending with {@code '/'} matches everything below that folder (as {@code huggingface_hub}
 *       appends {@code '*'} to it);</li>
 *   <li>matching is case-sensitive and covers the whole path.</li>
 * </ul>
 */
final class Globs {

    private Globs() {
    }

    /** Compiles the patterns, rejecting an empty list or a blank pattern. */
    static List<Pattern> compileAll(List<String> globs) {
        if (globs == null || globs.isEmpty()) {
            throw new IllegalArgumentException("at least one glob pattern is needed, got " + globs
                    + " (use \"*\" to select every file)");
        }
        List<Pattern> out = new ArrayList<>(globs.size());
        for (String glob : globs) {
            if (glob == null || glob.isBlank()) {
                throw new IllegalArgumentException("glob patterns must not be blank, got " + globs);
            }
            out.add(compile(glob));
        }
        return List.copyOf(out);
    }

    static boolean matchesAny(List<Pattern> patterns, String path) {
        for (Pattern p : patterns) {
            if (p.matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Translates one glob to a regular expression, as Python's {@code fnmatch.translate}. */
    static Pattern compile(String glob) {
        String pat = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder re = new StringBuilder(pat.length() * 2);
        int i = 0;
        int n = pat.length();
        while (i < n) {
            char c = pat.charAt(i++);
            if (c == '*') {
                while (i < n && pat.charAt(i) == '*') {
                    i++;
                }
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && pat.charAt(j) == '!') {
                    j++;
                }
                if (j < n && pat.charAt(j) == ']') {
                    j++;
                }
                while (j < n && pat.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    re.append("\\[");
                } else {
                    String set = pat.substring(i, j);
                    i = j + 1;
                    re.append('[');
                    int k = 0;
                    if (set.startsWith("!")) {
                        re.append('^');
                        k = 1;
                    } else if (set.startsWith("^")) {
                        re.append("\\^");
                        k = 1;
                    }
                    for (; k < set.length(); k++) {
                        char s = set.charAt(k);
                        if (s == '\\' || s == '[' || s == '&' || s == '^' || s == ']') {
                            re.append('\\');
                        }
                        re.append(s);
                    }
                    re.append(']');
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}

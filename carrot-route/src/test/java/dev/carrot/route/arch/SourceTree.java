package dev.carrot.route.arch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java sources of the project, read as text: for each file its module (the top-level folder), its package, and
 * the carrot packages it refers to (imports and fully qualified names in code; comments and strings do not count).
 */
final class SourceTree {
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.carrot(?:\\.[a-z_][\\w]*)*(?:\\.[A-Z]\\w*)?");

    /** One source file. */
    record Source(Path path, String module, boolean main, String pkg, Set<String> references) {
    }

    private final Path root;
    private final List<Source> files;

    private SourceTree(Path root, List<Source> files) {
        this.root = root;
        this.files = files;
    }

    static SourceTree scan(Path root) throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Path rel = root.relativize(p);
                String r = rel.toString().replace('\\', '/');
                if (r.contains("/target/") || r.startsWith(".") || rel.getNameCount() < 2) {
                    continue;
                }
                boolean main = r.contains("/src/main/java/");
                if (!main && !r.contains("/src/test/java/")) {
                    continue;
                }
                String text = stripCommentsAndStrings(Files.readString(p));
                Matcher pm = PACKAGE.matcher(text);
                String pkg = pm.find() ? pm.group(1) : "";
                Set<String> refs = new TreeSet<>();
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    if (m.start() > 0 && text.charAt(m.start() - 1) == '.') {
                        continue;
                    }
                    refs.add(packageOf(m.group()));
                }
                refs.remove(pkg);
                out.add(new Source(rel, moduleOf(r), main, pkg, refs));
            }
        }
        return new SourceTree(root, out);
    }

    List<Source> files() {
        return files;
    }

    /** The module of a file: the project-relative folder that holds its {@code src}, e.g. {@code examples/x}. */
    private static String moduleOf(String rel) {
        return rel.substring(0, rel.indexOf("/src/"));
    }

    /** The package part of a reference: its lower-case segments. */
    private static String packageOf(String ref) {
        String[] parts = ref.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    static boolean isInternal(String pkg) {
        return ("." + pkg + ".").contains(".internal.");
    }

    /** The packages declared by a module's main sources. */
    Set<String> packagesOf(String module) {
        Set<String> out = new TreeSet<>();
        for (Source s : files) {
            if (s.main() && s.module().equals(module)) {
                out.add(s.pkg());
            }
        }
        return out;
    }

    /** Which module's main sources declare each package. */
    private Map<String, String> owners() {
        Map<String, String> owner = new TreeMap<>();
        for (Source s : files) {
            if (s.main()) {
                owner.putIfAbsent(s.pkg(), s.module());
            }
        }
        return owner;
    }

    /** Each reference from one module to an internal package of another: "file: package (of module)". */
    List<String> internalViolations() {
        Map<String, String> owner = owners();
        List<String> out = new ArrayList<>();
        for (Source s : files) {
            for (String ref : s.references()) {
                if (!isInternal(ref)) {
                    continue;
                }
                String o = ownerOf(ref, owner);
                if (o != null && !o.equals(s.module())) {
                    out.add(s.path().toString().replace('\\', '/') + ": uses " + ref + " (internal to " + o + ")");
                }
            }
        }
        return out;
    }

    /** The module owning a package, or the one owning its longest declared prefix. */
    private static String ownerOf(String pkg, Map<String, String> owner) {
        String p = pkg;
        while (!p.isEmpty()) {
            String o = owner.get(p);
            if (o != null) {
                return o;
            }
            int dot = p.lastIndexOf('.');
            p = dot < 0 ? "" : p.substring(0, dot);
        }
        return null;
    }

    /** Package -> packages it uses, among one module's main packages. */
    Map<String, Set<String>> packageGraph(String module) {
        Set<String> mine = packagesOf(module);
        Map<String, Set<String>> g = new TreeMap<>();
        for (String p : mine) {
            g.put(p, new TreeSet<>());
        }
        for (Source s : files) {
            if (!s.main() || !s.module().equals(module)) {
                continue;
            }
            for (String ref : s.references()) {
                if (mine.contains(ref) && !ref.equals(s.pkg())) {
                    g.get(s.pkg()).add(ref);
                }
            }
        }
        return g;
    }

    /** The strongly connected components of more than one package (Tarjan), each sorted, sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> out = new ArrayList<>();
        Map<String, Integer> index = new TreeMap<>();
        Map<String, Integer> low = new TreeMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> onStack = new TreeSet<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, counter, out);
            }
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
                                      Map<String, Integer> low, List<String> stack, Set<String> onStack,
                                      int[] counter, List<List<String>> out) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.add(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, g, index, low, stack, onStack, counter, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> comp = new ArrayList<>();
            String w;
            do {
                w = stack.remove(stack.size() - 1);
                onStack.remove(w);
                comp.add(w);
            } while (!w.equals(v));
            if (comp.size() > 1) {
                Collections.sort(comp);
                out.add(comp);
            }
        }
    }

    /** The text with comments, string and character literals blanked out (line structure kept). */
    static String stripCommentsAndStrings(String src) {
        StringBuilder sb = new StringBuilder(src.length());
        int n = src.length();
        int i = 0;
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                i += 2;
                while (i < n && !(src.charAt(i) == '*' && i + 1 < n && src.charAt(i + 1) == '/')) {
                    sb.append(src.charAt(i) == '\n' ? '\n' : ' ');
                    i++;
                }
                i += 2;
            } else if (c == '"' && src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                sb.append("\"\"");
            } else if (c == '"' || c == '\'') {
                char q = c;
                i++;
                while (i < n && src.charAt(i) != q) {
                    if (src.charAt(i) == '\\') {
                        i++;
                    }
                    i++;
                }
                i++;
                sb.append(q).append(q);
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }
}

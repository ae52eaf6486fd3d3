package dev.carrot.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A known dataset, as described by a JSON file in the project's {@code datasets/} folder (shipped inside the
 * carrot-data jar): where it lives, at which revision, which files hold which split, its models and their prices.
 *
 * @param name     short name ({@code sprout}); {@code --data sprout} loads it
 * @param title    one line for humans
 * @param format   {@code long} or {@code sprout-wide}
 * @param source   where it is
 * @param files    split -> glob patterns of repo-relative paths (HF sources)
 * @param columns  for {@code sprout-wide}: the metadata and per-model field names
 * @param models   the models, in order (empty when the data decides)
 * @param prices   USD per 1M input/output tokens per model, if known: the descriptor's
 *                 {@code prices_usd_per_million_tokens} object ({@code {"model": {"input": 3.0, "output": 15.0}}}), in
 *                 the layout carrot-route's {@code PriceTable.parse} reads; carrot-data itself never prices tokens
 * @param notes    caveats, in order
 * @param reference published or independently reproduced results to compare against (free-form JSON), if any
 */
public record DatasetDescriptor(String name, String title, String format, Source source,
                                Map<String, List<String>> files, Optional<WideColumns> columns, List<String> models,
                                Optional<JsonNode> prices, List<String> notes, Optional<JsonNode> reference) {

    public static final String FORMAT_LONG = "long";
    public static final String FORMAT_SPROUT_WIDE = "sprout-wide";

    /** A source shipped inside carrot-data's jar: {@code path} is relative to the project's {@code datasets/}. */
    public static final String SOURCE_EMBEDDED = "embedded";

    private static final List<String> KNOWN = List.of("sprout", "sprout-o3mini", "zeroeval", "long-format",
            "routerbench_subset", "routerdc_7model");

    public DatasetDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(source, "source");
        if (!format.equals(FORMAT_LONG) && !format.equals(FORMAT_SPROUT_WIDE)) {
            throw new IllegalArgumentException("descriptor " + name + ": unknown format '" + format + "', expected "
                    + FORMAT_LONG + " or " + FORMAT_SPROUT_WIDE);
        }
        Map<String, List<String>> f = new LinkedHashMap<>();
        files.forEach((k, v) -> f.put(k, List.copyOf(v)));
        files = java.util.Collections.unmodifiableMap(f);
        models = List.copyOf(models);
        notes = List.copyOf(notes);
        reference = reference.map(JsonNode::deepCopy);
        prices = prices.map(JsonNode::deepCopy);
    }

    @Override
    public Optional<JsonNode> reference() {
        return reference.map(JsonNode::deepCopy);
    }

    @Override
    public Optional<JsonNode> prices() {
        return prices.map(JsonNode::deepCopy);
    }

    /** Where the descriptor came from, for messages and provenance ({@code datasets/NAME.json}). */
    public String origin() {
        return "datasets/" + name + ".json";
    }

    /**
     * Where a dataset lives.
     *
     * @param type     {@code hf-dataset}, {@code local}, {@code embedded} (a file inside carrot-data's jar) or
     *                 {@code any}
     * @param repo     HF repo id ({@code org/name}) for {@code hf-dataset}
     * @param revision pinned revision for {@code hf-dataset}
     * @param path     file path for {@code local}, relative to the working directory; for {@code embedded}, relative
     *                 to the project's {@code datasets/} folder, which the jar holds
     * @param sha256   SHA-256 of the file for {@code local} when known (a file with this hash is this dataset); always
     *                 given for {@code embedded}, whose copy is checked against it
     */
    public record Source(String type, Optional<String> repo, Optional<String> revision, Optional<String> path,
                         Optional<String> sha256) {
        public Source {
            Objects.requireNonNull(type, "type");
            if (type.equals(SOURCE_EMBEDDED) && (path.isEmpty() || sha256.isEmpty())) {
                throw new IllegalArgumentException("an embedded source needs 'path' and 'sha256', got path " + path
                        + " and sha256 " + sha256);
            }
        }
    }

    /**
     * Column names of a wide (one row per prompt, one struct column per model) file.
     *
     * @param promptId     metadata column that identifies the prompt
     * @param prompt       metadata column with the prompt text
     * @param task         metadata column with the source benchmark, if any
     * @param score        field of a model's struct with its score
     * @param inputTokens  field with its input token count
     * @param outputTokens field with its output token count
     */
    public record WideColumns(String promptId, String prompt, Optional<String> task, String score,
                              String inputTokens, String outputTokens) {
    }

    /** Descriptors of every known dataset. */
    public static List<DatasetDescriptor> known() {
        List<DatasetDescriptor> out = new ArrayList<>();
        for (String n : KNOWN) {
            out.add(load(n));
        }
        return out;
    }

    /** The descriptor whose name or HF repo is {@code nameOrRepo} (case-insensitive), if any. */
    public static Optional<DatasetDescriptor> find(String nameOrRepo) {
        String key = nameOrRepo.toLowerCase(Locale.ROOT);
        for (DatasetDescriptor d : known()) {
            if (d.name().equalsIgnoreCase(key)
                    || d.source().repo().map(r -> r.equalsIgnoreCase(nameOrRepo)).orElse(false)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Loads a bundled descriptor by name. */
    public static DatasetDescriptor load(String name) {
        String resource = "/dev/carrot/data/descriptors/" + name + ".json";
        try (InputStream in = DatasetDescriptor.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled dataset descriptor '" + name + "' (looked for " + resource
                        + "); known: " + KNOWN);
            }
            return parse(new ObjectMapper().readTree(in), "datasets/" + name + ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset descriptor " + resource, e);
        }
    }

    /** Parses a descriptor; {@code origin} names it in errors and in price provenance. */
    public static DatasetDescriptor parse(JsonNode root, String origin) {
        String name = text(root, "name", origin);
        JsonNode src = root.path("source");
        Source source = new Source(text(src, "type", origin), opt(src, "repo"), opt(src, "revision"),
                opt(src, "path"), opt(src, "sha256"));
        Map<String, List<String>> files = new LinkedHashMap<>();
        root.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), strings(e.getValue())));
        Optional<WideColumns> columns = Optional.empty();
        JsonNode cols = root.path("columns");
        if (cols.has("model_fields")) {
            JsonNode mf = cols.path("model_fields");
            columns = Optional.of(new WideColumns(text(cols, "prompt_id", origin), text(cols, "prompt", origin),
                    opt(cols, "task"), text(mf, "score", origin), text(mf, "input_tokens", origin),
                    text(mf, "output_tokens", origin)));
        }
        Optional<JsonNode> prices = Optional.empty();
        JsonNode p = root.path("prices_usd_per_million_tokens");
        if (p.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (!v.path("input").isNumber() || !v.path("output").isNumber()) {
                    throw new IllegalArgumentException(origin + ": price of " + e.getKey()
                            + " needs numeric 'input' and 'output' (USD per 1M tokens), got " + v);
                }
            }
            prices = Optional.of(p);
        }
        return new DatasetDescriptor(name, root.path("title").asText(name), text(root, "format", origin), source,
                files, columns, strings(root.path("models")), prices, strings(root.path("notes")),
                Optional.ofNullable(root.get("reference_results")));
    }

    private static String text(JsonNode node, String field, String origin) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(origin + ": missing or empty text field '" + field + "'");
        }
        return v.asText();
    }

    private static Optional<String> opt(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}

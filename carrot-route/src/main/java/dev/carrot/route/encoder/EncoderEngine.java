package dev.carrot.route.encoder;

import java.nio.file.Path;

/**
 * Loads {@link PromptEncoder}s for {@link Encoders}: the service that keeps the encoder API apart from its ONNX
 * Runtime implementation (found through {@link java.util.ServiceLoader}; carrot-route registers its own). Not for
 * callers: use {@link Encoders}.
 */
public interface EncoderEngine {

    /** The built-in all-MiniLM-L6-v2. */
    PromptEncoder miniLm(EncoderOptions options);

    /**
     * A built-in encoder by name ({@link #builtInNames()}). The default serves only the default encoder
     * ({@link #miniLm}), so an engine written before the other built-ins keeps working.
     *
     * @throws IllegalArgumentException for a name that is not built in, or that this engine does not serve
     */
    default PromptEncoder builtIn(String name, EncoderOptions options) {
        if (Encoders.DEFAULT_NAME.equals(name)) {
            return miniLm(options);
        }
        throw new IllegalArgumentException("encoder '" + name + "' is not served by " + getClass().getName()
                + "; built-in encoders: " + builtInNames());
    }

    /** The names {@link #builtIn} takes, the default first. The default: the default encoder only. */
    default java.util.List<String> builtInNames() {
        return java.util.List.of(Encoders.DEFAULT_NAME);
    }

    /**
     * The built-in encoder whose id is {@code id}, if there is one. The default: the default encoder's id (the
     * {@link Encoders#MINILM_ID}).
     */
    default java.util.Optional<String> builtInNameOf(String id) {
        return Encoders.MINILM_ID.equals(id) ? java.util.Optional.of(Encoders.DEFAULT_NAME) : java.util.Optional.empty();
    }

    /** An encoder from a folder with {@code model.onnx} and {@code tokenizer.json}. */
    PromptEncoder fromDirectory(Path dir, EncoderOptions options);
}

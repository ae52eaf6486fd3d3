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
     * A built-in encoder by name ({@link Encoders#builtInNames()}). The default serves only the default encoder
     * ({@link #miniLm}), so an engine written before the other built-ins keeps working.
     *
     * @throws IllegalArgumentException for a name that is not built in, or that this engine does not serve
     */
    default PromptEncoder builtIn(String name, EncoderOptions options) {
        java.util.List<String> names = Encoders.builtInNames();
        if (names.get(0).equals(name)) {
            return miniLm(options);
        }
        throw new IllegalArgumentException("encoder '" + name + "' is not served by " + getClass().getName()
                + (names.contains(name) ? "; it serves only " + names.get(0) : "; built-in encoders: " + names));
    }

    /** An encoder from a folder with {@code model.onnx} and {@code tokenizer.json}. */
    PromptEncoder fromDirectory(Path dir, EncoderOptions options);
}

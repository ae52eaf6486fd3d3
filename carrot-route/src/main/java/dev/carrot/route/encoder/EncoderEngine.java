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
     * A built-in encoder by name ({@link Encoders#builtInNames()}).
     *
     * @throws IllegalArgumentException for a name that is not built in
     */
    PromptEncoder builtIn(String name, EncoderOptions options);

    /** An encoder from a folder with {@code model.onnx} and {@code tokenizer.json}. */
    PromptEncoder fromDirectory(Path dir, EncoderOptions options);
}

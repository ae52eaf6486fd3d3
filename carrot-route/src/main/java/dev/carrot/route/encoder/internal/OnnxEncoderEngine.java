package dev.carrot.route.encoder.internal;

import dev.carrot.route.encoder.EncoderEngine;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.PromptEncoder;

import java.nio.file.Path;

/** carrot's encoder engine: DJL's HuggingFace tokenizer and ONNX Runtime, in process, offline. */
public final class OnnxEncoderEngine implements EncoderEngine {

    @Override
    public PromptEncoder miniLm(EncoderOptions options) {
        return OnnxPromptEncoder.load(ModelSources.miniLm(options.cacheDir()), options);
    }

    @Override
    public PromptEncoder builtIn(String name, EncoderOptions options) {
        ModelSources.BuiltIn model = ModelSources.BuiltIn.named(name).orElseThrow(() -> new IllegalArgumentException(
                "no built-in encoder is named '" + name + "'; expected one of "
                        + builtInNames() + ", or a folder with model.onnx and"
                        + " tokenizer.json"));
        return OnnxPromptEncoder.load(ModelSources.builtIn(model, options.cacheDir()), options);
    }

    @Override
    public PromptEncoder fromDirectory(Path dir, EncoderOptions options) {
        return OnnxPromptEncoder.load(ModelSources.fromDirectory(dir), options);
    }

    @Override
    public java.util.List<String> builtInNames() {
        return java.util.Arrays.stream(ModelSources.BuiltIn.values()).map(ModelSources.BuiltIn::encoderName).toList();
    }

    @Override
    public java.util.Optional<String> builtInNameOf(String id) {
        return ModelSources.BuiltIn.withId(id).map(ModelSources.BuiltIn::encoderName);
    }
}

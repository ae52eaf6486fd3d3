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
    public PromptEncoder fromDirectory(Path dir, EncoderOptions options) {
        return OnnxPromptEncoder.load(ModelSources.fromDirectory(dir), options);
    }
}

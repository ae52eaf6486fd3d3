package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.embed.CachingPromptEncoder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options that say which encoder embeds the prompts and where carrot's cache is. */
final class EncoderChoice {
    @Option(names = "--encoder", paramLabel = "DIR", description = "an encoder folder with model.onnx and"
            + " tokenizer.json (default: the built-in all-MiniLM-L6-v2); it must be the encoder a router was trained"
            + " with")
    Path encoder;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "carrot's cache (embeddings, models); default:"
            + " $CARROT_CACHE_DIR or ~/.cache/carrot")
    Path cacheDir;

    EncoderOptions options() {
        EncoderOptions o = new EncoderOptions();
        return cacheDir == null ? o : o.withCacheDir(cacheDir.toAbsolutePath().normalize());
    }

    /** The chosen encoder, without the embedding cache. */
    PromptEncoder open() {
        EncoderOptions o = options();
        return encoder == null ? Encoders.miniLm(o) : Encoders.fromDirectory(encoder, o);
    }

    /** The chosen encoder behind the persistent embedding cache of its configuration. */
    PromptEncoder openCached() {
        return CachingPromptEncoder.inCacheDir(open(), options());
    }
}

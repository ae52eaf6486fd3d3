package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.embed.CachingPromptEncoder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options that say which encoder embeds the prompts and where carrot's cache is. */
final class EncoderChoice {
    @Option(names = "--encoder", paramLabel = "NAME|DIR", description = "a built-in encoder (all-minilm-l6-v2,"
            + " all-minilm-l6-v2-q, bge-small-en-v1.5, e5-small-v2) or an encoder folder with model.onnx and"
            + " tokenizer.json (write ./NAME for a folder named like a built-in); default: all-minilm-l6-v2. It must"
            + " be the encoder a router was trained with")
    String encoder;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "carrot's cache (embeddings, models); default:"
            + " $CARROT_CACHE_DIR or ~/.cache/carrot")
    Path cacheDir;

    EncoderOptions options() {
        EncoderOptions o = new EncoderOptions();
        return cacheDir == null ? o : o.withCacheDir(cacheDir.toAbsolutePath().normalize());
    }

    /** The chosen encoder, without the embedding cache. */
    PromptEncoder open() {
        return open(encoder, options());
    }

    /** A built-in encoder by name, a folder, or (null) the default. */
    static PromptEncoder open(String encoder, EncoderOptions o) {
        if (encoder == null) {
            return Encoders.miniLm(o);
        }
        if (Encoders.builtInNames().contains(encoder)) {
            return Encoders.named(encoder, o);
        }
        return Encoders.fromDirectory(Path.of(encoder), o);
    }

    /** The chosen encoder behind the persistent embedding cache of its configuration. */
    PromptEncoder openCached() {
        return CachingPromptEncoder.inCacheDir(open(), options());
    }
}

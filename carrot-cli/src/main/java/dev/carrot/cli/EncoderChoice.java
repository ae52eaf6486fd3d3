package dev.carrot.cli;

import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.Truncation;
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

    @Option(names = "--truncation", paramLabel = "head|tail", description = "which word pieces of a prompt longer"
            + " than the encoder's limit it reads: the first (head, the default, as sentence-transformers does) or the"
            + " last (tail: the question after a long shared few-shot prefix). It must be what a router was trained"
            + " with", converter = TruncationConverter.class)
    Truncation truncation;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "carrot's cache (embeddings, models); default:"
            + " $CARROT_CACHE_DIR or ~/.cache/carrot")
    Path cacheDir;

    EncoderOptions options() {
        EncoderOptions o = new EncoderOptions().withTruncation(truncation == null ? Truncation.HEAD : truncation);
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

    /** {@code head} or {@code tail}, any case; anything else is refused naming what is expected. */
    static final class TruncationConverter implements picocli.CommandLine.ITypeConverter<Truncation> {
        @Override
        public Truncation convert(String value) {
            try {
                return Truncation.of(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The chosen encoder behind the persistent embedding cache of its configuration. */
    PromptEncoder openCached() {
        return CachingPromptEncoder.inCacheDir(open(), options());
    }

    /**
     * The encoder a router was trained with, behind the embedding cache: without {@code --encoder}, the built-in
     * encoder the router names (the default when it names none); without {@code --truncation}, the router's token
     * limit and truncation side. What is given explicitly wins (and the router then checks it).
     */
    PromptEncoder openCachedFor(dev.carrot.route.encoder.EncoderInfo trained) {
        EncoderOptions o = options().withSettingsOf(trained);
        o = truncation == null ? o : o.withTruncation(truncation);
        String name = encoder != null ? encoder : Encoders.builtInNameOf(trained.id()).orElse(null);
        return CachingPromptEncoder.inCacheDir(open(name, o), o);
    }
}

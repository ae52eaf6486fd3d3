package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.EncoderInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * A dataset's prompts embedded: unit vectors (rows x dimension, in dataset order) and, when needed, each prompt's
 * word-piece count under the encoder's tokenizer (for the input-token estimate).
 *
 * @param encoder the encoder that made them
 * @param vectors rows x dimension, row-major, L2-normalised
 * @param tokens  word pieces per prompt (untruncated), or null when not counted
 */
public record Embedded(EncoderInfo encoder, float[] vectors, int[] tokens) {
    private static final Logger LOG = LoggerFactory.getLogger(Embedded.class);
    private static final int CHUNK = 512;

    public Embedded {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(vectors, "vectors");
        if (vectors.length % encoder.dimension() != 0) {
            throw new IllegalArgumentException("vectors length " + vectors.length + " is not a multiple of dimension "
                    + encoder.dimension());
        }
        if (tokens != null && tokens.length != vectors.length / encoder.dimension()) {
            throw new IllegalArgumentException("tokens has " + tokens.length + " entries for "
                    + vectors.length / encoder.dimension() + " vectors");
        }
    }

    public int rows() {
        return vectors.length / encoder.dimension();
    }

    public int dimension() {
        return encoder.dimension();
    }

    /**
     * Embeds every prompt of {@code data} (through whatever cache {@code encoder} has), in chunks, with progress.
     *
     * @param countTokens also count each prompt's word pieces
     */
    public static Embedded of(RoutingDataset data, PromptEncoder encoder, boolean countTokens, Progress progress) {
        int n = data.size();
        int dim = encoder.info().dimension();
        float[] out = new float[n * dim];
        int[] tokens = countTokens ? new int[n] : null;
        List<String> texts = data.promptTexts();
        long[] cached = new long[1];
        long[] tokensSeen = new long[2];
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            float[][] v = encoder.encodeAll(texts.subList(start, end), (BatchStats s) -> {
                cached[0] += s.cached();
                tokensSeen[0] += s.tokens();
                tokensSeen[1] += s.paddedTokens();
            });
            for (int i = start; i < end; i++) {
                System.arraycopy(v[i - start], 0, out, i * dim, dim);
                if (tokens != null) {
                    tokens[i] = encoder.countTokens(texts.get(i));
                }
            }
            progress.step(end - start);
        }
        LOG.info("embedded {} prompts: {} from the cache, {} encoded{}", n, cached[0], n - cached[0],
                tokensSeen[1] > 0 ? String.format(java.util.Locale.ROOT, " (padding %.1f%% of computed tokens)",
                        100.0 * (tokensSeen[1] - tokensSeen[0]) / tokensSeen[1]) : "");
        return new Embedded(encoder.info(), out, tokens);
    }
}

package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.Truncation;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Prompts that differ in text but got the very same embedding: their first (or last) word pieces up to the encoder's
 * limit are the same, as behind a long shared few-shot prefix. A router sees one point for all of them and cannot
 * route them apart, whatever its predictor; {@code carrot train} says so, and what to try.
 *
 * @param prompts prompts whose vector another prompt with another text shares
 * @param groups  groups of such prompts (one vector each)
 * @param largest prompts in the largest group
 * @param total   prompts looked at
 */
public record SharedEmbeddings(int prompts, int groups, int largest, int total) {
    /** A share of prompts from which {@link #advice} speaks up. */
    public static final double NOTABLE = 0.05;

    /** Counts the prompts of {@code data} that share their vector in {@code emb} with a prompt of another text. */
    public static SharedEmbeddings of(RoutingDataset data, Embedded emb) {
        int n = emb.rows();
        int dim = emb.dimension();
        float[] v = emb.vectors();
        // group rows by the exact bits of their vector; a group counts when its prompts' texts differ
        Map<Key, int[]> first = new HashMap<>(); // key -> {first row, distinct texts > 1 ? 1 : 0, size}
        Map<Key, String> text = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Key k = new Key(v, i * dim, dim);
            int[] g = first.computeIfAbsent(k, x -> new int[3]);
            String t = text.putIfAbsent(k, data.prompt(i));
            if (t != null && !t.equals(data.prompt(i))) {
                g[1] = 1;
            }
            g[2]++;
        }
        int prompts = 0;
        int groups = 0;
        int largest = 0;
        for (int[] g : first.values()) {
            if (g[1] == 1) {
                prompts += g[2];
                groups++;
                largest = Math.max(largest, g[2]);
            }
        }
        return new SharedEmbeddings(prompts, groups, largest, n);
    }

    /** Share of the prompts that share their vector. */
    public double share() {
        return total == 0 ? 0 : prompts / (double) total;
    }

    /** One line for the user when at least {@link #NOTABLE} of the prompts share their vector, else empty. */
    public Optional<String> advice(int maxTokens, Truncation truncation) {
        if (share() < NOTABLE) {
            return Optional.empty();
        }
        String side = truncation == Truncation.TAIL ? "last" : "first";
        return Optional.of(String.format(Locale.ROOT, "%,d of %,d prompts (%.0f%%) share their embedding with prompts"
                        + " of other text, in %,d group%s (the largest %,d): their %s %d word pieces are the same, so"
                        + " the router sees one point for each group%s", prompts, total, 100 * share(), groups,
                groups == 1 ? "" : "s", largest, side, maxTokens, truncation == Truncation.TAIL ? ""
                        : "; if they differ at the end (a question after a shared few-shot prefix), train with"
                        + " --truncation tail"));
    }

    /** A vector's bits as a map key. */
    private record Key(int[] bits) {
        Key(float[] v, int off, int dim) {
            this(bitsOf(v, off, dim));
        }

        private static int[] bitsOf(float[] v, int off, int dim) {
            int[] b = new int[dim];
            for (int j = 0; j < dim; j++) {
                b[j] = Float.floatToIntBits(v[off + j]);
            }
            return b;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(bits, k.bits);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bits);
        }

        @Override
        public String toString() {
            return "Key[" + bits.length + " floats]";
        }
    }
}

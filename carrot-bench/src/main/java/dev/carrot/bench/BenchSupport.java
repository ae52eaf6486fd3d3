package dev.carrot.bench;

import dev.carrot.route.encoder.PromptEncoder;

import java.util.List;

/** Small helpers shared by the benchmark states. */
final class BenchSupport {
    /** The trade-off the decision benchmarks route with. */
    static final double MU = 0.3;

    private BenchSupport() {
    }

    /**
     * The words of real prompts, taken in order until the text has at least {@code wordPieces} word pieces under
     * the encoder's tokenizer (special tokens included).
     */
    static String promptOfWordPieces(PromptEncoder encoder, List<String> prompts, int wordPieces) {
        StringBuilder sb = new StringBuilder();
        for (String p : prompts) {
            for (String w : p.split("\\s+")) {
                if (w.isEmpty()) {
                    continue;
                }
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(w);
                if (encoder.countTokens(sb.toString()) >= wordPieces) {
                    return sb.toString();
                }
            }
        }
        throw new IllegalStateException("the prompts have fewer than " + wordPieces + " word pieces");
    }

    /** The first {@code words} words of the first prompt that has that many. */
    static String promptOfWords(List<String> prompts, int words) {
        for (String p : prompts) {
            String[] w = p.strip().split("\\s+");
            if (w.length >= words) {
                return String.join(" ", java.util.Arrays.copyOf(w, words));
            }
        }
        throw new IllegalStateException("no prompt has " + words + " words");
    }

    /** Cycles through the queries, one per call; one per benchmark thread. */
    static final class Cursor {
        private int i;

        float[] next(float[][] queries) {
            float[] q = queries[i];
            i = i + 1 == queries.length ? 0 : i + 1;
            return q;
        }
    }
}

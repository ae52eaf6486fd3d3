package dev.carrot.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Made-up routing data for child-JVM tests: prompts of random words, two models, costs, train and test splits. */
final class SyntheticPrompts {
    private static final String[] WORDS = ("route prompt model cheaper quality budget token price answer question "
            + "explain compute derivative integral history river capital poem story email letter matrix").split(" ");

    private SyntheticPrompts() {
    }

    /** {@code n} prompts of {@code minWords} to {@code 2 * minWords} words. */
    static List<String> prompts(int n, int minWords) {
        SplittableRandom r = new SplittableRandom(3);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder("Prompt " + i + ":");
            for (int w = 0; w < minWords + r.nextInt(minWords + 1); w++) {
                sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Writes the prompts as a long-format CSV: models big (dear) and small (cheap), one prompt in five is test. */
    static Path writeCsv(Path file, List<String> prompts) throws IOException {
        StringBuilder csv = new StringBuilder("prompt_id,prompt,model,score,split,cost_usd\n");
        for (int i = 0; i < prompts.size(); i++) {
            for (String m : List.of("big", "small")) {
                csv.append("p").append(i).append(",\"").append(prompts.get(i)).append("\",").append(m).append(',')
                        .append((i + m.length()) % 2).append(',').append(i % 5 == 0 ? "test" : "train").append(',')
                        .append(m.equals("big") ? "0.01" : "0.001").append('\n');
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, csv);
        return file;
    }
}

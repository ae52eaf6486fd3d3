package dev.carrot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code carrot train} on data with one 50 MB prompt, under -Xmx2g: it used to abort the JVM in the tokenizer. */
class LongPromptTrainTest {
    @TempDir
    Path tmp;

    @Test
    void aFiftyMegabytePromptCellTrainsUnderTwoGigabytes() throws Exception {
        Path data = tmp.resolve("long.csv");
        List<String> prompts = SyntheticPrompts.prompts(60, 8);
        try (BufferedWriter w = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
            w.write("prompt_id,prompt,model,score,split,cost_usd\n");
            String huge = "lorem ipsum dolor sit amet ".repeat(50_000_000 / 27);
            for (int i = 0; i < prompts.size(); i++) {
                String p = i == 7 ? huge : prompts.get(i);
                for (String m : List.of("big", "small")) {
                    w.write("p" + i + ",\"" + p + "\"," + m + "," + ((i + m.length()) % 2) + ","
                            + (i % 5 == 0 ? "test" : "train") + "," + (m.equals("big") ? "0.01" : "0.001") + "\n");
                }
            }
        }
        Path work = tmp.resolve("run");
        Process p = ChildJvm.start(work, tmp.resolve("cache"), List.of("-Xmx2g"), "train", "--data", data.toString(),
                "--out", work.resolve("out").toString(), "--predictors", "knn", "--bootstrap", "20");
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(work.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(err).doesNotContain("fatal runtime error");
        assertThat(work.resolve("out/router/manifest.json")).isRegularFile();
    }
}

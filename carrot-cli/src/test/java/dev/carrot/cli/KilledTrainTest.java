package dev.carrot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL at any moment of {@code carrot train} leaves {@code --out} as the previous run wrote it: every output
 * (router, routers, summary, curves, evaluation) from one generation, nothing half-written in view; the next run
 * cleans up what the killed one left.
 */
class KilledTrainTest {
    @TempDir
    Path tmp;

    private static final List<String> ENTRIES = List.of("router", "routers", "summary.json", "curves.csv",
            "curves.png", "eval");

    @Test
    void killingTrainAtAnyStepLeavesThePreviousOutputWhole() throws Exception {
        Path data = SyntheticPrompts.writeCsv(tmp.resolve("prompts.csv"), SyntheticPrompts.prompts(400, 10));
        Path cache = tmp.resolve("cache");
        Path out = tmp.resolve("out");
        String[] train = {"train", "--data", data.toString(), "--out", out.toString(), "--threads", "2",
                "--bootstrap", "50", "--predictors", "knn,logistic"};
        Process first = ChildJvm.start(tmp.resolve("run0"), cache, List.of("-Xmx1g"), train);
        assertThat(first.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(tmp.resolve("run0/err.txt"))).isZero();
        Path gen = out.resolve("current").toRealPath();
        String summary = Files.readString(out.resolve("summary.json"));
        assertWhole(out, gen);

        // kill it in the middle of each step: training, export, evaluation
        List<String> steps = List.of("KNN cross-validation", "export check", "evaluation written");
        for (int i = 0; i < steps.size(); i++) {
            Path work = tmp.resolve("kill" + i);
            Process p = ChildJvm.start(work, cache, List.of("-Xmx1g"), train);
            assertThat(ChildJvm.awaitText(p, work.resolve("err.txt"), steps.get(i), 240))
                    .as("run reached '%s'", steps.get(i)).isTrue();
            ChildJvm.signal(p, "KILL");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out.resolve("current").toRealPath()).as("after a kill at '%s'", steps.get(i)).isEqualTo(gen);
            assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(summary);
            assertWhole(out, gen);
        }

        Process last = ChildJvm.start(tmp.resolve("run1"), cache, List.of("-Xmx1g"), train);
        assertThat(last.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(tmp.resolve("run1/err.txt"))).isZero();
        Path next = out.resolve("current").toRealPath();
        assertThat(next).isNotEqualTo(gen);
        assertWhole(out, next);
        try (Stream<Path> s = Files.list(out.resolve("generations"))) {
            assertThat(s.map(Path::toAbsolutePath).toList()).containsExactlyInAnyOrder(gen, next);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString()))
                    .allMatch(n -> ENTRIES.contains(n) || List.of("current", "generations", ".carrot-out",
                            ".carrot-out.lock").contains(n));
        }
    }

    /** Every output is there, from generation {@code gen}. */
    private static void assertWhole(Path out, Path gen) throws Exception {
        for (String e : ENTRIES) {
            assertThat(out.resolve(e).toRealPath()).as(e).isEqualTo(gen.resolve(e));
        }
        assertThat(gen.resolve("router/manifest.json")).isRegularFile();
        assertThat(gen.resolve("routers/knn/manifest.json")).isRegularFile();
        assertThat(gen.resolve("routers/logistic/manifest.json")).isRegularFile();
        assertThat(gen.resolve("eval/eval.json")).isRegularFile();
    }
}

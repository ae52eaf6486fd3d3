package dev.carrot.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged launcher, {@code carrot-cli/target/carrot} over {@code carrot.jar}, run as a user runs it: from
 * other working directories, with arguments no shell-quoting mistake survives. Runs in failsafe's
 * {@code integration-test} phase, after {@code package} has built the jar.
 */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path launcher;
    static Path router;
    static String trainOut;

    record Run(int code, String out, String err) {
    }

    static Run run(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path out = Files.createTempFile(workDir.getParent(), "out", ".txt");
        Path err = Files.createTempFile(workDir.getParent(), "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("CARROT_CACHE_DIR", System.getProperty("carrot.cache.dir",
                Path.of("target", "carrot-cache").toAbsolutePath().toString()));
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().remove("CARROT_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("carrot " + String.join(" ", args) + " did not finish in 240 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void trainWithTheLauncher() throws Exception {
        launcher = Path.of(System.getProperty("carrot.launcher.path", "target/carrot")).toAbsolutePath();
        assertThat(launcher).as("the launcher is built by 'mvn package' (run this test with 'mvn verify')")
                .isExecutable();
        assertThat(launcher.resolveSibling("carrot.jar")).isRegularFile();
        Path work = shared.resolve("train here");
        SyntheticPrompts.writeCsv(work.resolve("prompts.csv"), SyntheticPrompts.prompts(40, 6));
        Run r = run(work, Map.of(), "train", "--data", "prompts.csv", "--out", "out/x", "--predictors", "knn",
                "--bootstrap", "20", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as("progress goes to stderr as plain lines when stderr is a file").doesNotContain("\r");
        router = work.resolve("out/x/router");
        assertThat(router.resolve("manifest.json")).isRegularFile();
        trainOut = r.out();
    }

    @Test
    void versionFromAnotherDirectory() throws Exception {
        Run r = run(tmp.resolve("elsewhere"), Map.of(), "--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).matches("carrot \\S+ \\(commit ([0-9a-f]{7,40}(, with uncommitted changes)?|unknown)"
                + "\\)\\R");
        assertThat(r.err()).contains("Using incubator modules: jdk.incubator.vector");
    }

    @Test
    void routeJsonIsExactlyTheJsonWithThePromptsAsGiven() throws Exception {
        List<String> prompts = List.of("What is the value of i^i?",
                "He said \"don't\" -- and 'it's' $HOME `uname` $(id) \\n \\\" ; | & * ?",
                "  two  spaces  ", "line one\nline two\n", "@/etc/hostname", "ünïcødé ✓ 数学", "-1 or 1?");
        List<String> args = new ArrayList<>(List.of("route", "--router", router.toString(), "--mu", "0.3", "--json",
                "--"));
        args.addAll(prompts);
        Run r = run(tmp.resolve("another dir"), Map.of(), args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("[");
        JsonNode decisions = JSON.readTree(r.out());
        assertThat(StreamSupport.stream(decisions.spliterator(), false).map(d -> d.get("prompt").asText()))
                .containsExactlyElementsOf(prompts);
        assertThat(decisions.get(0).get("model").asText()).isIn("big", "small");
        assertThat(decisions.get(0).get("mu").asDouble()).isEqualTo(0.3);
        assertThat(r.err()).contains("Using incubator modules");
    }

    @Test
    void theCommandTrainSuggestsRunsAsPrinted() throws Exception {
        String line = trainOut.lines().filter(l -> l.startsWith("try next: ")).findFirst().orElseThrow();
        String command = line.substring("try next: ".length());
        assertThat(command).contains(" route --router out/x/router --mu 0.3 'What is the value of i^i?'");
        Process p = new ProcessBuilder("sh", "-c", command + " --json").directory(shared.resolve("train here")
                .toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(JSON.readTree(out).get(0).get("prompt").asText()).isEqualTo("What is the value of i^i?");
    }

    @Test
    void worksThroughASymbolicLinkOnPath() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("carrot"), launcher);
        try {
            // the shell finds carrot on PATH: the launcher must find carrot.jar through the link
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", "carrot --version").directory(tmp.toFile());
            pb.environment().put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).startsWith("carrot ");
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void noJavaOrAnOldJavaIsAClearMessage() throws Exception {
        Run none = run(tmp.resolve("w"), Map.of("JAVA_HOME", tmp.resolve("no-jdk").toString()), "--version");
        assertThat(none.code()).isEqualTo(127);
        assertThat(none.err()).contains("JAVA_HOME is " + tmp.resolve("no-jdk") + ", which has no bin/java");
        assertThat(none.out()).isEmpty();

        Path old = Files.createDirectories(tmp.resolve("jdk8/bin")).resolve("java");
        Files.writeString(old, "#!/bin/sh\necho 'java version \"1.8.0_402\"' >&2\n");
        old.toFile().setExecutable(true);
        Run eight = run(tmp.resolve("w"), Map.of("JAVA_HOME", tmp.resolve("jdk8").toString()), "--version");
        assertThat(eight.code()).isEqualTo(1);
        assertThat(eight.err()).contains("is Java 1.8.0_402; carrot needs Java 17 or later");
    }
}

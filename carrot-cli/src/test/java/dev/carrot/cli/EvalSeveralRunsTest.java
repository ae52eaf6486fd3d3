package dev.carrot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.train.TrainJob;
import dev.carrot.train.TrainerConfig;
import dev.carrot.train.Variant;
import dev.carrot.train.eval.EvalJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.carrot.cli.CliTest.carrot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code carrot eval} with several {@code --router} arguments: two training runs on the same made-up data, one with
 * the 64-bucket and one with the 32-bucket hashed-words encoder ({@link HashedWordsEngine}), evaluated together on
 * the same test prompts, each router with its own encoder, paired against the first run's KNN router. The runs are
 * trained in this JVM; the evaluation runs in a child JVM where the test engine stands in for the built-in encoders.
 */
class EvalSeveralRunsTest {
    @TempDir
    static Path tmp;

    static final List<String> WORDS = List.of("derivative", "integral", "matrix", "proof", "poem", "story", "email",
            "letter", "river", "capital", "history", "answer", "route", "price", "token", "model");
    static Path csv;
    static Path head;
    static Path tail;
    static List<String> testPrompts = new ArrayList<>();
    static List<double[]> testScores = new ArrayList<>();

    /**
     * Prompts of random words; "big" gets the prompts with a word of poetry wrong, "small" those with a maths word,
     * and each a few more by a fixed pattern. One prompt in five is test, one in five validation.
     */
    @BeforeAll
    static void trainTwoRuns() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        StringBuilder sb = new StringBuilder("prompt_id,prompt,model,score,split,cost_usd\n");
        for (int i = 0; i < 300; i++) {
            StringBuilder p = new StringBuilder("Prompt " + i + ":");
            boolean maths = false;
            boolean poetry = false;
            for (int w = 0; w < 3 + r.nextInt(3); w++) {
                int k = r.nextInt(WORDS.size());
                maths |= k < 4;
                poetry |= k == 4 || k == 5;
                p.append(' ').append(WORDS.get(k));
            }
            int big = poetry || i % 13 == 0 ? 0 : 1;
            int small = maths || i % 7 == 0 ? 0 : 1;
            String split = i % 5 == 0 ? "test" : i % 5 == 1 ? "validation" : "train";
            sb.append("p").append(i).append(',').append(p).append(",big,").append(big).append(',').append(split)
                    .append(",0.01\n");
            sb.append("p").append(i).append(',').append(p).append(",small,").append(small).append(',').append(split)
                    .append(",0.001\n");
            if (split.equals("test")) {
                testPrompts.add(p.toString());
                testScores.add(new double[]{big, small});
            }
        }
        csv = tmp.resolve("prompts.csv");
        Files.writeString(csv, sb);
        RoutingDataset data = new DatasetLoader(DatasetLoader.Options.defaults()).load(csv.toString());
        head = tmp.resolve("runs/head");
        tail = tmp.resolve("runs/tail");
        train(data, new HashedWordsEngine().miniLm(new EncoderOptions()), head);
        train(data, new HashedWordsEngine().builtIn(HashedWordsEngine.NAME_32, new EncoderOptions()), tail);
    }

    private static void train(RoutingDataset data, PromptEncoder encoder, Path out) throws Exception {
        try (encoder) {
            new TrainJob(TrainerConfig.defaults().withVariants(List.of(Variant.KNN, Variant.LOGISTIC)).withThreads(2),
                    encoder, out, Optional.empty(), java.time.Instant.EPOCH)
                    .withEvalOptions(new EvalJob.Options(20, 42)).run(data, Optional.empty(), Map.of());
        }
    }

    @Test
    void routersOfTwoEncodersAreComparedPairedAgainstTheFirstRunsKnnRouter() throws Exception {
        Path work = tmp.resolve("work");
        Path cache = tmp.resolve("fresh-cache"); // nothing embedded yet: every test prompt is encoded, or found again
        Path out = tmp.resolve("compared");
        Process p = ChildJvm.start(work, cache, List.of("-Xmx1g"), Map.of(),
                HashedWordsEngine.servicesDir(tmp.resolve("engine")), "eval", "--data", csv.toString(),
                "--router", "head=" + head, "--router", tail.toString(), "--router", "same=" + head,
                "--bootstrap", "200", "--out", out.toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("carrot eval finished").isTrue();
        String stdout = Files.readString(work.resolve("out.txt"));
        String stderr = Files.readString(work.resolve("err.txt"));
        assertThat(p.exitValue()).as(stderr).isZero();
        int n = testPrompts.size();

        // each encoder embedded the test prompts once: as many lookups as prompts, all of them new to the cache
        List<String> embedded = stdout.lines().filter(l -> l.startsWith("encoder ")).toList();
        assertThat(embedded).as(stdout).hasSize(2);
        assertThat(embedded.get(0)).startsWith("encoder test/hashed-words (" + HashedWordsEngine.INFO.fingerprint()
                        + "): " + n + " test prompts embedded once (" + n + " encoded, 0 from the cache) for ")
                .contains("head/knn", "head/logistic", "same/knn", "same/logistic").doesNotContain("tail/");
        assertThat(embedded.get(1)).isEqualTo("encoder test/hashed-words-32 ("
                + HashedWordsEngine.INFO_32.fingerprint() + "): " + n + " test prompts embedded once (" + n
                + " encoded, 0 from the cache) for " + String.join(", ", names(tail, "tail")));
        try (var dirs = Files.list(cache.resolve("embeddings"))) {
            assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrder(
                    HashedWordsEngine.INFO.onnxSha256(), HashedWordsEngine.INFO_32.onnxSha256());
        }

        JsonNode eval = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        List<String> routers = new ArrayList<>();
        eval.get("routers").forEach(x -> routers.add(x.asText()));
        List<String> expected = new ArrayList<>(names(head, "head"));
        expected.addAll(names(tail, "tail"));
        expected.addAll(names(head, "same"));
        assertThat(routers).containsExactlyElementsOf(expected);
        assertThat(eval.get("paired")).isNotEmpty().allSatisfy(x -> assertThat(x.get("baseline").asText())
                .isEqualTo("head/knn"));

        // by hand: each KNN router's own decisions at mu = 0 on the test prompts, scored with the true outcomes
        double qHead = qualityAtMuZero(head.resolve("routers/knn"), new HashedWordsEngine().miniLm(
                new EncoderOptions()));
        double qTail = qualityAtMuZero(tail.resolve("routers/knn"), new HashedWordsEngine().builtIn(
                HashedWordsEngine.NAME_32, new EncoderOptions()));
        assertThat(metric(eval, "head/knn", "quality_at_lambda0").get("value").asDouble())
                .isCloseTo(qHead, within(1e-12));
        assertThat(metric(eval, "tail/knn", "quality_at_lambda0").get("value").asDouble())
                .isCloseTo(qTail, within(1e-12));
        JsonNode tailVsHead = paired(eval, "tail/knn");
        assertThat(tailVsHead.get("quality_at_lambda0").get("difference").asDouble())
                .isCloseTo(qTail - qHead, within(1e-12));
        assertThat(tailVsHead.get("area").get("difference").asDouble()).isCloseTo(
                metric(eval, "tail/knn", "area").get("value").asDouble()
                        - metric(eval, "head/knn", "area").get("value").asDouble(), within(1e-12));
        // the first run under a second label: exactly 0 in every resample
        for (String metric : List.of("area", "quality_at_lambda0")) {
            JsonNode d = paired(eval, "same/knn").get(metric);
            assertThat(d.get("difference").asDouble()).as(metric).isEqualTo(0.0);
            assertThat(d.get("ci_low").asDouble()).as(metric).isEqualTo(0.0);
            assertThat(d.get("ci_high").asDouble()).as(metric).isEqualTo(0.0);
        }
        assertThat(paired(eval, "same/logistic").get("area")).isEqualTo(paired(eval, "head/logistic").get("area"));
        assertThat(Files.readAllLines(out.resolve("paired.csv"))).anyMatch(l -> l.startsWith("tail/knn,head/knn,area,"))
                .anyMatch(l -> l.startsWith("same/knn,head/knn,area,0,0,0,"));
        assertThat(stdout).contains("evaluated 6 router(s) on " + n + " test prompts")
                .containsPattern("same/knn +\\S+ \\[\\S+, \\S+\\] +\\+0\\.0000 \\[\\+0\\.0000, \\+0\\.0000\\]")
                .contains("vs head/knn: paired bootstrap");
    }

    @Test
    void aDuplicateLabelAndAnUnknownReferenceAreRefused() {
        // the folder name of head is "head": the same label as the one given to tail
        CliTest.Run dup = carrot("eval", "--data", csv.toString(), "--router", "head=" + tail, "--router",
                head.toString());
        assertThat(dup.code()).isEqualTo(2);
        assertThat(dup.err()).contains("--router head=" + tail + " and --router " + head
                + " both get the label 'head'");
        CliTest.Run ref = carrot("eval", "--data", csv.toString(), "--router", "head=" + head, "--router",
                tail.toString(), "--reference", "knn");
        assertThat(ref.code()).isEqualTo(2);
        assertThat(ref.err()).contains("--reference knn is not one of the routers evaluated: ")
                .contains("head/knn").contains("tail/logistic");
    }

    @Test
    void aLabelIsTheTextBeforeTheFirstEqualsSignOnlyWhenThatHasNoSlashAndTheRestExists() throws Exception {
        EvalCommand.RouterArg labelled = EvalCommand.RouterArg.parse("h=" + head);
        assertThat(labelled.label()).isEqualTo("h");
        assertThat(labelled.dir()).isEqualTo(head);
        Path odd = Files.createDirectories(tmp.resolve("odd/a=b"));
        EvalCommand.RouterArg path = EvalCommand.RouterArg.parse(odd.toString());
        assertThat(path.dir()).isEqualTo(odd);
        assertThat(path.label()).isEqualTo("a=b");
        // "x" names no folder here: the whole text is the path
        EvalCommand.RouterArg missing = EvalCommand.RouterArg.parse("w=x");
        assertThat(missing.dir()).isEqualTo(Path.of("w=x"));
        assertThat(EvalCommand.RouterArg.parse(head.resolve("router").toString()).label()).isEqualTo("head");
    }

    /** The router names of a train output as carrot eval lists them: the default router first, then the rest. */
    private static List<String> names(Path run, String label) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path dir : EvalCommand.artifacts(run)) {
            try (Router r = Router.load(dir)) {
                out.add(label + "/" + r.model().provenance().variant().orElseThrow());
            }
        }
        return out;
    }

    private static double qualityAtMuZero(Path dir, PromptEncoder encoder) throws Exception {
        try (encoder; Router r = Router.load(dir, encoder)) {
            double sum = 0;
            for (int i = 0; i < testPrompts.size(); i++) {
                String model = r.route(testPrompts.get(i), 0, RouteOptions.defaults()).model();
                sum += testScores.get(i)[model.equals("big") ? 0 : 1];
            }
            return sum / testPrompts.size();
        }
    }

    private static JsonNode metric(JsonNode eval, String router, String metric) {
        for (JsonNode row : eval.get("metrics")) {
            if (row.get("router").asText().equals(router)) {
                return row.get(metric);
            }
        }
        throw new AssertionError("no metrics for " + router);
    }

    private static JsonNode paired(JsonNode eval, String router) {
        for (JsonNode row : eval.get("paired")) {
            if (row.get("router").asText().equals(router)) {
                return row;
            }
        }
        throw new AssertionError("no paired comparison for " + router);
    }
}

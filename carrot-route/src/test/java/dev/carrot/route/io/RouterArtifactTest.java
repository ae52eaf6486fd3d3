package dev.carrot.route.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.Decision;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.Truncation;
import dev.carrot.route.TestRouters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.carrot.route.model.BlendPredictor;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.RouterModel;

class RouterArtifactTest {
    @TempDir
    Path tmp;

    /** The golden model: every predictor kind (KNN, logistic, blend), token costs, calibration, cost bounds. */
    static RouterModel golden() {
        float[] w = new float[3 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i + 1) * 2;
        }
        Predictor logistic = new LinearPredictor(3, 4, w, new float[]{0.1f, -0.2f, 0.3f},
                LinearPredictor.Link.SIGMOID);
        RouterModel base = TestRouters.withBounds();
        return base.toBuilder()
                .quality(new BlendPredictor(0.6, base.quality(), logistic))
                .build();
    }

    static final float[][] QUERIES = {
            {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0.6f, 0.8f}, {0.5f, 0.5f, 0.5f, 0.5f}};

    static void assertSamePredictions(Router a, Router b) {
        for (float[] q : QUERIES) {
            for (int tokens : new int[]{-1, 0, 37}) {
                Router.Prediction pa = a.predict(q, tokens);
                Router.Prediction pb = b.predict(q, tokens);
                assertThat(pb.quality()).containsExactly(pa.quality());
                assertThat(pb.costUsd()).containsExactly(pa.costUsd());
                assertThat(pb.inputTokens()).containsExactly(pa.inputTokens());
                assertThat(pb.outputTokens()).containsExactly(pa.outputTokens());
            }
            for (double mu : new double[]{0, 0.01, 0.2, 0.7, 1}) {
                assertThat(b.route(q, 12, mu, RouteOptions.defaults()))
                        .isEqualTo(a.route(q, 12, mu, RouteOptions.defaults()));
            }
        }
    }

    @Test
    void roundTripKeepsEveryPrediction() throws IOException {
        RouterModel m = golden();
        Path dir = tmp.resolve("router");
        RouterArtifact.write(m, dir);
        RouterModel back = RouterArtifact.read(dir);
        assertSamePredictions(Router.of(m, null), Router.of(back, null));
        assertThat(back.models()).isEqualTo(m.models());
        assertThat(back.encoder()).isEqualTo(m.encoder());
        assertThat(back.prices()).isEqualTo(m.prices());
        assertThat(back.provenance()).isEqualTo(m.provenance());
        assertThat(back.calibration().orElseThrow().cost()).containsExactly(m.calibration().orElseThrow().cost());
        assertThat(back.quality().describe()).isEqualTo(m.quality().describe());
    }

    @Test
    void directAndNoneCostModelsRoundTrip() throws IOException {
        RouterModel direct = TestRouters.builder().prices(null)
                .cost(new CostModel.Direct(new KnnPredictor(2, 3, new float[]{
                        0.01f, 0.001f, 0.002f, 0.02f, 0.001f, 0.003f, 0.01f, 0.0f, 0.001f, 0.03f, 0.002f, 0.002f})))
                .build();
        RouterModel none = TestRouters.builder().prices(null).cost(new CostModel.None()).build();
        for (RouterModel m : List.of(direct, none)) {
            Path dir = tmp.resolve(m.cost().kind());
            RouterArtifact.write(m, dir);
            assertSamePredictions(Router.of(m, null), Router.of(RouterArtifact.read(dir), null));
        }
        // USD bounds of a direct-cost router in two prompt groups (centroids in the encoder's space), read back
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        double[] pred = new double[150 * 3];
        double[] actual = new double[150 * 3];
        int[] group = new int[150];
        for (int i = 0; i < 150; i++) {
            group[i] = i % 3 == 0 ? 1 : 0;
            for (int j = 0; j < 3; j++) {
                pred[i * 3 + j] = 0.001 * (1 + r.nextDouble());
                actual[i * 3 + j] = pred[i * 3 + j] * Math.exp((group[i] + 0.2) * r.nextGaussian());
            }
        }
        float[] centroids = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.6f, 0.8f};
        RouterModel bounded = direct.toBuilder().costBounds(CostBounds.fit(CostBounds.Target.COST_USD, pred, actual,
                150, 3, 4, centroids, new int[]{0, 1, 0}, group)).build();
        Path dir = tmp.resolve("bounded");
        RouterArtifact.write(bounded, dir);
        CostBounds back = RouterArtifact.read(dir).costBounds().orElseThrow();
        CostBounds want = bounded.costBounds().orElseThrow();
        assertThat(back.target()).isEqualTo(CostBounds.Target.COST_USD);
        assertThat(back.groupSizes()).containsExactly(want.groupSizes()).containsExactly(100, 50);
        assertThat(back.centroids()).containsExactly(centroids);
        assertThat(back.centroidGroup()).containsExactly(0, 1, 0);
        assertThat(back.offset()).containsExactly(want.offset());
        assertThat(back.scores()).containsExactly(want.scores());
        // the wider group gets the wider bounds; a prompt near the second centroid is in it
        Router br = Router.of(bounded, null);
        double[] near0 = br.costUpperBounds(new float[]{1, 0, 0, 0}, -1, 0.9);
        double[] near1 = br.costUpperBounds(new float[]{0, 1, 0, 0}, -1, 0.9);
        double[] p0 = br.predict(new float[]{1, 0, 0, 0}, -1).costUsd();
        double[] p1 = br.predict(new float[]{0, 1, 0, 0}, -1).costUsd();
        for (int j = 0; j < 3; j++) {
            assertThat(near1[j] / p1[j]).isGreaterThan(near0[j] / p0[j]);
        }
        assertThatThrownBy(() -> TestRouters.builder().prices(null).cost(direct.cost()).costBounds(CostBounds.fit(
                CostBounds.Target.COST_USD, pred, actual, 150, 3, 2, new float[]{1, 0, 0, 1}, new int[]{0, 1}, group))
                .build()).hasMessageContaining("centroids of dimension 2, the router's encoder has dimension 4");
        // bounds must be of what the cost model predicts, for every model
        assertThatThrownBy(() -> TestRouters.withCalibration().toBuilder().costBounds(want).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cost bounds are of cost_usd but the 'tokens' cost model predicts output_tokens");
        assertThatThrownBy(() -> none.toBuilder().costBounds(want).build())
                .hasMessageContaining("cost model 'none') has no cost bounds");
        assertThatThrownBy(() -> direct.toBuilder().costBounds(CostBounds.fit(CostBounds.Target.COST_USD,
                new double[]{1, 2}, new double[]{1, 2}, 1, 2, 0, new float[0], new int[0], new int[1])).build())
                .hasMessageContaining("cost bounds cover 2 models, the router has 3");
        Decision d = Router.of(none, null).route(TestRouters.query(), 0.5);
        assertThat(d.costModel()).isEqualTo("none");
        assertThat(d.chosen().costUsd()).isZero();
        assertThatThrownBy(() -> Router.of(direct, null).withPrices(TestRouters.prices()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cost model is 'direct'")
                .hasMessageContaining("its prices cannot be changed");
    }

    @Test
    void rewritingReplacesTheOldArtifactAndLeavesNoTemporaryFiles() throws IOException {
        Path dir = tmp.resolve("router");
        RouterArtifact.write(TestRouters.small(), dir);
        RouterArtifact.write(golden(), dir);
        assertThat(RouterArtifact.read(dir).quality()).isInstanceOf(BlendPredictor.class);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("router");
        }
        Path other = tmp.resolve("precious");
        Files.createDirectories(other);
        Files.writeString(other.resolve("thesis.txt"), "do not delete");
        assertThatThrownBy(() -> RouterArtifact.write(golden(), other))
                .hasMessageContaining("refusing to replace something that is not a carrot router");
        assertThat(other.resolve("thesis.txt")).exists();
    }

    // ------------------------------------------------------------------------------------ corrupt and mismatched

    private Path written() throws IOException {
        Path dir = tmp.resolve("router");
        RouterArtifact.write(golden(), dir);
        return dir;
    }

    @Test
    void aTruncatedArrayIsRejected() throws IOException {
        Path dir = written();
        Path f = dir.resolve("arrays/knn.embeddings.f32");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
        assertThatThrownBy(() -> RouterArtifact.read(dir))
                .isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("knn.embeddings.f32: array file has 61 bytes, expected 64")
                .hasMessageContaining("truncated");
    }

    @Test
    void aFlippedByteIsRejected() throws IOException {
        Path dir = written();
        Path f = dir.resolve("arrays/quality.second.weights.f32");
        byte[] b = Files.readAllBytes(f);
        b[5] ^= 0x10;
        Files.write(f, b);
        assertThatThrownBy(() -> RouterArtifact.read(dir))
                .isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("quality.second.weights.f32: checksum mismatch")
                .hasMessageContaining("corrupt");
    }

    @Test
    void aMissingArrayIsRejected() throws IOException {
        Path dir = written();
        Files.delete(dir.resolve("arrays/cost.output_tokens.targets.f32"));
        assertThatThrownBy(() -> RouterArtifact.read(dir))
                .hasMessageContaining("cost.output_tokens.targets.f32: missing array file");
    }

    @Test
    void aNewerFormatVersionIsRejected() throws IOException {
        Path dir = written();
        int newer = RouterArtifact.FORMAT_VERSION + 1;
        editManifest(dir, m -> m.put("format_version", newer));
        assertThatThrownBy(() -> RouterArtifact.read(dir))
                .hasMessageContaining("router artifact format version " + newer + " is newer than this carrot-route")
                .hasMessageContaining("reads (up to " + RouterArtifact.FORMAT_VERSION + ")")
                .hasMessageContaining("upgrade carrot-route");
    }

    @Test
    void aTruncatedOrForeignManifestIsRejected() throws IOException {
        Path dir = written();
        Path mf = dir.resolve("manifest.json");
        String json = Files.readString(mf);
        Files.writeString(mf, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> RouterArtifact.read(dir)).hasMessageContaining("the manifest is not valid JSON");
        Files.writeString(mf, "{\"format\": \"something-else\"}");
        assertThatThrownBy(() -> RouterArtifact.read(dir)).hasMessageContaining("not a carrot router manifest");
        Files.delete(mf);
        assertThatThrownBy(() -> RouterArtifact.read(dir)).hasMessageContaining("no manifest.json");
    }

    @Test
    void anInconsistentManifestIsRejected() throws IOException {
        Path dir = written();
        editManifest(dir, m -> ((ArrayNode) m.get("models")).add("D"));
        assertThatThrownBy(() -> RouterArtifact.read(dir))
                .isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("has shape [4, 3], expected [4, 4]");
    }

    @Test
    void anEncoderThatDoesNotMatchIsRejected() throws IOException {
        Path dir = written();
        FakeEncoder otherSha = new FakeEncoder(4, "1".repeat(64));
        assertThatThrownBy(() -> Router.load(dir, otherSha))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the encoder this router was trained with: test-encoder");
        FakeEncoder otherDim = new FakeEncoder(8, "0".repeat(64));
        assertThatThrownBy(() -> Router.load(dir, otherDim))
                .hasMessageContaining("encoder dimension 8 does not match router dimension 4 (router trained with"
                        + " test-encoder)");
        String zero = "0".repeat(64);
        assertThatThrownBy(() -> Router.load(dir, new FakeEncoder(new EncoderInfo("fake", 4, zero, 32, Pooling.MEAN,
                true)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reads 32 word pieces per prompt but this router was trained with 16");
        assertThatThrownBy(() -> Router.load(dir, new FakeEncoder(new EncoderInfo("fake", 4, zero, 16, Pooling.CLS,
                true)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pools token vectors by CLS but this router was trained with MEAN pooling");
        assertThatThrownBy(() -> Router.load(dir, new FakeEncoder(new EncoderInfo("fake", 4, zero, 16, Pooling.MEAN,
                false)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not L2-normalise its vectors but this router was trained with normalised");
        assertThatThrownBy(() -> Router.load(dir, new FakeEncoder(TestRouters.ENCODER.withTruncation(
                Truncation.TAIL)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reads the last word pieces of a long prompt but this router was trained with"
                        + " the first").hasMessageContaining("load the encoder with truncation head");
        try (Router r = Router.load(dir, new FakeEncoder(4, "0".repeat(64)))) {
            assertThat(r.route("hello", 0.2).model()).isIn("A", "B", "C");
        }
    }

    @Test
    void tailTruncationIsWrittenInVersion3AndReadBack() throws IOException {
        RouterModel head = TestRouters.small();
        Path h = tmp.resolve("head");
        RouterArtifact.write(head, h);
        JsonNode hm = new ObjectMapper().readTree(h.resolve("manifest.json").toFile());
        assertThat(hm.get("format_version").asInt()).isEqualTo(2);
        assertThat(hm.get("encoder").has("truncation")).isFalse();
        assertThat(RouterArtifact.read(h).encoder().truncation()).isEqualTo(Truncation.HEAD);

        RouterModel tail = head.toBuilder().encoder(TestRouters.ENCODER.withTruncation(Truncation.TAIL)).build();
        Path t = tmp.resolve("tail");
        RouterArtifact.write(tail, t);
        JsonNode tm = new ObjectMapper().readTree(t.resolve("manifest.json").toFile());
        assertThat(tm.get("format_version").asInt()).isEqualTo(3);
        assertThat(tm.get("encoder").get("truncation").asText()).isEqualTo("tail");
        assertThat(RouterArtifact.read(t).encoder()).isEqualTo(tail.encoder());
        try (Router r = Router.load(t, new FakeEncoder(tail.encoder()))) {
            assertThat(r.route("hello", 0.2).model()).isIn("A", "B", "C");
        }

        editManifest(t, o -> ((ObjectNode) o.get("encoder")).put("truncation", "middle"));
        assertThatThrownBy(() -> RouterArtifact.read(t)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("encoder truncation 'middle'; expected 'head'");
        editManifest(t, o -> {
            ((ObjectNode) o.get("encoder")).put("truncation", "tail");
            o.put("format_version", 2);
        });
        assertThatThrownBy(() -> RouterArtifact.read(t)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("format version 2 has no encoder truncation side");
    }

    // ------------------------------------------------------------------------------------ golden

    private static final Path GOLDEN_V1 = Path.of("src/test/resources/golden/router-v1");
    private static final Path GOLDEN_V2 = Path.of("src/test/resources/golden/router-v2");
    private static final Path GOLDEN = Path.of("src/test/resources/golden/router-v" + RouterArtifact.FORMAT_VERSION);
    private static final Path EXPECTED = Path.of("src/test/resources/golden/router-v1-expected.json");

    /**
     * The golden artifacts were written by this code's earlier and current format versions. Each must still load and
     * predict the same; and writing the same model today must give the current version's bytes, so an accidental
     * format change fails here. To change the format on purpose, bump {@link RouterArtifact#FORMAT_VERSION}, add a
     * new golden directory next to these, and keep reading the old ones (run with -Dcarrot.writeGolden=true to write
     * the current one from {@link #goldenV3()}).
     */
    @Test
    void goldenArtifactsStillLoadAndWritingItAgainGivesTheSameBytes() throws IOException {
        if (Boolean.getBoolean("carrot.writeGolden")) {
            RouterArtifact.write(goldenV3(), GOLDEN);
        }
        ObjectNode expected = (ObjectNode) new ObjectMapper().readTree(EXPECTED.toFile());
        for (Path dir : List.of(GOLDEN_V1, GOLDEN_V2, GOLDEN)) {
            Router fromDisk = Router.of(RouterArtifact.read(dir), null);
            int i = 0;
            for (float[] q : QUERIES) {
                Router.Prediction p = fromDisk.predict(q, 37);
                ObjectNode e = (ObjectNode) expected.get("queries").get(i++);
                for (int m = 0; m < 3; m++) {
                    assertThat(p.quality()[m]).as(dir + " quality").isEqualTo(e.get("quality").get(m).asDouble());
                    assertThat(p.costUsd()[m]).as(dir + " cost").isEqualTo(e.get("cost").get(m).asDouble());
                }
                // mu = 0.2 is outside the golden policy's fixed-model range: the rule decides in every version
                assertThat(fromDisk.route(q, 37, 0.2, RouteOptions.defaults()).model()).isEqualTo(
                        e.get("model_at_0.2").asText());
            }
            // format version 3's optional fields: versions 1 and 2 load without any of them and route with the rule
            // alone, as they always did
            boolean v3 = dir.equals(GOLDEN);
            assertThat(fromDisk.model().encoder()).isEqualTo((v3 ? goldenV3() : golden()).encoder());
            assertThat(fromDisk.costBounds().isPresent()).as(dir + " has cost bounds").isEqualTo(v3);
            assertThat(fromDisk.policy().isPresent()).as(dir + " policy").isEqualTo(v3);
        }
        Router current = Router.of(RouterArtifact.read(GOLDEN), null);
        Router fresh = Router.of(goldenV3(), null);
        for (float[] q : QUERIES) {
            for (double c : new double[]{0.5, 0.9}) {
                assertThat(current.costUpperBounds(q, 37, c)).containsExactly(fresh.costUpperBounds(q, 37, c));
            }
        }
        assertThat(current.model().encoder().textPrefix()).isEqualTo("query: ");
        assertThat(current.policy().orElseThrow().choices()).containsExactly(goldenV3().policy().orElseThrow()
                .choices());
        assertThat(current.route(QUERIES[1], 37, 0.1, RouteOptions.defaults()).fixedModel()).contains("A");
        // the policy and the cost cap at a confidence together: the cap on upper bounds leaves A out, so the rule
        // picks among the others and the decision names no fixed model
        double[] bound = current.costUpperBounds(QUERIES[1], 37, 0.5);
        double cap = Math.max(bound[1], bound[2]);
        assertThat(bound[0]).isGreaterThan(cap);
        Decision capped = current.route(QUERIES[1], 37, 0.1,
                RouteOptions.defaults().withMaxCostUsd(cap).atConfidence(0.5));
        assertThat(capped.fixedModel()).isEmpty();
        assertThat(capped.model()).isNotEqualTo("A");
        assertThat(capped.capConfidence()).hasValue(0.5);
        assertThat(capped.withinCostCap()).isTrue();
        Path again = tmp.resolve("again");
        RouterArtifact.write(goldenV3(), again);
        assertSameFiles(GOLDEN, again);
        // a router without any of version 3's fields is still written as version 2, byte for byte
        Path v2 = tmp.resolve("again-v2");
        RouterArtifact.write(golden().toBuilder().costBounds(null).build(), v2);
        assertSameFiles(GOLDEN_V2, v2);
    }

    /**
     * The golden model of format version 3: {@link #golden()} (with cost bounds), the test routers' hand-made policy
     * (always A for mu in [0.05, 0.15]) and an encoder text prefix.
     */
    static RouterModel goldenV3() {
        EncoderInfo e = golden().encoder();
        return goldenWithPolicy().toBuilder().encoder(new EncoderInfo(e.id(), e.dimension(), e.onnxSha256(),
                e.maxTokens(), e.pooling(), e.normalize(), "query: ")).build();
    }

    /** The golden model with the test routers' hand-made policy (always A for mu in [0.05, 0.15]). */
    static RouterModel goldenWithPolicy() {
        return golden().toBuilder().policy(TestRouters.withPolicy().policy().orElseThrow()).build();
    }

    private static void assertSameFiles(Path golden, Path again) throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(golden)) {
            s.filter(Files::isRegularFile).forEach(p -> files.add(golden.relativize(p).toString()));
        }
        assertThat(files).contains("manifest.json", "arrays/knn.embeddings.f32");
        for (String f : files) {
            String want = Files.readString(golden.resolve(f), java.nio.charset.StandardCharsets.ISO_8859_1);
            String got = Files.readString(again.resolve(f), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (f.equals("manifest.json")) {
                // the carrot version, and so the manifest's checksum, are the only fields that may change
                for (String field : List.of("carrot_version", RouterArtifact.CHECKSUM_FIELD)) {
                    want = want.replaceAll("\"" + field + "\" : \"[^\"]*\"", "");
                    got = got.replaceAll("\"" + field + "\" : \"[^\"]*\"", "");
                }
            }
            assertThat(got).as(golden + "/" + f).isEqualTo(want);
        }
        try (Stream<Path> s = Files.walk(again)) {
            assertThat(s.filter(Files::isRegularFile).count()).as("files written").isEqualTo(files.size());
        }
    }

    @Test
    void aPolicyRoundTripsAndAMalformedOneIsRefused() throws IOException {
        RouterModel m = goldenWithPolicy();
        Path dir = tmp.resolve("policy");
        RouterArtifact.write(m, dir);
        assertThat(new ObjectMapper().readTree(dir.resolve("manifest.json").toFile()).get("format_version").asInt())
                .isEqualTo(3);
        RouterModel back = RouterArtifact.read(dir);
        assertSamePredictions(Router.of(m, null), Router.of(back, null));
        var p = back.policy().orElseThrow();
        assertThat(p.choices()).containsExactly(m.policy().orElseThrow().choices());
        assertThat(p.stats().quality()).containsExactly(m.policy().orElseThrow().stats().quality());
        assertThat(p.stats().outputTokens()).containsExactly(m.policy().orElseThrow().stats().outputTokens());
        assertThat(Router.of(back, null).calibration().orElseThrow().cost())
                .containsExactly(Router.of(m, null).calibration().orElseThrow().cost());
        String manifest = Files.readString(dir.resolve("manifest.json"));
        assertThat(manifest).contains("\"mu 0.05 to 0.15: always A\"");

        editManifest(dir, o -> ((ObjectNode) o.get("policy")).put("rule", "always_gpt4"));
        assertThatThrownBy(() -> RouterArtifact.read(dir)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("unknown policy rule 'always_gpt4', expected router_or_best_fixed");
        RouterArtifact.write(m, dir);
        editManifest(dir, o -> ((ArrayNode) o.get("policy").get("fixed_models").get("quality")).remove(0));
        assertThatThrownBy(() -> RouterArtifact.read(dir)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("'fixed_models.quality' must be an array of 3 numbers");
        RouterArtifact.write(m, dir);
        editManifest(dir, o -> o.put("format_version", 2));
        assertThatThrownBy(() -> RouterArtifact.read(dir)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("format version 2 has no fixed-model policy");
    }

    @Test
    void aChangedManifestOrALinkedArrayIsRefused() throws IOException {
        Path dir = written();
        Path manifest = dir.resolve("manifest.json");
        String text = Files.readString(manifest);
        // one changed digit of k changes predictions: the checksum catches it
        Files.writeString(manifest, text.replace("\"k\" : 2", "\"k\" : 3"));
        assertThatThrownBy(() -> RouterArtifact.read(dir)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("the manifest was changed after carrot wrote it");
        Files.writeString(manifest, text);
        RouterArtifact.read(dir);
        // an array file that links to a file outside the artifact
        Path outside = tmp.resolve("outside.f32");
        Path array = dir.resolve("arrays/knn.embeddings.f32");
        Files.copy(array, outside);
        Files.delete(array);
        Files.createSymbolicLink(array, outside);
        assertThatThrownBy(() -> RouterArtifact.read(dir)).isInstanceOf(ArtifactFormatException.class)
                .hasMessageContaining("array file is a link to").hasMessageContaining("outside the artifact");
    }

    private static void writeExpected(Router r, Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        ArrayNode qs = root.putArray("queries");
        for (float[] q : QUERIES) {
            Router.Prediction p = r.predict(q, 37);
            ObjectNode e = qs.addObject();
            ArrayNode qa = e.putArray("quality");
            ArrayNode ca = e.putArray("cost");
            for (int m = 0; m < 3; m++) {
                qa.add(p.quality()[m]);
                ca.add(p.costUsd()[m]);
            }
            e.put("model_at_0.2", r.route(q, 37, 0.2, RouteOptions.defaults()).model());
        }
        om.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /**
     * Edits a manifest and seals it again with a correct checksum, as a writer with a bug would: the reader's own
     * checks must catch what the edit broke.
     */
    private static void editManifest(Path dir, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode m = (ObjectNode) om.readTree(dir.resolve("manifest.json").toFile());
        edit.accept(m);
        m.put(RouterArtifact.CHECKSUM_FIELD, "0".repeat(64));
        byte[] bytes = om.writeValueAsBytes(m);
        String sum;
        try {
            sum = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        m.put(RouterArtifact.CHECKSUM_FIELD, sum);
        Files.write(dir.resolve("manifest.json"), om.writeValueAsBytes(m));
    }
}

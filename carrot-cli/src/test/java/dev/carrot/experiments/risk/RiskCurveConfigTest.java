package dev.carrot.experiments.risk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RiskCurveConfigTest {

    /** datasets/synthetic-default.json, found by walking up from the working directory. */
    static Path defaultFile() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("datasets").resolve("synthetic-default.json");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        Assumptions.assumeTrue(false, "datasets/synthetic-default.json not found above " + System.getProperty(
                "user.dir") + ": run the tests inside the project");
        return null;
    }

    @Test
    void theDocumentedFileIsTheDefault() throws IOException {
        assertThat(RiskCurveConfig.load(defaultFile())).isEqualTo(RiskCurveConfig.defaults());
    }

    @Test
    void jsonRoundTrip(@TempDir Path dir) throws IOException {
        RiskCurveConfig c = RiskCurveConfig.defaults().withSeed(9).withRepeats(3).withNMax(8_000)
                .withLogisticRepeats(0);
        Path f = dir.resolve("c.json");
        Files.writeString(f, c.toJsonText());
        assertThat(RiskCurveConfig.load(f)).isEqualTo(c);
        assertThat(c.sizes()).containsExactly(250, 500, 1000, 2000, 4000, 8000);
        assertThat(RiskCurveConfig.defaults().sizes()).hasSize(9).endsWith(64_000);
    }

    private static void assertRejected(Consumer<ObjectNode> edit, String message) {
        ObjectNode o = RiskCurveConfig.defaults().toJson();
        edit.accept(o);
        assertThatThrownBy(() -> RiskCurveConfig.fromJson(o)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsBadFiles(@TempDir Path dir) throws IOException {
        assertRejected(o -> o.put("repeat", 3), "repeat: unknown field (expected one of");
        assertRejected(o -> o.put("version", 2), "format version 2 is newer than this carrot reads (1): upgrade");
        assertRejected(o -> o.put("format", "other"), "format is 'other', expected 'carrot-risk-curves'");
        assertRejected(o -> o.put("repeats", "ten"), "repeats: expected an integer, got \"ten\"");
        assertRejected(o -> o.remove("seed"), "seed: missing");
        assertRejected(o -> o.put("n_max", 600), "n_max must be >= 4 n_min = 1000");
        assertRejected(o -> o.put("repeats", 1), "repeats must be >= 2");
        assertRejected(o -> ((ObjectNode) o.get("logistic")).put("repeats", 50), "logistic repeats must be 0");
        assertRejected(o -> ((ObjectNode) o.get("settings").get(1)).put("alpha", "x"),
                "settings[1].alpha: expected a number, got \"x\"");
        assertRejected(o -> ((ObjectNode) o.get("settings").get(0).get("models").get(1)).put("colour", 1),
                "settings[0].models[1].colour: unknown field");
        assertRejected(o -> ((ObjectNode) o.get("settings").get(0).get("models").get(0)).put("radius", 1),
                "settings[0].models[0].radius given without a centre");
        assertRejected(o -> ((ObjectNode) o.get("settings").get(0)).put("beta", 2),
                "setting d1-alpha1: beta must be in (0, 1], got 2.0");
        assertRejected(o -> ((ObjectNode) o.get("settings").get(0)).put("shape", "star"), "'ball' or 'box'");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format\": ");
        assertThatThrownBy(() -> RiskCurveConfig.load(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.json: not valid JSON");
        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, "{\"format\": \"carrot-risk-curves\", \"version\": 1}");
        assertThatThrownBy(() -> RiskCurveConfig.load(wrong)).hasMessageStartingWith(wrong + ": ")
                .hasMessageContaining("logistic: missing");
        assertThatThrownBy(() -> RiskCurveConfig.load(dir.resolve("none.json")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("none.json");
    }

    @Test
    void rejectsBadValues() {
        RiskCurveConfig d = RiskCurveConfig.defaults();
        assertThatThrownBy(() -> d.withSettings(List.of())).hasMessageContaining("at least one synthetic setting");
        assertThatThrownBy(() -> d.withSettings(List.of(RiskCurveConfig.setting1d(), RiskCurveConfig.setting1d())))
                .hasMessageContaining("setting names must be unique");
        assertThatThrownBy(() -> d.withEvalPoints(10)).hasMessageContaining("eval_points must be >= 100, got 10");
        assertThat(d.withRepeats(3).logisticRepeats()).isEqualTo(3);
        assertThat(d.withRepeats(100).logisticRepeats()).isEqualTo(5);
        assertThat(new ObjectMapper().valueToTree(d.toJson()).get("settings").size()).isEqualTo(3);
    }
}

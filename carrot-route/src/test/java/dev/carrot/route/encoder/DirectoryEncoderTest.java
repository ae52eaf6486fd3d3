package dev.carrot.route.encoder;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Encoders loaded from a folder with model.onnx + tokenizer.json (+ carrot-encoder.json). */
class DirectoryEncoderTest {

    private static final String BGE_ONNX = "bge-small-en-v1.5-q.onnx";
    private static final String BGE_TOKENIZER = "bge-small-en-v1.5-q-tokenizer.json";

    @TempDir
    static Path temp;

    @BeforeAll
    static void pointCacheAtTarget() {
        EncoderTestSupport.testCacheDir();
    }

    @Test
    void loadsADifferentModelWithClsPoolingFromAFolderNamedBge() throws IOException {
        Path folder = temp.resolve("bge-small-en-v1.5-q");
        copyResource(BGE_ONNX, folder.resolve("model.onnx"));
        copyResource(BGE_TOKENIZER, folder.resolve("tokenizer.json"));

        try (PromptEncoder bge = Encoders.fromDirectory(folder)) {
            EncoderInfo info = bge.info();
            assertThat(info.id()).isEqualTo("bge-small-en-v1.5-q");
            assertThat(info.dimension()).isEqualTo(384);
            assertThat(info.pooling()).isEqualTo(Pooling.CLS);
            assertThat(info.maxTokens()).isEqualTo(512);
            assertThat(info.normalize()).isTrue();
            assertThat(info.onnxSha256()).hasSize(64)
                    .isNotEqualTo(EncoderTestSupport.miniLm().info().onnxSha256());

            float[] cat = bge.encode("A cat is sleeping on the sofa.");
            float[] kitten = bge.encode("A kitten naps on the couch.");
            float[] tax = bge.encode("How do I file my income tax return?");
            assertThat(EncoderTestSupport.dot(cat, cat)).isCloseTo(1.0, within(1e-5));
            assertThat(EncoderTestSupport.dot(cat, kitten))
                    .isGreaterThan(EncoderTestSupport.dot(cat, tax) + 0.1);

            // This int8 model quantizes activations dynamically, with one scale per tensor: the other texts of a
            // batch (and their padding) shift every vector slightly, so batch and single agree only approximately.
            // (The fp32 MiniLM agrees within 1e-5: OnnxEncoderTest.)
            float[][] batch = bge.encodeAll(List.of("A kitten naps on the couch.", "A cat is sleeping on the sofa."));
            assertThat(EncoderTestSupport.dot(batch[0], kitten)).isGreaterThan(0.99);
            assertThat(EncoderTestSupport.dot(batch[1], cat)).isGreaterThan(0.99);
        }
    }

    @Test
    void configFileSetsIdPoolingAndMaxTokens() throws IOException {
        Path folder = temp.resolve("configured");
        copyResource(BGE_ONNX, folder.resolve("model.onnx"));
        copyResource(BGE_TOKENIZER, folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("carrot-encoder.json"),
                "{\"id\": \"BAAI/bge-small-en-v1.5 (int8)\", \"pooling\": \"mean\", \"normalize\": true, \"maxTokens\": 128}");
        try (PromptEncoder encoder = Encoders.fromDirectory(folder)) {
            assertThat(encoder.info().id()).isEqualTo("BAAI/bge-small-en-v1.5 (int8)");
            assertThat(encoder.info().pooling()).isEqualTo(Pooling.MEAN);
            assertThat(encoder.info().maxTokens()).isEqualTo(128);
        }
        try (PromptEncoder encoder = Encoders.fromDirectory(folder, new EncoderOptions().withMaxTokens(64))) {
            assertThat(encoder.info().maxTokens()).as("options override the folder").isEqualTo(64);
        }
    }

    @Test
    void miniLmFilesInAFolderGiveTheBuiltInVectors() throws IOException {
        Path folder = temp.resolve("minilm-copy");
        copyResource("all-minilm-l6-v2.onnx", folder.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("carrot-encoder.json"),
                "{\"id\": \"sentence-transformers/all-MiniLM-L6-v2\", \"pooling\": \"MEAN\", \"maxTokens\": 256}");
        PromptEncoder builtIn = EncoderTestSupport.miniLm();
        try (PromptEncoder copy = Encoders.fromDirectory(folder)) {
            assertThat(copy.info()).isEqualTo(builtIn.info());
            String text = "Write a Python function that returns the n-th Fibonacci number.";
            assertThat(copy.encode(text)).containsExactly(builtIn.encode(text), within(1e-6f));
        }
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path missing = temp.resolve("nope");
        assertThatThrownBy(() -> Encoders.fromDirectory(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");

        Path noModel = Files.createDirectories(temp.resolve("no-model"));
        Files.writeString(noModel.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> Encoders.fromDirectory(noModel))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(noModel.toString()).hasMessageContaining("has no model.onnx");

        Path noTokenizer = Files.createDirectories(temp.resolve("no-tokenizer"));
        Files.write(noTokenizer.resolve("model.onnx"), new byte[]{1, 2, 3});
        assertThatThrownBy(() -> Encoders.fromDirectory(noTokenizer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(noTokenizer.toString()).hasMessageContaining("has no tokenizer.json");

        Path file = Files.writeString(temp.resolve("a-file"), "x");
        assertThatThrownBy(() -> Encoders.fromDirectory(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a folder");
    }

    @Test
    void badConfigFilesAreRejectedWithTheFileAndTheExpectedValues() throws IOException {
        Path folder = temp.resolve("bad-config");
        copyResource("all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        Files.write(folder.resolve("model.onnx"), TinyOnnx.castModel("input_ids", "out"));
        Path config = folder.resolve("carrot-encoder.json");

        Files.writeString(config, "{\"pooling\": \"MAX\"}");
        assertThatThrownBy(() -> Encoders.fromDirectory(folder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(config.toString()).hasMessageContaining("expected \"MEAN\" or \"CLS\"");

        Files.writeString(config, "{\"poolin\": \"CLS\"}");
        assertThatThrownBy(() -> Encoders.fromDirectory(folder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'poolin'");

        Files.writeString(config, "{\"maxTokens\": 1}");
        assertThatThrownBy(() -> Encoders.fromDirectory(folder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens is 1");

        Files.writeString(config, "{\"id\": ");
        assertThatThrownBy(() -> Encoders.fromDirectory(folder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not valid JSON");
    }

    @Test
    void graphsThatAreNotSentenceEncodersAreRejected() throws IOException {
        Path folder = temp.resolve("rank2");
        copyResource("all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        Files.write(folder.resolve("model.onnx"), TinyOnnx.castModel("input_ids", "sentence_embedding"));
        assertThatThrownBy(() -> Encoders.fromDirectory(folder))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining(folder.toString())
                .hasMessageContaining("sentence_embedding")
                .hasMessageContaining("expected a float tensor of shape [batch, sequence, dimension]");

        Path wrongInput = temp.resolve("wrong-input");
        copyResource("all-minilm-l6-v2-tokenizer.json", wrongInput.resolve("tokenizer.json"));
        Files.write(wrongInput.resolve("model.onnx"), TinyOnnx.castModel("pixel_values", "out"));
        assertThatThrownBy(() -> Encoders.fromDirectory(wrongInput))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining("pixel_values").hasMessageContaining("expected 'input_ids'");

        Path garbage = temp.resolve("garbage");
        copyResource("all-minilm-l6-v2-tokenizer.json", garbage.resolve("tokenizer.json"));
        Files.write(garbage.resolve("model.onnx"), new byte[]{42, 42, 42, 42});
        assertThatThrownBy(() -> Encoders.fromDirectory(garbage))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining("ONNX Runtime cannot load").hasMessageContaining(garbage.toString());

        Path badTokenizer = temp.resolve("bad-tokenizer");
        Files.createDirectories(badTokenizer);
        Files.writeString(badTokenizer.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"}");
        Files.write(badTokenizer.resolve("model.onnx"), TinyOnnx.castModel("input_ids", "out"));
        assertThatThrownBy(() -> Encoders.fromDirectory(badTokenizer))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining("tokenizer").hasMessageContaining(badTokenizer.toString());
    }

    private static void copyResource(String resource, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (InputStream in = DirectoryEncoderTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as("test resource %s (langchain4j embedding jar on the test classpath)", resource)
                    .isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

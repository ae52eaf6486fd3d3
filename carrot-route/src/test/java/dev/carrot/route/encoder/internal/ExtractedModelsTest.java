package dev.carrot.route.encoder.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The uncompressed copy of the built-in model is used only when it hashes right. */
class ExtractedModelsTest {

    @TempDir
    Path cache;

    @Test
    void firstLoadExtractsLaterLoadsVerifyTheCopy() throws Exception {
        ModelSource fromJar = ModelSources.miniLm(null);
        assertThat(Files.exists(cache.resolve("models"))).isFalse();

        ModelSource first = ModelSources.miniLm(cache);
        assertThat(first.onnxSha256()).isEqualTo(fromJar.onnxSha256());
        Path copy = cache.resolve("models").resolve(first.onnxSha256() + ".onnx");
        assertThat(copy).exists().hasSize(fromJar.onnx().length);
        try (Stream<Path> files = Files.list(cache.resolve("models"))) {
            assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .containsExactlyInAnyOrder(first.onnxSha256() + ".onnx",
                            "all-minilm-l6-v2.onnx-23d5313d-90984153.sha256");
        }

        ModelSource second = ModelSources.miniLm(cache);
        assertThat(second.onnxSha256()).isEqualTo(fromJar.onnxSha256());
        assertThat(second.onnx()).isEqualTo(fromJar.onnx());

        // A damaged copy is never trusted: the jar is read again and the copy rewritten.
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            file.seek(1_000_000);
            int b = file.read();
            file.seek(1_000_000);
            file.write(b ^ 1);
        }
        ModelSource afterDamage = ModelSources.miniLm(cache);
        assertThat(afterDamage.onnxSha256()).isEqualTo(fromJar.onnxSha256());
        assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(copy)))).isEqualTo(fromJar.onnxSha256());
    }
}

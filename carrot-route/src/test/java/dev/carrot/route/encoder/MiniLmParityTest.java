package dev.carrot.route.encoder;

import dev.carrot.route.encoder.EncoderTestSupport.Reference;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The Java pipeline reproduces the Python (onnxruntime + tokenizers) reference vectors. */
class MiniLmParityTest {

    private static final float TOLERANCE = 1e-4f;

    @Test
    void infoDescribesTheBuiltInModel() throws Exception {
        EncoderInfo info = EncoderTestSupport.miniLm().info();
        assertThat(info.id()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
        assertThat(info.dimension()).isEqualTo(384);
        assertThat(info.maxTokens()).isEqualTo(256);
        assertThat(info.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(info.normalize()).isTrue();

        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            assertThat(in).isNotNull();
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        assertThat(info.onnxSha256()).isEqualTo(HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void encodeMatchesReferenceVectors() {
        List<Reference> references = EncoderTestSupport.references();
        assertThat(references).hasSize(20);
        PromptEncoder encoder = EncoderTestSupport.miniLm();
        for (Reference reference : references) {
            float[] actual = encoder.encode(reference.text());
            assertThat(actual).as("encode(%s)", abbreviate(reference.text()))
                    .containsExactly(reference.embedding(), within(TOLERANCE));
        }
    }

    @Test
    void encodeAllMatchesReferenceVectors() {
        List<Reference> references = EncoderTestSupport.references();
        List<String> texts = references.stream().map(Reference::text).toList();
        float[][] actual = EncoderTestSupport.miniLm().encodeAll(texts);
        assertThat(actual.length).isEqualTo(references.size());
        for (int i = 0; i < references.size(); i++) {
            assertThat(actual[i]).as("encodeAll[%d] (%s)", i, abbreviate(texts.get(i)))
                    .containsExactly(references.get(i).embedding(), within(TOLERANCE));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}

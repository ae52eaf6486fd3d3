package dev.carrot.route.encoder;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API's value types validate themselves. */
class ApiValuesTest {

    private static final String SHA = "0123456789abcdef".repeat(4);

    @Test
    void encoderInfoRejectsBadFields() {
        assertThatThrownBy(() -> new EncoderInfo(" ", 384, SHA, 256, Pooling.MEAN, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blank");
        assertThatThrownBy(() -> new EncoderInfo("m", 0, SHA, 256, Pooling.MEAN, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 0; expected >= 1");
        assertThatThrownBy(() -> new EncoderInfo("m", 384, SHA.toUpperCase(), 256, Pooling.MEAN, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 lower-case hex digits");
        assertThatThrownBy(() -> new EncoderInfo("m", 384, SHA, 1, Pooling.MEAN, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens 1");
        assertThatThrownBy(() -> new EncoderInfo("m", 384, SHA, 256, null, true))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("pooling");
    }

    @Test
    void encoderInfoCompatibilityNamesTheDifference() {
        EncoderInfo router = new EncoderInfo("all-MiniLM-L6-v2", 384, SHA, 256, Pooling.MEAN, true);
        router.requireCompatibleWith(new EncoderInfo("renamed", 384, SHA, 256, Pooling.MEAN, true));
        assertThatThrownBy(() -> new EncoderInfo("bge", 768, SHA, 256, Pooling.MEAN, true).requireCompatibleWith(router))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("embedding dimension 768 does not match expected dimension 384")
                .hasMessageContaining("all-MiniLM-L6-v2");
        assertThatThrownBy(() -> new EncoderInfo("m", 384, "f".repeat(64), 256, Pooling.MEAN, true)
                .requireCompatibleWith(router))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SHA-256 ffff");
        assertThatThrownBy(() -> new EncoderInfo("m", 384, SHA, 128, Pooling.MEAN, true).requireCompatibleWith(router))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTokens 128 does not match expected 256");
        assertThat(router.fingerprint()).isEqualTo(SHA + "/d384/t256/MEAN/norm");
    }

    @Test
    void encoderOptionsValidateAndHaveDefaults() {
        EncoderOptions defaults = new EncoderOptions();
        assertThat(defaults.batchSize()).isEqualTo(EncoderOptions.DEFAULT_BATCH_SIZE);
        assertThat(defaults.intraOpThreads()).isZero();
        assertThat(defaults.maxTokens()).isZero();
        assertThat(defaults.cacheDir()).isAbsolute();
        assertThat(defaults.withBatchSize(8).withIntraOpThreads(2).withMaxTokens(128).withCacheDir(Path.of("/c")))
                .isEqualTo(new EncoderOptions(8, 2, 128, Path.of("/c")));
        assertThatThrownBy(() -> defaults.withBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize is 0; expected 1..4096");
        assertThatThrownBy(() -> defaults.withIntraOpThreads(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads is -1");
        assertThatThrownBy(() -> defaults.withMaxTokens(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens is 1");
        assertThatThrownBy(() -> defaults.withCacheDir(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("cacheDir is null");
    }

    @Test
    void batchStatsValidateAndComputeWaste() {
        BatchStats stats = new BatchStats(10, 4, 2, 60, 80, 120, 1);
        assertThat(stats.encoded()).isEqualTo(6);
        assertThat(stats.paddingWaste()).isEqualTo(0.25);
        assertThat(stats.unsortedPaddingWaste()).isEqualTo(0.5);
        assertThat(BatchStats.EMPTY.paddingWaste()).isZero();
        assertThatThrownBy(() -> new BatchStats(1, 2, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cached 2 exceeds texts 1");
        assertThatThrownBy(() -> new BatchStats(1, 0, 1, 10, 5, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below tokens 10");
        assertThatThrownBy(() -> new BatchStats(-1, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative count");
    }
}

package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressDownloadListenerTest {

    private static final HfRepo REPO = HfRepo.dataset("org/name");

    @Test
    void withoutAConsoleLargeFilesLogEveryTenPercent() {
        String log = capturingStderr(() -> {
            ProgressDownloadListener listener = new ProgressDownloadListener(false, 100);
            listener.onStart(REPO, "data/big.parquet", 1000, 0);
            for (long done = 50; done <= 1000; done += 50) {
                listener.onProgress(REPO, "data/big.parquet", done, 1000);
            }
            listener.onDone(REPO, "data/big.parquet", 1000);
        });

        assertThat(log).contains("Downloading data/big.parquet from datasets/org/name (1.0 kB)");
        for (int percent = 10; percent <= 90; percent += 10) {
            assertThat(log).containsOnlyOnce("data/big.parquet: " + percent + "%");
        }
        assertThat(log).doesNotContain("100%").contains("Downloaded data/big.parquet (1.0 kB)");
    }

    @Test
    void smallFilesOnlyLogStartAndEndAndResumesSayWhere() {
        String log = capturingStderr(() -> {
            ProgressDownloadListener listener = new ProgressDownloadListener(false, 10_000);
            listener.onStart(REPO, "README.md", 1000, 400);
            listener.onProgress(REPO, "README.md", 1000, 1000);
            listener.onDone(REPO, "README.md", 1000);
        });

        assertThat(log).contains("resuming at 400 B").doesNotContain("README.md: ").contains("Downloaded README.md");
    }

    @Test
    void onAConsoleLargeFilesGetAProgressBar() {
        String log = capturingStderr(() -> {
            ProgressDownloadListener listener = new ProgressDownloadListener(true, 100);
            listener.onStart(REPO, "data/big.parquet", 1000, 0);
            listener.onProgress(REPO, "data/big.parquet", 500, 1000);
            listener.onDone(REPO, "data/big.parquet", 1000);
        });

        assertThat(log).doesNotContain("data/big.parquet: 50%").contains("Downloaded data/big.parquet");
    }

    @Test
    void humanSizes() {
        assertThat(ProgressDownloadListener.human(999)).isEqualTo("999 B");
        assertThat(ProgressDownloadListener.human(1_500)).isEqualTo("1.5 kB");
        assertThat(ProgressDownloadListener.human(250_000_000)).isEqualTo("250.0 MB");
        assertThat(ProgressDownloadListener.human(3_210_000_000L)).isEqualTo("3.21 GB");
    }

    private static String capturingStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}

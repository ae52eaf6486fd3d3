package dev.carrot.data.hf;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link DownloadListener#standard()}: a progress bar on a terminal, else log lines every 10%. Thread-safe. */
final class ProgressDownloadListener implements DownloadListener {

    static final long BAR_THRESHOLD_BYTES = 10L * 1000 * 1000;
    private static final Logger LOG = LoggerFactory.getLogger(ProgressDownloadListener.class);

    private final boolean console;
    private final long barThreshold;
    private final Map<String, State> active = new ConcurrentHashMap<>();

    private static final class State {
        final long startNanos = System.nanoTime();
        final long resumedFrom;
        final ProgressBar bar;
        int lastTenth;

        State(long resumedFrom, ProgressBar bar, int lastTenth) {
            this.resumedFrom = resumedFrom;
            this.bar = bar;
            this.lastTenth = lastTenth;
        }
    }

    ProgressDownloadListener(boolean console, long barThreshold) {
        this.console = console;
        this.barThreshold = barThreshold;
    }

    @Override
    public void onStart(HfRepo repo, String path, long totalBytes, long resumedFrom) {
        boolean large = totalBytes > barThreshold;
        ProgressBar bar = null;
        if (console && large) {
            bar = new ProgressBarBuilder()
                    .setTaskName(shorten(path))
                    .setInitialMax(totalBytes)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" MB", 1_000_000L)
                    .showSpeed()
                    .startsFrom(resumedFrom, java.time.Duration.ZERO)
                    .build();
        } else {
            LOG.info("Downloading {} from {} ({}{})", path, repo.displayName(), human(totalBytes),
                    resumedFrom > 0 ? ", resuming at " + human(resumedFrom) : "");
        }
        active.put(key(repo, path), new State(resumedFrom, bar, tenth(resumedFrom, totalBytes)));
    }

    @Override
    public void onProgress(HfRepo repo, String path, long bytesDone, long totalBytes) {
        State state = active.get(key(repo, path));
        if (state == null) {
            return;
        }
        if (state.bar != null) {
            state.bar.stepTo(bytesDone);
            return;
        }
        if (totalBytes > barThreshold) {
            int tenth = tenth(bytesDone, totalBytes);
            if (tenth > state.lastTenth && tenth < 10) {
                state.lastTenth = tenth;
                LOG.info("{}: {}% ({} of {})", path, tenth * 10, human(bytesDone), human(totalBytes));
            }
        }
    }

    @Override
    public void onDone(HfRepo repo, String path, long totalBytes) {
        State state = active.remove(key(repo, path));
        if (state != null && state.bar != null) {
            state.bar.stepTo(totalBytes);
            state.bar.close();
        }
        double seconds = state == null ? 0 : (System.nanoTime() - state.startNanos) / 1e9;
        long transferred = totalBytes - (state == null ? 0 : state.resumedFrom);
        LOG.info("Downloaded {} ({}) in {} s ({}/s)", path, human(totalBytes),
                String.format(Locale.ROOT, "%.1f", seconds),
                human(seconds > 0 ? (long) (transferred / seconds) : transferred));
    }

    private static int tenth(long done, long total) {
        return total <= 0 ? 10 : (int) Math.min(10, done * 10 / total);
    }

    private static String key(HfRepo repo, String path) {
        return repo.displayName() + "|" + path;
    }

    private static String shorten(String path) {
        return path.length() <= 40 ? path : "..." + path.substring(path.length() - 37);
    }

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        if (bytes < 1000L * 1000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1000L * 1000 * 1000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}

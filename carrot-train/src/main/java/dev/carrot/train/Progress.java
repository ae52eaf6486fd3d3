package dev.carrot.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a long step: a progress bar with ETA on a terminal, plain log lines (every ~10%, with ETA) otherwise,
 * so CI logs stay readable. Thread-safe.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final String task;
    private final long total;
    private final ProgressBar bar;
    private final boolean quiet;
    private final long start = System.nanoTime();
    private long done;
    private int lastDecile;

    private Progress(String task, long total, boolean terminal, boolean quiet) {
        this.task = task;
        this.quiet = quiet;
        this.total = Math.max(1, total);
        this.bar = terminal ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build() : null;
        if (!terminal && !quiet) {
            LOG.info("{}: 0/{}", task, total);
        }
    }

    /**
     * A progress display for {@code total} units of work: a bar on standard error when the JVM has a console and the
     * system property {@code carrot.plainProgress} is not {@code true} (the {@code carrot} launcher sets it when
     * standard error is not a terminal), else log lines. Standard output never gets progress.
     */
    public static Progress start(String task, long total) {
        boolean terminal = System.console() != null && !Boolean.getBoolean("carrot.plainProgress");
        return new Progress(task, total, terminal, false);
    }

    /** A progress display that shows nothing (tests, nested steps). */
    public static Progress silent(String task, long total) {
        return new Progress(task, total, false, true);
    }

    public synchronized void step(long n) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
            return;
        }
        if (quiet) {
            return;
        }
        int decile = (int) Math.min(10, done * 10 / total);
        if (decile > lastDecile) {
            lastDecile = decile;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = done >= total ? 0 : elapsed / done * (total - done);
            LOG.info("{}: {}/{} ({}%), elapsed {}, ETA {}", task, done, total, decile * 10, fmt(elapsed), fmt(eta));
        }
    }

    private static String fmt(double seconds) {
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toMinutes() > 0 ? String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart())
                : String.format(Locale.ROOT, "%.1fs", seconds);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

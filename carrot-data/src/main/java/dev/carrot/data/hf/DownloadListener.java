package dev.carrot.data.hf;

/**
 * Hears about each file that {@link HfHub} transfers over the network (files found in the cache are not
 * reported). Calls for one file come from the downloading thread, in order: {@link #onStart}, any number of
 * {@link #onProgress}, then {@link #onDone} once the file is verified and in the cache. A failed file gets no
 * {@code onDone}. An exception thrown by a listener aborts the download (the partial file is kept for resuming).
 */
public interface DownloadListener {

    /**
     * A transfer begins.
     *
     * @param totalBytes  the file size
     * @param resumedFrom bytes already on disk from an interrupted earlier attempt (0 for a fresh download)
     */
    default void onStart(HfRepo repo, String path, long totalBytes, long resumedFrom) {
    }

    /** Bytes of the file on disk so far (resumed bytes included); may go down if the server forces a restart. */
    default void onProgress(HfRepo repo, String path, long bytesDone, long totalBytes) {
    }

    /** The file is complete, verified and in the cache. */
    default void onDone(HfRepo repo, String path, long totalBytes) {
    }

    /** A listener that does nothing. */
    static DownloadListener silent() {
        return new DownloadListener() {
        };
    }

    /**
     * The default listener: in an interactive terminal ({@code System.console() != null}, and the system property
     * {@code carrot.plainProgress} not {@code true}: the {@code carrot} launcher sets it when standard error is not
     * a terminal) files over 10 MB get a progress bar on standard error; otherwise large files get an slf4j INFO
     * line every 10%, which reads well in CI logs. Every file gets an INFO line when it is done.
     */
    static DownloadListener standard() {
        return new ProgressDownloadListener(System.console() != null && !Boolean.getBoolean("carrot.plainProgress"),
                ProgressDownloadListener.BAR_THRESHOLD_BYTES);
    }
}

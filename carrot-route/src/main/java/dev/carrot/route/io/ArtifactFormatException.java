package dev.carrot.route.io;

import java.io.IOException;
import java.nio.file.Path;

/** A router artifact that cannot be loaded: the message names the file and what was wrong and expected. */
public class ArtifactFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ArtifactFormatException(Path file, String detail) {
        this(file, detail, null);
    }

    public ArtifactFormatException(Path file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
    }

    /** The file (or directory) at fault. */
    public Path file() {
        return file;
    }
}

package dev.carrot.data.hf;

import java.io.IOException;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Hub download failed for a reason the caller may want to tell apart: see {@link #kind()}. The message says
 * what failed (repository, revision, file, URL without query), the actual and expected values and the fix. It
 * never contains the access token.
 */
public final class HfHubException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a download failed. */
    public enum Kind {
        /** HTTP 401: no token was sent to a repository that needs one, or the token was rejected. */
        UNAUTHORIZED,
        /** HTTP 403: the repository is gated or private and the token's account has no access. */
        FORBIDDEN,
        /** HTTP 404: the repository, the revision or a file does not exist. */
        NOT_FOUND,
        /** Offline ({@code HF_HUB_OFFLINE}) and the requested snapshot or files are not in the local cache. */
        OFFLINE_NOT_CACHED,
        /** The Hub could not be reached (connection refused, unknown host, timeout) and nothing usable is cached. */
        HUB_UNREACHABLE,
        /** A downloaded file does not have the size or hash the Hub announced; the bad file was deleted. */
        CHECKSUM_MISMATCH,
        /** The Hub listed a file path that would escape the cache (absolute, {@code ..}, backslash, ...). */
        UNSAFE_PATH,
        /** Any other HTTP error status, or too many redirects. */
        HTTP_ERROR,
        /** The Hub answered with something that is not what its API returns (bad JSON, malformed hash). */
        INVALID_RESPONSE,
        /** None of the repository's files matches the requested glob patterns. */
        NO_MATCHING_FILES
    }

    private final Kind kind;
    private final int statusCode;

    HfHubException(Kind kind, String message) {
        this(kind, -1, message, null);
    }

    HfHubException(Kind kind, String message, Throwable cause) {
        this(kind, -1, message, cause);
    }

    HfHubException(Kind kind, int statusCode, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.statusCode = statusCode;
    }

    /** Why the download failed. */
    public Kind kind() {
        return kind;
    }

    /** The HTTP status that caused this failure, if it came from an HTTP response. */
    public OptionalInt statusCode() {
        return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
    }
}

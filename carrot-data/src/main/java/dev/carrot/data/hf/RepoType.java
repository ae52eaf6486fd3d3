package dev.carrot.data.hf;

/** The kind of a Hub repository; it decides the URL prefixes and the cache folder name. */
public enum RepoType {
    /** A dataset repository: {@code /api/datasets/...}, {@code /datasets/{id}/resolve/...}, {@code datasets--org--name}. */
    DATASET("datasets", "datasets/"),
    /** A model repository: {@code /api/models/...}, {@code /{id}/resolve/...}, {@code models--org--name}. */
    MODEL("models", "");

    private final String plural;
    private final String resolvePrefix;

    RepoType(String plural, String resolvePrefix) {
        this.plural = plural;
        this.resolvePrefix = resolvePrefix;
    }

    /** {@code "datasets"} or {@code "models"}: the API path segment and the cache folder prefix. */
    public String plural() {
        return plural;
    }

    /** The prefix of file URLs under the endpoint: {@code "datasets/"} for datasets, empty for models. */
    String resolvePrefix() {
        return resolvePrefix;
    }
}

package dev.carrot.serve.internal;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One configured upstream with its key resolved from the environment. The key is only ever put into the outgoing
 * request's header; {@link #toString()} never shows it.
 */
public final class UpstreamTarget {
    private final String name;
    private final URI url;
    private final String model;
    private final String keyHeader;
    private final String key; // nullable: no key
    private final long timeoutMillis;

    public UpstreamTarget(String name, URI url, String model, String keyHeader, Optional<String> key,
                          long timeoutMillis) {
        this.name = Objects.requireNonNull(name, "name");
        this.url = Objects.requireNonNull(url, "url");
        this.model = Objects.requireNonNull(model, "model");
        this.keyHeader = Objects.requireNonNull(keyHeader, "keyHeader");
        this.key = key.orElse(null);
        this.timeoutMillis = timeoutMillis;
    }

    /** The router model this upstream serves. */
    public String name() {
        return name;
    }

    /** The only URL this upstream is ever called at. */
    public URI url() {
        return url;
    }

    /** The model id the upstream knows. */
    public String model() {
        return model;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** The header name carrying the key, if a key is configured. */
    public Optional<String> keyHeader() {
        return key == null ? Optional.empty() : Optional.of(keyHeader);
    }

    /** The header value: {@code Bearer KEY} for Authorization, the bare key for other headers. */
    String keyHeaderValue() {
        return keyHeader.equalsIgnoreCase("Authorization") ? "Bearer " + key : key;
    }

    @Override
    public String toString() {
        return "upstream " + name + " (" + model + " at " + url.getScheme() + "://" + url.getRawAuthority()
                + (key == null ? ", no key" : ", key from the environment") + ")";
    }
}

package dev.carrot.serve.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's own keys, held only as SHA-256 digests. A request presents {@code Authorization: Bearer KEY}; its
 * digest is compared with every accepted one in constant time.
 */
public final class GatewayAuth {
    private final List<byte[]> digests;
    private final boolean required;

    private GatewayAuth(List<byte[]> digests, boolean required) {
        this.digests = digests;
        this.required = required;
    }

    /** No keys needed ({@code --no-auth}). */
    public static GatewayAuth none() {
        return new GatewayAuth(List.of(), false);
    }

    /**
     * Keys from digests and from the comma-separated value of an environment variable (hashed at once).
     */
    public static GatewayAuth of(List<String> hexDigests, Optional<String> commaSeparatedKeys) {
        List<byte[]> d = new ArrayList<>();
        for (String h : hexDigests) {
            d.add(HexFormat.of().parseHex(h));
        }
        commaSeparatedKeys.ifPresent(v -> {
            for (String k : v.split(",")) {
                String key = k.strip();
                if (!key.isEmpty()) {
                    d.add(sha256(key));
                }
            }
        });
        return new GatewayAuth(List.copyOf(d), true);
    }

    public boolean required() {
        return required;
    }

    public int keyCount() {
        return digests.size();
    }

    /** Whether an Authorization header value carries an accepted key. */
    public boolean accepts(String authorization) {
        if (!required) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String v = authorization.strip();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(v.substring(7).strip());
        boolean ok = false;
        for (byte[] d : digests) {
            ok |= MessageDigest.isEqual(d, presented);
        }
        return ok;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

package dev.carrot.route.encoder.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers. */
public final class Hashing {

    private Hashing() {
    }

    /** @return a new SHA-256 digest (every JVM has one) */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256; every Java SE implementation must provide it", e);
        }
    }

    /** @return SHA-256 of the UTF-8 bytes of {@code text} */
    public static byte[] sha256(String text) {
        return sha256().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return lower-case hex of {@code bytes} */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Bytes read from a stream together with their SHA-256, computed in the same pass. */
    public record HashedBytes(byte[] bytes, String sha256) {
    }

    /**
     * Reads all of {@code in}, hashing while reading (so a large model is read and hashed in one pass).
     *
     * @param in           the stream; not closed
     * @param expectedSize the size when known (lets the buffer be allocated once), or -1
     * @param what         names the stream in messages
     * @return the bytes and their SHA-256
     * @throws IOException if reading fails or the stream is shorter than {@code expectedSize}
     */
    public static HashedBytes readHashed(InputStream in, long expectedSize, String what) throws IOException {
        MessageDigest digest = sha256();
        byte[] bytes;
        if (expectedSize >= 0) {
            if (expectedSize > Integer.MAX_VALUE - 16) {
                throw new IOException(what + " is " + expectedSize + " bytes; at most " + (Integer.MAX_VALUE - 16)
                        + " bytes are supported (ONNX models with external data are not)");
            }
            bytes = new byte[(int) expectedSize];
            int off = 0;
            while (off < bytes.length) {
                int n = in.read(bytes, off, Math.min(1 << 20, bytes.length - off));
                if (n < 0) {
                    throw new EOFException(what + " ended after " + off + " bytes; expected " + expectedSize);
                }
                digest.update(bytes, off, n);
                off += n;
            }
        } else {
            bytes = in.readAllBytes();
            digest.update(bytes);
        }
        return new HashedBytes(bytes, hex(digest.digest()));
    }
}

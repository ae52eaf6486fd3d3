package dev.carrot.route.encoder.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file's bytes together with their SHA-256 (lower-case hex), read and hashed in one pass.
 *
 * @param bytes  the bytes
 * @param sha256 their SHA-256
 */
record HashedBytes(byte[] bytes, String sha256) {

    /**
     * Reads all of {@code in}, hashing while reading (so a large model is read and hashed in one pass).
     *
     * @param in           the stream; not closed
     * @param expectedSize the size when known (lets the buffer be allocated once), or -1
     * @param what         names the stream in messages
     * @throws IOException if reading fails or the stream is shorter than {@code expectedSize}
     */
    static HashedBytes read(InputStream in, long expectedSize, String what) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256; every Java SE implementation must provide it", e);
        }
        DigestInputStream hashing = new DigestInputStream(in, digest);
        byte[] bytes;
        if (expectedSize >= 0) {
            if (expectedSize > Integer.MAX_VALUE - 16) {
                throw new IOException(what + " is " + expectedSize + " bytes; at most " + (Integer.MAX_VALUE - 16)
                        + " bytes are supported (ONNX models with external data are not)");
            }
            bytes = new byte[(int) expectedSize];
            int off = 0;
            while (off < bytes.length) {
                int n = hashing.read(bytes, off, Math.min(1 << 20, bytes.length - off));
                if (n < 0) {
                    throw new EOFException(what + " ended after " + off + " bytes; expected " + expectedSize);
                }
                off += n;
            }
        } else {
            bytes = hashing.readAllBytes();
        }
        return new HashedBytes(bytes, HexFormat.of().formatHex(digest.digest()));
    }
}

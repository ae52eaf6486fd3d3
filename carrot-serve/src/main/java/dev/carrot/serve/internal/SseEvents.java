package dev.carrot.serve.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts an upstream's server-sent-event stream into whole events as bytes arrive, so that the gateway forwards each
 * event as soon as it is complete (never the whole answer) and can read the final usage chunk. Not thread-safe: one
 * per stream, fed in order.
 */
public final class SseEvents {
    /** A complete event: its raw bytes (terminating blank line included) and its data payload. */
    public record Event(byte[] raw, String data) {
        public boolean isDone() {
            return data.equals("[DONE]");
        }
    }

    private final int maxEventBytes;
    private byte[] buf = new byte[4096];
    private int len;
    private int scanFrom;

    public SseEvents(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Adds bytes and returns the events they completed, in order.
     *
     * @throws IllegalStateException if one event grows beyond the limit
     */
    public List<Event> feed(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        bytes.get(buf, len, n);
        len += n;
        List<Event> out = new ArrayList<>(2);
        int start = 0;
        int i = Math.max(scanFrom, 0);
        while (i < len) {
            if (buf[i] == '\n') {
                int j = i + 1;
                if (j < len && buf[j] == '\r') {
                    j++;
                }
                if (j < len && buf[j] == '\n') {
                    byte[] raw = Arrays.copyOfRange(buf, start, j + 1);
                    out.add(new Event(raw, data(raw)));
                    start = j + 1;
                    i = start;
                    continue;
                }
                if (j >= len) {
                    break; // a blank line may still come: rescan from this newline when more bytes arrive
                }
            }
            i++;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, len - start);
            len -= start;
            i -= start;
        }
        scanFrom = Math.min(i, len);
        if (len > maxEventBytes) {
            throw new IllegalStateException("an upstream event exceeds " + maxEventBytes + " bytes");
        }
        return out;
    }

    /** Bytes of an incomplete event at the end of the stream. */
    public byte[] rest() {
        return Arrays.copyOf(buf, len);
    }

    /** The data payload of an event: its {@code data:} lines joined by newlines. */
    static String data(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8);
        StringBuilder d = new StringBuilder();
        boolean first = true;
        for (String line : s.split("\r?\n")) {
            if (line.startsWith("data:")) {
                String v = line.substring(5);
                if (v.startsWith(" ")) {
                    v = v.substring(1);
                }
                if (!first) {
                    d.append('\n');
                }
                d.append(v);
                first = false;
            }
        }
        return d.toString();
    }
}

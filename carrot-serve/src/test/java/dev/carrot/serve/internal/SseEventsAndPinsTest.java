package dev.carrot.serve.internal;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseEventsAndPinsTest {
    private static ByteBuffer b(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eventsAreCutAtBlankLinesWhereverTheBytesSplit() {
        String stream = "data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\n: comment\ndata: x\ndata: y\n\ndata: [DONE]\n\n";
        for (int cut = 1; cut < stream.length(); cut++) {
            SseEvents sse = new SseEvents(1 << 20);
            List<SseEvents.Event> all = new ArrayList<>(sse.feed(b(stream.substring(0, cut))));
            all.addAll(sse.feed(b(stream.substring(cut))));
            assertThat(all).extracting(SseEvents.Event::data).as("cut at " + cut)
                    .containsExactly("{\"a\":1}", "{\"b\":2}", "x\ny", "[DONE]");
            StringBuilder raw = new StringBuilder();
            all.forEach(e -> raw.append(new String(e.raw(), StandardCharsets.UTF_8)));
            assertThat(raw).hasToString(stream);
            assertThat(sse.rest()).isEmpty();
            assertThat(all.get(3).isDone()).isTrue();
        }
    }

    @Test
    void anOversizedEventIsRefused() {
        SseEvents sse = new SseEvents(10);
        assertThatThrownBy(() -> sse.feed(b("data: 0123456789"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pinsExpireAndTheLeastRecentlyUsedGoesFirst() {
        AtomicLong now = new AtomicLong();
        SessionPins pins = new SessionPins(2, 10, now::get);
        assertThat(pins.pinIfAbsent("a", "m1")).isEqualTo("m1");
        assertThat(pins.pinIfAbsent("a", "m2")).isEqualTo("m1");
        pins.pinIfAbsent("b", "m2");
        pins.get("a"); // b is now the least recently used
        pins.pinIfAbsent("c", "m3");
        assertThat(pins.get("b")).isEmpty();
        assertThat(pins.get("a")).contains("m1");
        now.addAndGet(11_000_000_000L);
        assertThat(pins.get("a")).isEmpty();
        assertThat(new SessionPins(0, 1, now::get).pinIfAbsent("x", "m")).isEqualTo("m");
    }

    @Test
    void gatewayKeysAreComparedAsDigests() {
        GatewayAuth auth = GatewayAuth.of(List.of(java.util.HexFormat.of().formatHex(GatewayAuth.sha256("k1"))),
                java.util.Optional.of(" k2 ,k3"));
        assertThat(auth.accepts("Bearer k1")).isTrue();
        assertThat(auth.accepts("bearer k2")).isTrue();
        assertThat(auth.accepts("Bearer k3")).isTrue();
        assertThat(auth.accepts("Bearer k4")).isFalse();
        assertThat(auth.accepts("k1")).isFalse();
        assertThat(auth.accepts(null)).isFalse();
        assertThat(GatewayAuth.none().accepts(null)).isTrue();
    }
}

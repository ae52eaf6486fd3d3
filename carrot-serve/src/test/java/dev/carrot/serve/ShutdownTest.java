package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;
import dev.carrot.testkit.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** close() lets in-flight requests, streams included, finish; then the port is gone. */
class ShutdownTest {
    @Test
    void closeDrainsAnInFlightStreamAndRefusesNewConnections(@TempDir Path tmp) throws Exception {
        try (TestRouter router = TestRouter.create(tmp)) {
            ServeFixture fx = new ServeFixture(tmp, router);
            try {
                fx.start(null);
                fx.upstream(TestRouter.SMALL).reply(Reply.ok().withContent("slow but complete")
                        .withChunks(10, Duration.ofMillis(100)));
                String base = fx.server.baseUrl();
                CompletableFuture<HttpResponse<String>> stream = fx.http.sendAsync(HttpRequest.newBuilder(
                                URI.create(base + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + ServeFixture.GATEWAY_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(ServeFixture.chat("carrot", TestRouter.CHAT_PROMPT,
                                "\"stream\":true"))).build(), HttpResponse.BodyHandlers.ofString());
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (fx.upstream(TestRouter.SMALL).requestCount() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(150); // the stream has begun
                long t0 = System.nanoTime();
                fx.server.close(); // blocks until the stream is done
                long closedMs = (System.nanoTime() - t0) / 1_000_000;
                HttpResponse<String> r = stream.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).endsWith("data: [DONE]\n\n");
                assertThat(r.body().split("\n\n")).hasSize(1 + 10 + 1 + 1); // role, 10 chunks, stop, [DONE]
                assertThat(closedMs).isGreaterThan(300);
                CompletableFuture<HttpResponse<String>> after = java.net.http.HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(after).failsWithin(Duration.ofSeconds(5));
                fx.server = null;
            } finally {
                fx.closeAll();
            }
        }
    }
}

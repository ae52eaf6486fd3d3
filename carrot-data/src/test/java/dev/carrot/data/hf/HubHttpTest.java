package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HubHttpTest {

    @Test
    void displayDropsQueryAndUserInfo() {
        assertThat(HubHttp.display(URI.create("https://u:p@cdn.example.com:8443/a/b?X-Amz-Signature=s#f")))
                .isEqualTo("https://cdn.example.com:8443/a/b");
    }

    @Test
    void sameOriginComparesSchemeHostAndEffectivePort() {
        URI hub = URI.create("https://huggingface.co");
        assertThat(HubHttp.sameOrigin(URI.create("https://HuggingFace.co:443/api/x"), hub)).isTrue();
        assertThat(HubHttp.sameOrigin(URI.create("http://huggingface.co/api/x"), hub)).isFalse();
        assertThat(HubHttp.sameOrigin(URI.create("https://huggingface.co:8443/x"), hub)).isFalse();
        assertThat(HubHttp.sameOrigin(URI.create("https://cdn-lfs.huggingface.co/x"), hub)).isFalse();
        assertThat(HubHttp.sameOrigin(URI.create("https://huggingface.co.evil.com/x"), hub)).isFalse();
    }

    @Test
    void classifiesFailures() {
        assertThat(HubHttp.isRetryable(503)).isTrue();
        assertThat(HubHttp.isRetryable(429)).isTrue();
        assertThat(HubHttp.isRetryable(404)).isFalse();
        assertThat(HubHttp.isConnectFailure(new IOException("wrapped", new ConnectException("refused")))).isTrue();
        assertThat(HubHttp.isConnectFailure(new UnknownHostException("huggingface.co"))).isTrue();
        assertThat(HubHttp.isConnectFailure(new IOException("connection reset"))).isFalse();
        assertThat(HubHttp.isInterruption(new SocketTimeoutException("idle"))).isFalse();
        assertThat(HubHttp.isInterruption(new java.io.InterruptedIOException("interrupted"))).isTrue();
    }

    @Test
    void redactRemovesAnEchoedTokenFromServerText() {
        HubHttp http = new HubHttp(new HfConfig(URI.create("https://huggingface.co"), Path.of("hub"))
                .withToken("hf_Echoed123"), RetryPolicy.DEFAULT);

        assertThat(http.redact("bad header: Bearer hf_Echoed123\n")).isEqualTo("bad header: Bearer <redacted>\\u000a");
    }
}

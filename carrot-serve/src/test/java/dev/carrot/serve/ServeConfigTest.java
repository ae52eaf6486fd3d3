package dev.carrot.serve;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeConfigTest {
    private static final Path DIR = Path.of("/etc/carrot");

    private static String cfg(String extra) {
        return "{\"router\": \"out/router\", \"api_keys_env\": \"KEYS\"" + (extra.isEmpty() ? "" : ", " + extra)
                + ", \"upstreams\": {\"gpt-4o\": {\"base_url\": \"https://api.openai.com/v1\", \"model\": \"gpt-4o\","
                + " \"api_key_env\": \"OPENAI_API_KEY\", \"timeout_s\": 60}}}";
    }

    @Test
    void theIssuesExampleParsesWithDefaults() {
        ServeConfig c = ServeConfig.parse(cfg("\"default_mu\": 0.3, \"max_fallbacks\": 2"), DIR);
        assertThat(c.router()).isEqualTo(Path.of("/etc/carrot/out/router"));
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8000);
        assertThat(c.defaultMu()).hasValue(0.3);
        assertThat(c.requireAuth()).isTrue();
        assertThat(c.upstreams().get("gpt-4o").chatCompletionsUrl())
                .hasToString("https://api.openai.com/v1/chat/completions");
        ServeConfig.Upstream azure = ServeConfig.parse(cfg("").replace("https://api.openai.com/v1",
                "https://r.openai.azure.com/openai/deployments/d/?api-version=2024-10-21"), DIR)
                .upstreams().get("gpt-4o");
        assertThat(azure.chatCompletionsUrl()).hasToString(
                "https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21");
    }

    @Test
    void everyErrorNamesTheKey() {
        assertThatThrownBy(() -> ServeConfig.parse(cfg("").replace("\"timeout_s\": 60", "\"timeout_s\": \"x\""), DIR))
                .hasMessage("upstreams.gpt-4o.timeout_s: expected a number > 0, got \"x\"");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"default_mu\": 1.5"), DIR))
                .hasMessageStartingWith("default_mu: expected a number in [0, 1], got 1.5");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"default_mu\": 0.2, \"default_budget_usd\": 0.001"), DIR))
                .hasMessageStartingWith("default_mu, default_budget_usd: give one");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"listen\": \"0.0.0.0:99999\""), DIR))
                .hasMessageStartingWith("listen: ");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"max_fallbacks\": -1"), DIR))
                .hasMessageStartingWith("max_fallbacks: expected a whole number in 0..10");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"max_concurency\": 3"), DIR))
                .hasMessageStartingWith("max_concurency: unknown key");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("").replace("https://api.openai.com/v1", "file:///etc"),
                DIR)).hasMessageStartingWith("upstreams.gpt-4o.base_url: expected an http:// or https:// URL");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("").replace("\"model\": \"gpt-4o\",", ""), DIR))
                .hasMessageStartingWith("upstreams.gpt-4o.model: missing");
        assertThatThrownBy(() -> ServeConfig.parse(cfg("").replace("\"timeout_s\"", "\"timeout\""), DIR))
                .hasMessageStartingWith("upstreams.gpt-4o.timeout: unknown key");
        assertThatThrownBy(() -> ServeConfig.parse("{\"router\": \"r\", \"api_keys_env\": \"K\"}", DIR))
                .hasMessageStartingWith("upstreams: missing");
        assertThatThrownBy(() -> ServeConfig.parse("{\"upstreams\": {}}", DIR)).hasMessageStartingWith("router: missing");
        assertThatThrownBy(() -> ServeConfig.parse("{\"router\": ", DIR)).hasMessageStartingWith("not valid JSON");
    }

    @Test
    void aKeyPastedWhereItsNameOrDigestBelongsIsRefusedWithoutBeingEchoed() {
        String secret = "sk-proj-abc123-THIS-IS-SECRET";
        assertThatThrownBy(() -> ServeConfig.parse(cfg("").replace("\"OPENAI_API_KEY\"", "\"" + secret + "\""), DIR))
                .hasMessageStartingWith("upstreams.gpt-4o.api_key_env: expected the NAME of an environment variable")
                .hasMessageNotContaining(secret);
        assertThatThrownBy(() -> ServeConfig.parse(cfg("\"api_key_sha256\": [\"" + secret + "\"]"), DIR))
                .hasMessageStartingWith("api_key_sha256[0]: expected 64 lower-case hex digits")
                .hasMessageNotContaining(secret);
    }

    @Test
    void authIsRequiredAndNoAuthOnlyOnLoopback() {
        String noKeys = cfg("").replace("\"api_keys_env\": \"KEYS\", ", "");
        ServeConfig keyless = ServeConfig.parse(noKeys, DIR);
        assertThatThrownBy(() -> CarrotServer.start(keyless, java.util.Map.of()))
                .hasMessageStartingWith("api_keys_env / api_key_sha256: the gateway requires keys by default");
        assertThatThrownBy(() -> CarrotServer.start(ServeConfig.parse(cfg(""), DIR), java.util.Map.of()))
                .hasMessageStartingWith("api_keys_env: environment variable KEYS is not set");
        assertThatThrownBy(() -> CarrotServer.start(ServeConfig.parse(cfg(""), DIR), java.util.Map.of("KEYS", "k")))
                .hasMessageStartingWith("upstreams.gpt-4o.api_key_env: environment variable OPENAI_API_KEY is not set");
        ServeConfig open = ServeConfig.parse(cfg(""), DIR).withoutAuth();
        assertThat(open.requireAuth()).isFalse();
        assertThat(open.withListen("[::1]:9000").port()).isEqualTo(9000);
        assertThatThrownBy(() -> open.withListen("0.0.0.0:8000"))
                .hasMessageContaining("--no-auth is only allowed with a loopback listen address");
        assertThat(ServeConfig.parse(cfg("\"api_key_sha256\": [\"" + "a".repeat(64) + "\"]"), DIR)
                .apiKeySha256()).hasSize(1);
    }
}

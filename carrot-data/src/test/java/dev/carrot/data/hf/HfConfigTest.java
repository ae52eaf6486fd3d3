package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfConfigTest {

    @TempDir
    Path home;

    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        env = new HashMap<>();
        env.put("HOME", home.toString());
    }

    @Test
    void defaultsFollowHuggingfaceHub() {
        HfConfig config = HfConfig.fromEnvironment(env);

        assertThat(config.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(config.hubCache()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(config.offline()).isFalse();
        assertThat(config.token()).isEmpty();
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void xdgCacheHomeMovesHfHome() {
        env.put("XDG_CACHE_HOME", home.resolve("xdg").toString());

        assertThat(HfConfig.fromEnvironment(env).hubCache()).isEqualTo(home.resolve("xdg/huggingface/hub"));
    }

    @Test
    void hfHomeMovesTheCacheAndTheTokenFile() throws IOException {
        Path hfHome = Files.createDirectories(home.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "  hf_fromFile123\r\n");
        env.put("HF_HOME", hfHome.toString());

        HfConfig config = HfConfig.fromEnvironment(env);

        assertThat(config.hubCache()).isEqualTo(hfHome.resolve("hub"));
        assertThat(config.token()).contains("hf_fromFile123");
    }

    @Test
    void hfHubCacheWinsOverTheLegacyVariableWhichWinsOverHfHome() {
        env.put("HF_HOME", home.resolve("hf").toString());
        env.put("HUGGINGFACE_HUB_CACHE", home.resolve("legacy").toString());
        assertThat(HfConfig.fromEnvironment(env).hubCache()).isEqualTo(home.resolve("legacy"));

        env.put("HF_HUB_CACHE", home.resolve("new").toString());
        assertThat(HfConfig.fromEnvironment(env).hubCache()).isEqualTo(home.resolve("new"));
    }

    @Test
    void tokenComesFromHfTokenThenTheLegacyVariableThenTheTokenFile() throws IOException {
        Path tokenFile = Files.writeString(home.resolve("my-token"), "hf_file\n");
        env.put("HF_TOKEN_PATH", tokenFile.toString());
        assertThat(HfConfig.fromEnvironment(env).token()).contains("hf_file");

        env.put("HUGGING_FACE_HUB_TOKEN", "hf_legacy");
        assertThat(HfConfig.fromEnvironment(env).token()).contains("hf_legacy");

        env.put("HF_TOKEN", " hf_env \n");
        assertThat(HfConfig.fromEnvironment(env).token()).contains("hf_env");
    }

    @Test
    void aMissingOrEmptyTokenFileMeansNoToken() throws IOException {
        env.put("HF_TOKEN_PATH", home.resolve("absent").toString());
        assertThat(HfConfig.fromEnvironment(env).token()).isEmpty();

        env.put("HF_TOKEN_PATH", Files.writeString(home.resolve("blank"), "\n  \n").toString());
        assertThat(HfConfig.fromEnvironment(env).token()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "TRUE", "yes", "On"})
    void offlineAcceptsPythonsTrueValues(String value) {
        env.put("HF_HUB_OFFLINE", value);
        assertThat(HfConfig.fromEnvironment(env).offline()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "no", "off", "", "2"})
    void offlineIsFalseForOtherValues(String value) {
        env.put("HF_HUB_OFFLINE", value);
        assertThat(HfConfig.fromEnvironment(env).offline()).isFalse();
    }

    @Test
    void transformersOfflineAlsoTurnsOfflineOn() {
        env.put("TRANSFORMERS_OFFLINE", "1");
        assertThat(HfConfig.fromEnvironment(env).offline()).isTrue();
    }

    @Test
    void endpointLosesItsTrailingSlash() {
        env.put("HF_ENDPOINT", "https://hf-mirror.example.com/");
        assertThat(HfConfig.fromEnvironment(env).endpoint()).isEqualTo(URI.create("https://hf-mirror.example.com"));
    }

    @Test
    void pathsExpandTildeAndVariablesLikePython() {
        env.put("HF_HUB_CACHE", "~/models/$DATA_ROOT/${SUB}/$UNKNOWN");
        env.put("DATA_ROOT", "root");
        env.put("SUB", "sub");

        assertThat(HfConfig.fromEnvironment(env).hubCache())
                .isEqualTo(home.resolve("models/root/sub/$UNKNOWN"));
    }

    @Test
    void timeoutComesFromHfHubDownloadTimeout() {
        env.put("HF_HUB_DOWNLOAD_TIMEOUT", "30");
        assertThat(HfConfig.fromEnvironment(env).timeout()).isEqualTo(Duration.ofSeconds(30));

        env.put("HF_HUB_DOWNLOAD_TIMEOUT", "0.5");
        assertThat(HfConfig.fromEnvironment(env).timeout()).isEqualTo(Duration.ofMillis(500));

        env.put("HF_HUB_DOWNLOAD_TIMEOUT", "soon");
        assertThatThrownBy(() -> HfConfig.fromEnvironment(env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HF_HUB_DOWNLOAD_TIMEOUT 'soon'").hasMessageContaining("seconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://huggingface.co", "huggingface.co", "https://user:pw@huggingface.co",
            "https://huggingface.co/?x=1", "http:///nohost"})
    void rejectsEndpointsThatAreNotPlainHttpUrls(String endpoint) {
        env.put("HF_ENDPOINT", endpoint);
        assertThatThrownBy(() -> HfConfig.fromEnvironment(env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://huggingface.co");
    }

    @Test
    void theTokenIsNeverShownByToString() {
        HfConfig config = new HfConfig(URI.create("https://huggingface.co"), home).withToken("hf_VerySecret42");

        assertThat(config.token()).contains("hf_VerySecret42");
        assertThat(config.toString()).doesNotContain("hf_VerySecret42").contains("token=<set>");
        assertThat(config.withoutToken().toString()).contains("token=<none>");
    }

    @Test
    void validatesItsValues() {
        URI hub = URI.create("https://huggingface.co");
        assertThat(new HfConfig(hub, home).withToken("  ").token()).isEmpty();
        assertThatThrownBy(() -> new HfConfig(hub, home).withToken("hf_two words"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace")
                .hasMessageNotContaining("two words");
        assertThatThrownBy(() -> new HfConfig(hub, home, false, Optional.empty(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThat(new HfConfig(hub, Path.of("relative/hub")).hubCache()).isAbsolute();
    }
}

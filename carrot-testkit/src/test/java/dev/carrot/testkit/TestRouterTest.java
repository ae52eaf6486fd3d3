package dev.carrot.testkit;

import dev.carrot.route.DecisionJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the adapters' tests take for granted of {@link TestRouter} and {@link TestUpstreams}. */
class TestRouterTest {

    @Test
    void eachKindOfPromptGoesToItsModelAtMuAndTheArtifactDecidesAsTheInProcessRouter(@TempDir Path tmp) {
        try (TestRouter inProcess = TestRouter.create(); TestRouter written = TestRouter.create(tmp)) {
            for (TestRouter r : List.of(inProcess, written)) {
                assertThat(r.expectedModel(TestRouter.CHAT_PROMPT, TestRouter.MU)).isEqualTo(TestRouter.SMALL);
                assertThat(r.expectedModel(TestRouter.CODE_PROMPT, TestRouter.MU)).isEqualTo(TestRouter.CODE);
                assertThat(r.expectedModel(TestRouter.MATH_PROMPT, TestRouter.MU)).isEqualTo(TestRouter.BIG);
                assertThat(r.router().models()).containsExactlyElementsOf(TestRouter.MODELS);
            }
            assertThat(Files.isDirectory(written.dir())).isTrue();
            assertThat(written.expected(TestRouter.MATH_PROMPT, TestRouter.MU, TestRouter.MODELS))
                    .isEqualTo(DecisionJson.write(inProcess.router().route(TestRouter.MATH_PROMPT, TestRouter.MU)));
            assertThat(written.router().calibration()).isPresent();
            assertThatThrownBy(inProcess::dir).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void thereIsOneUpstreamPerModelAnsweringUnderItsId() {
        try (TestUpstreams u = new TestUpstreams()) {
            assertThat(u.all().keySet()).containsExactlyElementsOf(TestRouter.MODELS);
            assertThat(u.counts().values()).containsOnly(0);
            assertThat(u.all().values()).extracting(FakeUpstream::port).doesNotHaveDuplicates();
            assertThatThrownBy(() -> u.get("gpt-5")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

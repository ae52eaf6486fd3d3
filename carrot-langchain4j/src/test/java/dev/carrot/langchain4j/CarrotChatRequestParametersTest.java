package dev.carrot.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CarrotChatRequestParametersTest {

    @Test
    void carrotOptionsSurviveTheMergesLangChain4jMakes() {
        CarrotChatRequestParameters p = CarrotChatRequestParameters.builder().mu(0.2).models("a", "b")
                .maxCostUsd(0.01).temperature(0.5).build();
        // ChatModel.chat: defaults.overrideWith(request parameters)
        ChatRequestParameters merged = DefaultChatRequestParameters.EMPTY.overrideWith(p);
        assertThat(merged).isInstanceOf(CarrotChatRequestParameters.class).isEqualTo(p);
        // AI services: argument.defaultedBy(tools and response format)
        ChatRequestParameters tools = ChatRequestParameters.builder().maxOutputTokens(99).build();
        CarrotChatRequestParameters d = p.defaultedBy(tools);
        assertThat(d.mu()).hasValue(0.2);
        assertThat(d.models()).contains(List.of("a", "b"));
        assertThat(d.maxCostUsd()).hasValue(0.01);
        assertThat(d.temperature()).isEqualTo(0.5);
        assertThat(d.maxOutputTokens()).isEqualTo(99);
        // what the chosen model gets: the common parameters only
        assertThat(d.withoutCarrotOptions()).isExactlyInstanceOf(DefaultChatRequestParameters.class)
                .isEqualTo(ChatRequestParameters.builder().temperature(0.5).maxOutputTokens(99).build());
    }

    @Test
    void muAndABudgetAreOneSettingWhenMerged() {
        CarrotChatRequestParameters defaults = CarrotChatRequestParameters.builder().mu(0.3).maxCostUsd(1).build();
        CarrotChatRequestParameters budget = defaults.overrideWith(CarrotChatRequestParameters.builder()
                .budgetUsd(0.002).build());
        assertThat(budget.mu()).isEmpty();
        assertThat(budget.budgetUsd()).hasValue(0.002);
        assertThat(budget.maxCostUsd()).hasValue(1.0);
        CarrotChatRequestParameters mu = budget.overrideWith(CarrotChatRequestParameters.builder().mu(0.9).build());
        assertThat(mu.mu()).hasValue(0.9);
        assertThat(mu.budgetUsd()).isEmpty();
        // parameters of another kind keep carrot's options and take the common ones
        CarrotChatRequestParameters other = mu.overrideWith(OpenAiChatRequestParameters.builder().temperature(0.1)
                .build());
        assertThat(other.mu()).hasValue(0.9);
        assertThat(other.temperature()).isEqualTo(0.1);
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().mu(-0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mu must be in [0, 1], got -0.1");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().mu(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().budgetUsd(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetUsd must be a number > 0");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().maxCostUsd(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCostUsd must be a finite");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().models(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("models must not be empty");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().models("a", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("models must be model names");
        assertThatThrownBy(() -> CarrotChatRequestParameters.builder().mu(0.1).budgetUsd(0.01).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("give mu or budgetUsd, not both");
    }
}

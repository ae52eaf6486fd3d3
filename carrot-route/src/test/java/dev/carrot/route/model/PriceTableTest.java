package dev.carrot.route.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PriceTableTest {
    @TempDir
    Path tmp;

    @Test
    void readsCarrotLayout() throws Exception {
        Path f = tmp.resolve("p.json");
        Files.writeString(f, "{\"prices\": {\"gpt-4o\": {\"input\": 2.5, \"output\": 10}}}");
        PriceTable t = PriceTable.load(f);
        assertThat(t.require("gpt-4o")).isEqualTo(new PriceTable.Price(2.5, 10));
        assertThat(t.require("gpt-4o").cost(1000, 2000)).isCloseTo(0.0025 + 0.02, within(1e-12));
    }

    @Test
    void readsLiteLlmLayoutAndSkipsEntriesWithoutTokenPrices() throws Exception {
        Path f = tmp.resolve("model_prices_and_context_window.json");
        Files.writeString(f, """
                {
                  "sample_spec": {"max_tokens": "LEGACY", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
                  "gpt-4o": {"max_tokens": 16384, "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
                             "litellm_provider": "openai", "mode": "chat"},
                  "dall-e-3": {"mode": "image_generation", "output_cost_per_image": 0.04},
                  "free-model": {"input_cost_per_token": 0}
                }""");
        PriceTable t = PriceTable.load(f);
        assertThat(t.prices()).containsOnlyKeys("gpt-4o", "free-model");
        assertThat(t.require("gpt-4o").inputPerMillion()).isCloseTo(2.5, within(1e-9));
        assertThat(t.require("gpt-4o").outputPerMillion()).isCloseTo(10, within(1e-9));
        assertThat(t.require("free-model").outputPerMillion()).isZero();
    }

    @Test
    void badInputNamesFileAndModel() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"m\": {\"input\": -1, \"output\": 2}}");
        assertThatThrownBy(() -> PriceTable.load(f))
                .hasMessageContaining("bad.json: model 'm': input price must be a finite number >= 0");
        Files.writeString(f, "{\"m\": {\"input\": \"cheap\", \"output\": 2}}");
        assertThatThrownBy(() -> PriceTable.load(f)).hasMessageContaining("'input' is \"cheap\", expected a number");
        Files.writeString(f, "{}");
        assertThatThrownBy(() -> PriceTable.load(f)).hasMessageContaining("no prices found");
        Files.writeString(f, "{not json");
        assertThatThrownBy(() -> PriceTable.load(f)).hasMessageContaining("cannot read price table");
        assertThatThrownBy(() -> PriceTable.of(java.util.Map.of()).require("x"))
                .hasMessageContaining("no price for model 'x'");
    }
}

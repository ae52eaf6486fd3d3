package dev.carrot.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingDatasetTest {

    static RoutingDataset small() {
        return RoutingDataset.builder(List.of("a", "b"))
                .add("p1", "first", "train", "math", new double[]{1, 0.5}, new int[]{10, 12}, new int[]{100, 20}, null)
                .add("p2", "second", "test", "code", new double[]{0, 1}, new int[]{30, 31}, new int[]{300, 40}, null)
                .add("p3", "third", "train", null, new double[]{0.25, 0.75}, new int[]{5, 6}, new int[]{50, 60}, null)
                .build("unit test");
    }

    @Test
    void matricesSplitsAndSelection() {
        RoutingDataset d = small();
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.splitCounts()).containsExactly(Map.entry("train", 2), Map.entry("test", 1));
        assertThat(d.indicesOf("train")).containsExactly(0, 2);
        assertThat(d.quality(2, 1)).isEqualTo(0.75);
        assertThat(d.meanQuality(0)).isEqualTo((1 + 0 + 0.25) / 3);
        assertThat(d.task(2)).isEmpty();
        assertThat(d.hasCost()).isFalse();
        RoutingDataset test = d.splits("test");
        assertThat(test.size()).isEqualTo(1);
        assertThat(test.promptId(0)).isEqualTo("p2");
        assertThat(test.provenance().notes()).anyMatch(n -> n.contains("selected 1 of 3"));
        // a copy is a copy
        double[] q = d.qualityMatrix();
        q[0] = 0;
        assertThat(d.quality(0, 0)).isEqualTo(1);
    }

    @Test
    void theContentHashIsStableAndSensitive() {
        assertThat(small().provenance().contentSha256()).isEqualTo(small().provenance().contentSha256());
        RoutingDataset other = RoutingDataset.builder(List.of("a", "b"))
                .add("p1", "first", "train", "math", new double[]{1, 0.5}, null, null, null)
                .build("x");
        RoutingDataset changed = RoutingDataset.builder(List.of("a", "b"))
                .add("p1", "first", "train", "math", new double[]{1, 0.50000001}, null, null, null)
                .build("x");
        assertThat(other.provenance().contentSha256()).isNotEqualTo(changed.provenance().contentSha256());
    }

    @Test
    void badValuesAreRejectedWithTheirPromptAndModel() {
        RoutingDataset.Builder b = RoutingDataset.builder(List.of("a", "b"));
        assertThatThrownBy(() -> b.add("p", "t", "train", null, new double[]{1.2, 0}, null, null, null))
                .hasMessageContaining("prompt 'p', model 'a': quality must be in [0, 1], got 1.2");
        assertThatThrownBy(() -> b.add("p", "t", "train", null, new double[]{Double.NaN, 0}, null, null, null))
                .hasMessageContaining("got NaN");
        assertThatThrownBy(() -> b.add("p", "t", "train", null, new double[]{1}, null, null, null))
                .hasMessageContaining("quality has 1 values, expected one per model (2)");
        assertThatThrownBy(() -> b.add("p", "t", "train", null, new double[]{1, 1}, new int[]{-1, 2}, new int[]{1, 1},
                null)).hasMessageContaining("model 'a': input tokens must be >= 0, got -1");
        assertThatThrownBy(() -> b.add("p", "t", "train", null, new double[]{1, 1}, null, null,
                new double[]{-0.1, 0})).hasMessageContaining("cost must be a finite number >= 0, got -0.1");
        b.add("p", "t", "train", null, new double[]{1, 1}, null, null, null);
        assertThatThrownBy(() -> b.add("p", "u", "train", null, new double[]{1, 1}, null, null, null))
                .hasMessageContaining("duplicate prompt id 'p'");
        assertThatThrownBy(() -> b.add("q", "t", "train", null, new double[]{1, 1}, new int[]{1, 1}, new int[]{1, 1},
                null)).hasMessageContaining("input tokens must be given for every prompt or for none");
        assertThatThrownBy(() -> RoutingDataset.builder(List.of("a", "a")))
                .hasMessageContaining("model names must be unique");
        assertThatThrownBy(() -> RoutingDataset.builder(List.of()))
                .hasMessageContaining("at least one model");
    }
}

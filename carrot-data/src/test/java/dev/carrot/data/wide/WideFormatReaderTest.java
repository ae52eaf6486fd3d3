package dev.carrot.data.wide;

import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.DatasetFormatException;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.SplitPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WideFormatReaderTest {
    @TempDir
    Path tmp;

    private final DatasetDescriptor sprout = DatasetDescriptor.load("sprout");

    private List<WideFormatReader.Input> writeAll(List<String> models) throws Exception {
        Path train = tmp.resolve("data/train-00000-of-00001.parquet");
        Path val = tmp.resolve("data/validation-00000-of-00001.parquet");
        Path test = tmp.resolve("data/test-00000-of-00001.parquet");
        SproutFixture.write(train, "train", 30, models, 4);
        SproutFixture.write(val, "validation", 10, models, -1);
        SproutFixture.write(test, "test", 12, models, -1);
        return List.of(new WideFormatReader.Input(train, "data/train-00000-of-00001.parquet", "train", null),
                new WideFormatReader.Input(val, "data/validation-00000-of-00001.parquet", "validation", null),
                new WideFormatReader.Input(test, "data/test-00000-of-00001.parquet", "test", null));
    }

    @Test
    void readsSproutLayoutWithItsTokenCounts() throws Exception {
        RoutingDataset d = new WideFormatReader(sprout, new SplitPolicy())
                .read(writeAll(SproutFixture.models()), "test-sprout", Optional.of("main"), Optional.of("abc"));

        assertThat(d.models()).isEqualTo(sprout.models()).hasSize(13);
        assertThat(d.splitCounts()).containsExactly(Map.entry("train", 29), Map.entry("validation", 10),
                Map.entry("test", 12));
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(WideFormatReader.MISSING_SCORE, 1));
        assertThat(d.provenance().droppedExamples().get("missing_score")).containsExactly("sprout-train-4");
        assertThat(d.provenance().files()).hasSize(3);
        assertThat(d.hasTokens()).isTrue();
        assertThat(d.hasCost()).isFalse(); // priced when training: carrot-train's SproutPricingTest
        assertThat(d.task(0)).contains("TIGER-Lab/MMLU-Pro");

        for (int i = 0; i < d.size(); i++) {
            String[] parts = d.promptId(i).split("-");
            String split = parts[1];
            int row = Integer.parseInt(parts[2]);
            assertThat(d.split(i)).isEqualTo(split);
            for (int m = 0; m < d.modelCount(); m++) {
                assertThat(d.quality(i, m)).isEqualTo(SproutFixture.score(split, row, m));
                int in = SproutFixture.inputTokens(split, row, m);
                int out = SproutFixture.outputTokens(split, row, m);
                assertThat(d.inputTokens(i, m)).isEqualTo(in);
                assertThat(d.outputTokens(i, m)).isEqualTo(out);
            }
        }
    }

    @Test
    void aMissingModelColumnIsNamed() throws Exception {
        List<String> twelve = new ArrayList<>(SproutFixture.models());
        twelve.remove("openai-gpt-4o");
        List<WideFormatReader.Input> inputs = writeAll(twelve);
        assertThatThrownBy(() -> new WideFormatReader(sprout, new SplitPolicy()).read(inputs, "x", Optional.empty(),
                Optional.empty()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("data/train-00000-of-00001.parquet, column 'openai-gpt-4o': missing model column");
    }

    @Test
    void aDuplicateKeyAcrossFilesIsAnError() throws Exception {
        Path a = tmp.resolve("a/train-0.parquet");
        Path b = tmp.resolve("b/train-0.parquet");
        SproutFixture.write(a, "train", 3, SproutFixture.models(), -1);
        SproutFixture.write(b, "train", 3, SproutFixture.models(), -1);
        assertThatThrownBy(() -> new WideFormatReader(sprout, new SplitPolicy()).read(List.of(
                new WideFormatReader.Input(a, "a/train-0.parquet", "train", null),
                new WideFormatReader.Input(b, "b/train-0.parquet", "train", null)), "x", Optional.empty(),
                Optional.empty()))
                .hasMessageContaining("b/train-0.parquet, row 1, column 'key': duplicate prompt id 'sprout-train-0':"
                        + " already in a/train-0.parquet row 1");
    }

    @Test
    void aTruncatedFileIsAnError() throws Exception {
        Path a = tmp.resolve("train.parquet");
        SproutFixture.write(a, "train", 50, SproutFixture.models(), -1);
        byte[] bytes = java.nio.file.Files.readAllBytes(a);
        java.nio.file.Files.write(a, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> new WideFormatReader(sprout, new SplitPolicy()).read(List.of(
                new WideFormatReader.Input(a, "data/train.parquet", "train", null)), "x", Optional.empty(),
                Optional.empty()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("data/train.parquet: cannot read as Parquet");
    }
}

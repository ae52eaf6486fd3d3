package dev.carrot.train;

import dev.carrot.data.DatasetDescriptor;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.SplitPolicy;
import dev.carrot.data.wide.SproutFixture;
import dev.carrot.data.wide.WideFormatReader;
import dev.carrot.route.model.PriceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Tokens are priced in one place, {@link PriceTable.Price#cost}: datasets with token counts through it. */
class PricingTest {
    @TempDir
    Path tmp;

    @Test
    void costsFromTokensAndPrices() {
        RoutingDataset d = RoutingDataset.builder(List.of("a", "b"))
                .add("p1", "first", "train", "math", new double[]{1, 0.5}, new int[]{10, 12}, new int[]{100, 20}, null)
                .add("p2", "second", "test", "code", new double[]{0, 1}, new int[]{30, 31}, new int[]{300, 40}, null)
                .build("unit test");
        double[] c = Matrices.pricedCosts(d, PriceTable.of(Map.of("a", new PriceTable.Price(1, 2),
                "b", new PriceTable.Price(10, 20))));
        assertThat(c[0]).isEqualTo(1e-6 * 10 + 2e-6 * 100);
        assertThat(c[3]).isEqualTo(10e-6 * 31 + 20e-6 * 40);
        assertThatThrownBy(() -> Matrices.pricedCosts(d, PriceTable.of(Map.of("a", new PriceTable.Price(1, 2)))))
                .hasMessageContaining("no price for model 'b'");
    }

    @Test
    void sproutIsPricedWithThePapersPrices() throws Exception {
        DatasetDescriptor sprout = DatasetDescriptor.load("sprout");
        Path train = tmp.resolve("data/train-00000-of-00001.parquet");
        Path test = tmp.resolve("data/test-00000-of-00001.parquet");
        SproutFixture.write(train, "train", 30, SproutFixture.models(), -1);
        SproutFixture.write(test, "test", 12, SproutFixture.models(), -1);
        RoutingDataset d = new WideFormatReader(sprout, new SplitPolicy()).read(List.of(
                new WideFormatReader.Input(train, "data/train-00000-of-00001.parquet", "train", null),
                new WideFormatReader.Input(test, "data/test-00000-of-00001.parquet", "test", null)),
                "test-sprout", Optional.of("main"), Optional.of("abc"));
        PriceTable prices = PriceTable.parse(sprout.prices().orElseThrow(), sprout.origin());
        double[] cost = Matrices.pricedCosts(d, prices);
        int m = d.modelCount();
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < m; j++) {
                PriceTable.Price p = prices.require(d.models().get(j));
                assertThat(cost[i * m + j]).isCloseTo(p.inputPerMillion() / 1e6 * d.inputTokens(i, j)
                        + p.outputPerMillion() / 1e6 * d.outputTokens(i, j), within(1e-15));
            }
        }
        // claude-3.5-sonnet is priced 3 / 15 per 1M tokens
        int claude = d.modelIndex("aws-claude-3-5-sonnet-v1");
        assertThat(cost[claude]).isEqualTo(3e-6 * d.inputTokens(0, claude) + 15e-6 * d.outputTokens(0, claude));
    }
}

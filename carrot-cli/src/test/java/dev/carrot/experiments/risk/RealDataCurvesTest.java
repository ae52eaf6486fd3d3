package dev.carrot.experiments.risk;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.train.Embedded;
import dev.carrot.train.Progress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RealDataCurvesTest {
    static final int DIM = 8;

    /**
     * Two kinds of prompt: on "hard" ones only the big model is right, on "easy" ones both are; the big model costs
     * ten times more. Embeddings are two noisy clusters, so a KNN router can learn which is which.
     */
    static Fixture fixture(int train, int test, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        RoutingDataset.Builder b = RoutingDataset.builder(List.of("small", "big"));
        int n = train + test;
        float[] vectors = new float[n * DIM];
        for (int i = 0; i < n; i++) {
            boolean hard = rng.nextBoolean();
            double[] q = hard ? new double[]{rng.nextDouble() < 0.1 ? 1 : 0, 1} : new double[]{1, 1};
            b.add("p" + i, (hard ? "hard " : "easy ") + i, i < train ? RoutingDataset.TRAIN : RoutingDataset.TEST,
                    null, q, null, null, new double[]{0.001, 0.01});
            double norm = 0;
            for (int j = 0; j < DIM; j++) {
                double v = (j == (hard ? 0 : 1) ? 3 : 0) + rng.nextDouble() - 0.5;
                vectors[i * DIM + j] = (float) v;
                norm += v * v;
            }
            for (int j = 0; j < DIM; j++) {
                vectors[i * DIM + j] /= (float) Math.sqrt(norm);
            }
        }
        EncoderInfo ref = new EncoderInfo("test-encoder", DIM, "0".repeat(64), 128, Pooling.MEAN, true);
        return new Fixture(b.build("fixture"), new Embedded(ref, vectors, null));
    }

    record Fixture(RoutingDataset data, Embedded emb) {
    }

    @Test
    void knnLearnsToRouteAndBeatsTheBestSingleModel() {
        Fixture f = fixture(640, 300, 1);
        RealDataCurves.Options o = new RealDataCurves.Options(4, 3, 5, new double[]{0, 0.25}, new int[]{2, 4, 8, 16},
                5);
        RealDataCurves.Result r = new RealDataCurves(o).run("fixture", f.data(), f.emb(), 2,
                Progress.silent("t", 1));

        assertThat(r.trainPool()).isEqualTo(640);
        assertThat(r.testPrompts()).isEqualTo(300);
        assertThat(r.hasCost()).isTrue();
        assertThat(r.costScale()).isCloseTo(0.01, within(1e-12)); // the dearest model's mean training cost
        assertThat(r.runs()).hasSize(5 * 3 * 2 * 2); // fractions x repeats x mus x routers
        assertThat(r.runs()).allSatisfy(run -> assertThat(run.regret()).isGreaterThanOrEqualTo(0));
        List<RealDataCurves.Point> knn = r.points(RealDataCurves.KNN, 0.25);
        assertThat(knn).extracting(RealDataCurves.Point::trainPrompts).containsExactly(40, 80, 160, 320, 640);
        // at mu = 0.25 (utility 0.75 q - 0.25 c / 0.01: small 0.725 or -0.025, big 0.5) the oracle takes the big
        // model only where the small one fails. The best single model is the big one (mean utility 0.5 against
        // 0.3875): it loses 0.225 on the 55% of prompts the small one gets right; the KNN router loses 0.225 only on
        // the 5% of hard prompts the small one happens to get right
        RealDataCurves.Point all = knn.get(knn.size() - 1);
        RealDataCurves.Point single = r.points(RealDataCurves.BEST_SINGLE, 0.25).get(knn.size() - 1);
        assertThat(single.meanRegret()).isCloseTo(0.55 * 0.225, within(0.03));
        assertThat(all.meanRegret()).isCloseTo(0.05 * 0.225, within(0.02));
        assertThat(knn.get(0).meanRegret()).isGreaterThanOrEqualTo(all.meanRegret());
        // at mu = 0 every router that picks "big" is an oracle
        assertThat(r.points(RealDataCurves.BEST_SINGLE, 0.0)).allSatisfy(p -> assertThat(p.meanRegret()).isZero());
    }

    @Test
    void qualityOnlyDataIsMeasuredAtMuZero() {
        Fixture f = fixture(200, 50, 2);
        RoutingDataset.Builder b = RoutingDataset.builder(f.data().models());
        for (int i = 0; i < f.data().size(); i++) {
            b.add(f.data().promptId(i), f.data().prompt(i), f.data().split(i), null,
                    new double[]{f.data().quality(i, 0), f.data().quality(i, 1)}, null, null, null);
        }
        RealDataCurves.Result r = new RealDataCurves(RealDataCurves.Options.defaults().withRepeats(2))
                .run("q", b.build("q"), f.emb(), 1, Progress.silent("t", 1));
        assertThat(r.mus()).containsExactly(0.0);
        assertThat(r.costScale()).isEqualTo(1.0);
    }

    @Test
    void subsetsAreSeededAndDistinct() {
        int[] pool = new int[100];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = 3 * i;
        }
        int[] a = RealDataCurves.subset(pool, 30, 7);
        assertThat(a).hasSize(30).doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(a).allMatch(v -> v % 3 == 0)).isTrue();
        assertThat(RealDataCurves.subset(pool, 30, 7)).isEqualTo(a);
        assertThat(RealDataCurves.subset(pool, 30, 8)).isNotEqualTo(a);
        assertThat(RealDataCurves.subset(pool, 100, 7)).containsExactlyInAnyOrder(pool);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> new RealDataCurves.Options(0, 5, 1, new double[]{0}, new int[]{2}, 5))
                .hasMessageContaining("halvings must be in [1, 20], got 0");
        assertThatThrownBy(() -> new RealDataCurves.Options(5, 1, 1, new double[]{0}, new int[]{2}, 5))
                .hasMessageContaining("repeats must be >= 2");
        assertThatThrownBy(() -> new RealDataCurves.Options(5, 5, 1, new double[]{1.5}, new int[]{2}, 5))
                .hasMessageContaining("mu must be in [0, 1]");
        Fixture f = fixture(100, 20, 3);
        Fixture g = fixture(50, 20, 3);
        RealDataCurves c = new RealDataCurves(RealDataCurves.Options.defaults());
        assertThatThrownBy(() -> c.run("x", f.data(), g.emb(), 1, Progress.silent("t", 1)))
                .hasMessageContaining("embeddings have 70 rows, the dataset 120");
        assertThatThrownBy(() -> c.run("x", f.data().splits(RoutingDataset.TRAIN), f.emb().rows() == 0 ? null
                : new Embedded(f.emb().encoder(), java.util.Arrays.copyOf(f.emb().vectors(), 100 * DIM), null), 1,
                Progress.silent("t", 1))).hasMessageContaining("needs >= 6 training and >= 1 test prompts");
    }
}

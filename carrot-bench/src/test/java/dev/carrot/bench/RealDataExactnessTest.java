package dev.carrot.bench;

import dev.carrot.route.Decision;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.knn.KnnIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import dev.carrot.train.knn.NeighbourLists;

/**
 * The exactness claims on real data: 400 routerbench_subset prompts (a seeded sample) embedded by all-MiniLM-L6-v2,
 * 300 stored (plus copies nudged in the last bits) and 100 as queries. The int8-prefiltered search, the blocked
 * neighbour lists and the router's decisions must equal the plain float32 computations exactly.
 */
class RealDataExactnessTest {
    private static final int DIM = BenchData.DIM;
    private static float[] stored;
    private static float[][] queries;

    @BeforeAll
    static void embed() {
        assumeTrue(BenchData.datasetsPresent(), "shared datasets not found: set -Dcarrot.shared.dir");
        List<String> all = new ArrayList<>(BenchData.routerbenchPrompts());
        SplittableRandom r = new SplittableRandom(2024);
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            sample.add(all.remove(r.nextInt(all.size())));
        }
        float[][] emb;
        try (PromptEncoder enc = BenchData.cachedEncoder()) {
            emb = enc.encodeAll(sample);
        }
        // 300 stored prompts, then each again with one coordinate nudged by an ulp: near-duplicates in the last bits
        stored = new float[600 * DIM];
        for (int i = 0; i < 300; i++) {
            System.arraycopy(emb[i], 0, stored, i * DIM, DIM);
            float[] nudged = emb[i].clone();
            int j = r.nextInt(DIM);
            nudged[j] = Math.nextUp(nudged[j]);
            System.arraycopy(nudged, 0, stored, (300 + i) * DIM, DIM);
        }
        queries = Arrays.copyOfRange(emb, 300, 400);
    }

    @Test
    void prefilteredSearchEqualsThePlainScan() {
        for (KnnIndex.Kernels kernels : KnnIndex.Kernels.values()) {
            KnnIndex idx = KnnIndex.of(stored, DIM, kernels, KnnIndex.Prefilter.ALWAYS);
            for (int k : new int[]{1, 2, 10, 64, 128, 512, 600}) {
                int[] a = new int[k];
                int[] b = new int[k];
                float[] sa = new float[k];
                float[] sb = new float[k];
                for (int qi = 0; qi < queries.length; qi++) {
                    int na = idx.searchExact(queries[qi], k, a, sa);
                    int nb = idx.search(queries[qi], k, b, sb);
                    assertThat(nb).isEqualTo(na);
                    assertThat(Arrays.copyOf(b, nb)).as("%s query %d k %d", kernels, qi, k)
                            .containsExactly(Arrays.copyOf(a, na));
                    assertThat(Arrays.copyOf(sb, nb)).containsExactly(Arrays.copyOf(sa, na));
                }
            }
            // stored prompts as queries: each finds itself and its nudged copy first, in index order on ties
            for (int i = 0; i < 300; i += 7) {
                float[] q = Arrays.copyOfRange(stored, i * DIM, (i + 1) * DIM);
                int[] a = new int[20];
                int[] b = new int[20];
                idx.searchExact(q, 20, a, null);
                idx.search(q, 20, b, null);
                assertThat(b).containsExactly(a);
            }
        }
    }

    @Test
    void blockedNeighbourListsEqualTheScan() {
        float[] x = Arrays.copyOf(stored, 600 * DIM);
        NeighbourLists a = NeighbourLists.compute(x, DIM, 5, 200, 2, done -> { });
        NeighbourLists b = NeighbourLists.computeByScan(x, DIM, 5, 200, 2, done -> { });
        for (int i = 0; i < 600; i++) {
            for (int j = 0; j < a.maxK(); j++) {
                assertThat(a.neighbour(i, j)).isEqualTo(b.neighbour(i, j));
            }
        }
    }

    @Test
    void routerDecisionsAreTheSameWithAndWithoutThePrefilter() {
        BenchRouters.Targets t = BenchRouters.routerbenchTargets();
        Router fast = Router.of(BenchRouters.knn(KnnIndex.of(stored, DIM, KnnIndex.Kernels.BEST,
                KnnIndex.Prefilter.ALWAYS), t, 128), null);
        Router plain = Router.of(BenchRouters.knn(KnnIndex.of(stored, DIM, KnnIndex.Kernels.BEST,
                KnnIndex.Prefilter.NEVER), t, 128), null);
        for (float[] q : queries) {
            for (int i = 0; i <= 10; i++) {
                Decision a = fast.route(q, i / 10.0);
                Decision b = plain.route(q, i / 10.0);
                assertThat(a.model()).isEqualTo(b.model());
                assertThat(a.receipts()).isEqualTo(b.receipts());
            }
        }
    }
}

package dev.carrot.route;

import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.RouterModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import dev.carrot.route.model.BlendPredictor;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.io.RouterArtifact;

/** Routers are shared by many threads: concurrent decisions must equal the single-threaded ones, exactly. */
class RouterConcurrencyTest {
    private static final int MODELS = 5;
    private static final int DIM = 384;

    static RouterModel model(EncoderInfo enc) {
        SplittableRandom r = new SplittableRandom(17);
        int n = 2000;
        float[] q = new float[n * MODELS];
        float[] out = new float[n * MODELS];
        for (int i = 0; i < q.length; i++) {
            q[i] = r.nextInt(2);
            out[i] = 10 + r.nextInt(1000);
        }
        float[] w = new float[MODELS * DIM];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        java.util.Map<String, PriceTable.Price> prices = new java.util.LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (int m = 0; m < MODELS; m++) {
            names.add("m" + m);
            prices.put("m" + m, new PriceTable.Price(m + 0.5, 2 * m + 1));
        }
        return RouterModel.builder().models(names).encoder(enc).prices(PriceTable.of(prices))
                .knnEmbeddings(TestVectors.unitRows(r, n, DIM))
                .quality(new BlendPredictor(0.5, new KnnPredictor(64, MODELS, q),
                        new LinearPredictor(MODELS, DIM, w, new float[MODELS], LinearPredictor.Link.SIGMOID)))
                .cost(new CostModel.Tokens(new InputTokenModel(new double[MODELS], new double[]{1, 1, 1, 1, 1},
                        new double[]{50, 50, 50, 50, 50}), new KnnPredictor(16, MODELS, out)))
                .costScaleUsd(0.002).build();
    }

    @Test
    void repricedRoutersShareTheBuiltInEncoderUntilTheLastOneIsClosed(@org.junit.jupiter.api.io.TempDir
                                                                          java.nio.file.Path tmp) throws Exception {
        EncoderInfo ref;
        try (PromptEncoder encoder = Encoders.miniLm()) {
            var info = encoder.info();
            ref = info;
        }
        dev.carrot.route.io.RouterArtifact.write(model(ref), tmp.resolve("router"));
        Router original = Router.load(tmp.resolve("router"));
        Decision before = original.route("How do I reverse a list in Python?", 0.2);
        Router repriced = original.withPrices(original.prices().orElseThrow()
                .with("m0", new PriceTable.Price(100, 100)));
        original.close();
        original.close(); // harmless
        Decision after = repriced.route("How do I reverse a list in Python?", 0.2);
        assertThat(after.receipt("m1")).isEqualTo(before.receipt("m1"));
        repriced.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> repriced.route("again", 0.2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void eightThreadsMakeExactlyTheSingleThreadedDecisions() throws Exception {
        try (PromptEncoder encoder = Encoders.miniLm()) {
            var info = encoder.info();
            Router router = Router.of(model(info), encoder);
            int n = 10_000;
            float[] queries = TestVectors.unitRows(new SplittableRandom(99), n, DIM);
            double[] mus = new double[n];
            for (int i = 0; i < n; i++) {
                mus[i] = (i % 11) / 10.0;
            }
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 240; i++) {
                texts.add("Prompt number " + i + ": " + "explain the difference between ".repeat(1 + i % 5)
                        + (i % 3 == 0 ? "lists and tuples in Python" : "a stack and a queue"));
            }
            String[] expected = new String[n];
            double[] expectedMargin = new double[n];
            float[] q = new float[DIM];
            for (int i = 0; i < n; i++) {
                System.arraycopy(queries, i * DIM, q, 0, DIM);
                Decision d = router.route(q.clone(), 37, mus[i], RouteOptions.defaults());
                expected[i] = d.model();
                expectedMargin[i] = d.margin();
            }
            List<Decision> expectedText = new ArrayList<>();
            for (String t : texts) {
                expectedText.add(router.route(t, 0.3));
            }

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> jobs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final int offset = t * 1250;
                    jobs.add(pool.submit((Callable<Integer>) () -> {
                        int mismatches = 0;
                        float[] mine = new float[DIM];
                        // every thread goes over all queries, starting at a different place
                        for (int j = 0; j < n; j++) {
                            int i = (offset + j) % n;
                            System.arraycopy(queries, i * DIM, mine, 0, DIM);
                            Decision d = router.route(mine.clone(), 37, mus[i], RouteOptions.defaults());
                            if (!d.model().equals(expected[i]) || d.margin() != expectedMargin[i]) {
                                mismatches++;
                            }
                        }
                        for (int j = 0; j < texts.size(); j += 8) {
                            int i = (j + offset) % texts.size();
                            if (!router.route(texts.get(i), 0.3).equals(expectedText.get(i))) {
                                mismatches++;
                            }
                        }
                        return mismatches;
                    }));
                }
                for (Future<Integer> f : jobs) {
                    assertThat(f.get()).isZero();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

package dev.carrot.springai;

import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small router that routes text for real (the same data as carrot-serve's and carrot-langchain4j's test routers),
 * also written as an artifact for the auto-configuration to load: 18 prompts in three kinds
 * (chit-chat, code, hard maths) embedded by the built-in MiniLM; KNN quality (k = 3) says the small model is as good
 * as the big one on chit-chat, the code model as good on code, and only the big one good at maths; KNN output tokens
 * (k = 2) and token prices make the big model dear. At mu = 0.3 chit-chat goes to the small model, code to the code
 * model, maths to the big one; the tests check that first, so a chat model that ignored the decision fails them.
 */
final class TestRouter implements AutoCloseable {
    static final String BIG = "big-model";
    static final String SMALL = "small-model";
    static final String CODE = "code-model";
    static final List<String> MODELS = List.of(BIG, SMALL, CODE);
    static final double MU = 0.3;

    /** Prompts not among the stored ones, one per kind. */
    static final String CHAT_PROMPT = "Please say a warm hello to my grandmother, it is her birthday today";
    static final String CODE_PROMPT = "Write a Java function that parses a CSV line";
    static final String MATH_PROMPT = "Prove that the square root of two is irrational, step by step";

    private static final List<String> CHAT = List.of("Say hello to my friend", "What is the capital of France?",
            "Tell me a fun fact about cats", "Translate 'good morning' into Spanish",
            "What's a good name for a pet goldfish?", "How are you today? Tell me something nice");
    private static final List<String> CODE_PROMPTS = List.of("Write a Python function to reverse a linked list",
            "Fix this Java NullPointerException in my stream pipeline", "Implement quicksort in Rust",
            "Write a SQL query that finds duplicate emails in a users table",
            "Write a JavaScript function that validates an email address with a regex",
            "Write a bash script that renames all .txt files to .md");
    private static final List<String> MATH = List.of("Prove that there are infinitely many prime numbers",
            "Solve the differential equation y'' + y = sin x", "Prove the Cauchy-Schwarz inequality",
            "Compute the eigenvalues of the matrix [[2,1,0],[1,2,1],[0,1,2]]",
            "Prove that every bounded monotone sequence of real numbers converges",
            "Find all integer solutions of x^2 - 2y^2 = 1 and prove there are infinitely many");

    final PromptEncoder encoder;
    final Router router;
    final java.nio.file.Path dir;

    private TestRouter(PromptEncoder encoder, Router router, java.nio.file.Path dir) {
        this.encoder = encoder;
        this.router = router;
        this.dir = dir;
    }

    static PriceTable prices() {
        return PriceTable.of(Map.of(BIG, new PriceTable.Price(10, 30), SMALL, new PriceTable.Price(0.15, 0.6),
                CODE, new PriceTable.Price(1, 2)));
    }

    /** Writes the router to {@code parent/router} and keeps an in-process copy over the same encoder. */
    static TestRouter create(java.nio.file.Path parent) {
        PromptEncoder enc = Encoders.miniLm(new EncoderOptions().withIntraOpThreads(1));
        try {
            List<String> prompts = new ArrayList<>();
            prompts.addAll(CHAT);
            prompts.addAll(CODE_PROMPTS);
            prompts.addAll(MATH);
            float[][] emb = enc.encodeAll(prompts);
            int n = prompts.size();
            int dim = enc.info().dimension();
            float[] flat = new float[n * dim];
            for (int i = 0; i < n; i++) {
                System.arraycopy(emb[i], 0, flat, i * dim, dim);
            }
            float[] q = new float[n * 3];
            float[] out = new float[n * 3];
            float[] in = new float[n * 3];
            float[][] quality = {{1, 1, 0.5f}, {1, 0, 1}, {1, 0, 0}};
            float[][] tokens = {{60, 50, 60}, {400, 300, 350}, {600, 400, 500}};
            for (int i = 0; i < n; i++) {
                int kind = i / 6; // 0 chat, 1 code, 2 maths
                for (int m = 0; m < 3; m++) {
                    q[i * 3 + m] = quality[kind][m];
                    out[i * 3 + m] = tokens[kind][m];
                    in[i * 3 + m] = enc.countTokens(prompts.get(i));
                }
            }
            CalibrationData cal = CalibrationData.ofTokens(n, 3, q, q, in, out, in, out);
            RouterModel model = RouterModel.builder()
                    .models(MODELS)
                    .encoder(enc.info())
                    .prices(prices())
                    .knnEmbeddings(flat)
                    .quality(new KnnPredictor(3, 3, q))
                    .cost(new CostModel.Tokens(new InputTokenModel(new double[3], new double[]{1, 1, 1},
                            new double[]{20, 20, 20}), new KnnPredictor(2, 3, out)))
                    .costScaleUsd(0.01)
                    .calibrationData(cal)
                    .calibration(cal.calibrate(MODELS, prices(), 0.01, BudgetCalibration.defaultGrid()))
                    .provenance(Provenance.builder().created(Instant.parse("2026-01-01T00:00:00Z")).build())
                    .build();
            java.nio.file.Path dir = parent.resolve("router");
            dev.carrot.route.io.RouterArtifact.write(model, dir);
            return new TestRouter(enc, Router.of(model, enc), dir);
        } catch (java.io.IOException e) {
            enc.close();
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    @Override
    public void close() {
        router.close();
        encoder.close();
    }
}

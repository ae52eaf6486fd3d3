package dev.carrot.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The test router of carrot's adapters (the gateway, the LangChain4j and Spring AI chat models): a small router that
 * routes text for real. 18 prompts in three kinds (chit-chat, code, hard maths) are embedded by the built-in MiniLM;
 * KNN quality (k = 3) says the small model is as good as the big one on chit-chat, the code model as good on code, and
 * only the big one good at maths; KNN output tokens (k = 2) and token prices make the big model dear. At mu = 0.3
 * chit-chat goes to the small model, code to the code model, maths to the big one ({@code TestRouterTest} checks it,
 * so an adapter that ignored the decision fails its tests). {@link #create(Path)} writes it as an artifact (with a
 * budget calibration) for a gateway or an auto-configuration to load, and keeps the loaded router in process to say
 * what they should have decided; {@link #create()} keeps it in process only.
 */
public final class TestRouter implements AutoCloseable {
    public static final String BIG = "big-model";
    public static final String SMALL = "small-model";
    public static final String CODE = "code-model";
    public static final List<String> MODELS = List.of(BIG, SMALL, CODE);
    /** The mu the tests route at (the gateway's default). */
    public static final double MU = 0.3;

    /** Prompts not among the stored ones, one per kind. */
    public static final String CHAT_PROMPT = "Please say a warm hello to my grandmother, it is her birthday today";
    public static final String CODE_PROMPT = "Write a Java function that parses a CSV line";
    public static final String MATH_PROMPT = "Prove that the square root of two is irrational, step by step";

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

    private final Path dir; // null when in process only
    private final PromptEncoder encoder;
    private final Router router;

    private TestRouter(Path dir, PromptEncoder encoder, Router router) {
        this.dir = dir;
        this.encoder = encoder;
        this.router = router;
    }

    /** The same encoder settings as the gateway's (one ONNX thread), so decisions agree to the last bit. */
    public static EncoderOptions encoderOptions() {
        return new EncoderOptions().withIntraOpThreads(1);
    }

    public static PriceTable prices() {
        return PriceTable.of(Map.of(BIG, new PriceTable.Price(10, 30), SMALL, new PriceTable.Price(0.15, 0.6),
                CODE, new PriceTable.Price(1, 2)));
    }

    /** The router in process only, over its own encoder (no artifact: {@link #dir()} is refused). */
    public static TestRouter create() {
        PromptEncoder enc = Encoders.miniLm(encoderOptions());
        try {
            return new TestRouter(null, enc, Router.of(model(enc), enc));
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    /** Writes the router to {@code parent/router} and keeps the router loaded from there in process. */
    public static TestRouter create(Path parent) {
        PromptEncoder enc = Encoders.miniLm(encoderOptions());
        try {
            Path dir = parent.resolve("router");
            RouterArtifact.write(model(enc), dir);
            return new TestRouter(dir, enc, Router.load(dir, enc));
        } catch (IOException e) {
            enc.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    private static RouterModel model(PromptEncoder enc) {
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
        return RouterModel.builder()
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
    }

    /** The artifact directory (of a router made by {@link #create(Path)}). */
    public Path dir() {
        if (dir == null) {
            throw new IllegalStateException("this test router was made in process only: use create(Path) for an"
                    + " artifact");
        }
        return dir;
    }

    /** The router (the loaded artifact's, for {@link #create(Path)}). */
    public Router router() {
        return router;
    }

    /** The router's encoder. */
    public PromptEncoder encoder() {
        return encoder;
    }

    /** The decision JSON the in-process router gives for a text, over {@code models}. */
    public ObjectNode expected(String text, double mu, List<String> models) {
        Decision d = router.route(text, mu, RouteOptions.defaults().onlyModels(models));
        return DecisionJson.write(d);
    }

    /** The decision JSON within a budget. */
    public ObjectNode expectedWithBudget(String text, double budget, List<String> models) {
        return DecisionJson.write(router.routeWithBudget(text, budget, RouteOptions.defaults().onlyModels(models)));
    }

    public String expectedModel(String text, double mu) {
        return router.route(text, mu).model();
    }

    /** Models by utility, best first, at mu. */
    public List<String> ranking(String text, double mu) {
        Decision d = router.route(text, mu);
        return d.receipts().stream().sorted((a, b) -> Double.compare(b.utility(), a.utility()))
                .map(r -> r.model()).toList();
    }

    public double predictedCost(String text, double mu, String model) {
        return router.route(text, mu).receipt(model).costUsd();
    }

    /** Nanoseconds to encode a text once with the router's encoder (the gateway's settings), for the benchmark. */
    public long encodeNanos(String text) {
        long t0 = System.nanoTime();
        encoder.encode(text);
        return System.nanoTime() - t0;
    }

    @Override
    public void close() {
        router.close();
        encoder.close();
    }
}

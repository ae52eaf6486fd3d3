package dev.carrot.route;

import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostBounds;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.FixedModelPolicy;
import dev.carrot.route.model.FixedModelStats;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.model.InputTokenModel;
import dev.carrot.route.model.RouterModel;

import java.util.List;
import java.util.Map;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.Provenance;

/**
 * A tiny router whose every number can be computed by hand: 3 models (A strong and dear, B weak and cheap, C in
 * between), 4 stored prompts in 4 dimensions, KNN quality (k = 2) and KNN output tokens (k = 1).
 */
public final class TestRouters {
    private TestRouters() {
    }

    public static final List<String> MODELS = List.of("A", "B", "C");
    public static final EncoderInfo ENCODER = new EncoderInfo("test-encoder", 4, "0".repeat(64), 16, Pooling.MEAN, true);

    public static final float[] STORED = {
            1, 0, 0, 0,
            0, 1, 0, 0,
            0, 0, 1, 0,
            0.6f, 0.8f, 0, 0};
    /** quality of A, B, C on each stored prompt */
    public static final float[] QUALITY = {
            1, 0, 0.5f,
            1, 1, 0,
            0, 0, 1,
            0.5f, 0.5f, 0.5f};
    /** output tokens of A, B, C on each stored prompt */
    public static final float[] OUTPUT_TOKENS = {
            1000, 200, 400,
            500, 100, 300,
            10, 10, 10,
            700, 150, 350};

    public static PriceTable prices() {
        return PriceTable.of(Map.of(
                "A", new PriceTable.Price(10, 30),
                "B", new PriceTable.Price(0.5, 1),
                "C", new PriceTable.Price(2, 4)));
    }

    public static RouterModel.Builder builder() {
        Provenance prov = Provenance.builder().datasetSha256("f".repeat(64))
                .created(java.time.Instant.parse("2026-01-01T00:00:00Z")).build();
        return RouterModel.builder()
                .models(MODELS)
                .encoder(ENCODER)
                .prices(prices())
                .knnEmbeddings(STORED)
                .quality(new KnnPredictor(2, 3, QUALITY))
                .cost(new CostModel.Tokens(
                        new InputTokenModel(new double[]{0, 0, 0}, new double[]{1.0, 1.2, 1.5},
                                new double[]{50, 60, 70}),
                        new KnnPredictor(1, 3, OUTPUT_TOKENS)))
                .costScaleUsd(0.01)
                .provenance(prov);
    }

    public static RouterModel small() {
        return builder().build();
    }

    /** The small router plus validation data (two prompts) and the calibration computed from it. */
    public static RouterModel withCalibration() {
        float[] predQ = {0.9f, 0.2f, 0.5f, 0.8f, 0.7f, 0.6f};
        float[] trueQ = {1, 0, 1, 1, 1, 0};
        float[] predIn = {100, 120, 150, 100, 120, 150};
        float[] predOut = {1000, 200, 400, 800, 100, 300};
        float[] trueIn = predIn.clone();
        float[] trueOut = {900, 250, 380, 850, 90, 310};
        CalibrationData data = CalibrationData.ofTokens(2, 3, predQ, trueQ, predIn, predOut, trueIn, trueOut);
        BudgetCalibration cal = data.calibrate(MODELS, prices(), 0.01, BudgetCalibration.defaultGrid());
        return builder().calibrationData(data).calibration(cal).build();
    }

    /** Each model's mean quality and tokens over ten made-up labelled prompts. */
    public static FixedModelStats fixedModelStats() {
        return FixedModelStats.ofTokens(10, new double[]{0.9, 0.3, 0.6}, new double[]{100, 120, 150},
                new double[]{900, 200, 380});
    }

    /**
     * The calibrated router with a hand-made fixed-model policy: every prompt goes to A for mu in [0.05, 0.15], the
     * router decides elsewhere.
     */
    public static RouterModel withPolicy() {
        RouterModel base = withCalibration();
        double[] grid = BudgetCalibration.defaultGrid();
        int[] choice = new int[grid.length];
        for (int g = 0; g < grid.length; g++) {
            choice[g] = g >= 50 && g <= 150 ? 0 : FixedModelPolicy.ROUTER;
        }
        return base.toBuilder().policy(new FixedModelPolicy(fixedModelStats(), grid, choice)).build();
    }

    /**
     * Output-token bounds from 18 validation prompts in two prompt groups, offset 10 tokens. Group 0 (prompts nearest
     * the centroid (1, 0, 0, 0), like {@link #query()}) has nine: at confidence 0.9 (k = ceil(10 * 0.9) = 9, the
     * largest score) a prediction p is bounded by {@code (p + 10) * r - 10} with r = e^0.4 for A, 1.5 for B and 2
     * for C; at 0.5 (k = 5) by the fifth score; above 0.9 there are too few prompts, and the bound is infinite.
     * Group 1 (nearest (0, 0, 1, 0)) has r = 3 for every model at 0.9.
     */
    public static CostBounds bounds() {
        double[] scores = new double[3 * 18];
        for (int i = 0; i < 9; i++) {
            scores[i] = 0.05 * i;                              // A: 0 .. 0.4
            scores[18 + i] = Math.log(1.5) * (i - 4) / 4.0;    // B: -ln 1.5 .. ln 1.5
            scores[36 + i] = Math.log(2) * i / 8.0;            // C: 0 .. ln 2
            for (int m = 0; m < 3; m++) {
                scores[m * 18 + 9 + i] = Math.log(3) * i / 8.0; // group 1: 0 .. ln 3
            }
        }
        return new CostBounds(CostBounds.Target.OUTPUT_TOKENS, 3, 18, new double[]{10, 10, 10}, 4,
                new float[]{1, 0, 0, 0, 0, 0, 1, 0}, new int[]{0, 1}, new int[]{9, 9}, scores);
    }

    /** The calibrated router with {@link #bounds()}. */
    public static RouterModel withBounds() {
        return withCalibration().toBuilder().costBounds(bounds()).build();
    }

    /** The query that sits on stored prompt 0: its neighbours are stored prompts 0 and 3. */
    public static float[] query() {
        return new float[]{1, 0, 0, 0};
    }
}

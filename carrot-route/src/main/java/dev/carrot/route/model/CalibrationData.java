package dev.carrot.route.model;

import java.util.Objects;

/**
 * The validation predictions and outcomes a {@link BudgetCalibration} was computed from, kept in the artifact so that
 * the calibration can be recomputed when prices change ({@code Router.withPrices}). Matrices are rows x models,
 * row-major. Token-based routers keep token counts (re-priced with any price table); direct-cost routers keep USD.
 */
public final class CalibrationData {
    private final int rows;
    private final int models;
    private final float[] predQuality;
    private final float[] trueQuality;
    private final float[] predInputTokens;
    private final float[] predOutputTokens;
    private final float[] trueInputTokens;
    private final float[] trueOutputTokens;
    private final float[] predCost;
    private final float[] trueCost;

    private CalibrationData(int rows, int models, float[] predQuality, float[] trueQuality, float[] predIn,
                            float[] predOut, float[] trueIn, float[] trueOut, float[] predCost, float[] trueCost) {
        if (rows < 1 || models < 1) {
            throw new IllegalArgumentException("calibration data needs rows and models >= 1, got " + rows + " x "
                    + models);
        }
        int cells = rows * models;
        for (float[] a : new float[][]{predQuality, trueQuality, predIn, predOut, trueIn, trueOut, predCost, trueCost}) {
            if (a != null && a.length != cells) {
                throw new IllegalArgumentException("calibration arrays must have rows x models = " + cells
                        + " values, got " + a.length);
            }
        }
        this.rows = rows;
        this.models = models;
        this.predQuality = Objects.requireNonNull(predQuality, "predQuality").clone();
        this.trueQuality = Objects.requireNonNull(trueQuality, "trueQuality").clone();
        this.predInputTokens = predIn == null ? null : predIn.clone();
        this.predOutputTokens = predOut == null ? null : predOut.clone();
        this.trueInputTokens = trueIn == null ? null : trueIn.clone();
        this.trueOutputTokens = trueOut == null ? null : trueOut.clone();
        this.predCost = predCost == null ? null : predCost.clone();
        this.trueCost = trueCost == null ? null : trueCost.clone();
    }

    /** For token-based routers. */
    public static CalibrationData ofTokens(int rows, int models, float[] predQuality, float[] trueQuality,
                                           float[] predInputTokens, float[] predOutputTokens, float[] trueInputTokens,
                                           float[] trueOutputTokens) {
        Objects.requireNonNull(predInputTokens, "predInputTokens");
        Objects.requireNonNull(predOutputTokens, "predOutputTokens");
        Objects.requireNonNull(trueInputTokens, "trueInputTokens");
        Objects.requireNonNull(trueOutputTokens, "trueOutputTokens");
        return new CalibrationData(rows, models, predQuality, trueQuality, predInputTokens, predOutputTokens,
                trueInputTokens, trueOutputTokens, null, null);
    }

    /** For direct-cost routers. */
    public static CalibrationData ofCosts(int rows, int models, float[] predQuality, float[] trueQuality,
                                          float[] predCost, float[] trueCost) {
        Objects.requireNonNull(predCost, "predCost");
        Objects.requireNonNull(trueCost, "trueCost");
        return new CalibrationData(rows, models, predQuality, trueQuality, null, null, null, null, predCost, trueCost);
    }

    public int rows() {
        return rows;
    }

    public int models() {
        return models;
    }

    public boolean tokenBased() {
        return predInputTokens != null;
    }

    /** The arrays by their artifact names ({@code pred_quality}, {@code true_quality}, ...), copies. */
    public java.util.Map<String, float[]> arrays() {
        java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
        m.put("pred_quality", predQuality.clone());
        m.put("true_quality", trueQuality.clone());
        if (tokenBased()) {
            m.put("pred_input_tokens", predInputTokens.clone());
            m.put("pred_output_tokens", predOutputTokens.clone());
            m.put("true_input_tokens", trueInputTokens.clone());
            m.put("true_output_tokens", trueOutputTokens.clone());
        } else {
            m.put("pred_cost", predCost.clone());
            m.put("true_cost", trueCost.clone());
        }
        return m;
    }

    /** The data from its arrays by artifact name, as {@link #arrays()} gives them. */
    public static CalibrationData fromArrays(int rows, int models, java.util.Map<String, float[]> a) {
        if (a.containsKey("pred_input_tokens")) {
            return ofTokens(rows, models, a.get("pred_quality"), a.get("true_quality"), a.get("pred_input_tokens"),
                    a.get("pred_output_tokens"), a.get("true_input_tokens"), a.get("true_output_tokens"));
        }
        return ofCosts(rows, models, a.get("pred_quality"), a.get("true_quality"), a.get("pred_cost"),
                a.get("true_cost"));
    }

    /**
     * Recomputes the calibration; token-based data is priced with {@code prices} (for {@code modelNames}, in the
     * data's model order), which are not needed for direct-cost data.
     */
    public BudgetCalibration calibrate(java.util.List<String> modelNames, PriceTable prices, double costScale,
                                       double[] grid) {
        if (modelNames.size() != models) {
            throw new IllegalArgumentException("calibration data covers " + models + " models, got names of "
                    + modelNames.size());
        }
        PriceTable.Price[] price = tokenBased() ? prices.forModels(modelNames) : null;
        int cells = rows * models;
        double[] pq = new double[cells];
        double[] tq = new double[cells];
        double[] pc = new double[cells];
        double[] tc = new double[cells];
        for (int i = 0; i < rows; i++) {
            for (int m = 0; m < models; m++) {
                int k = i * models + m;
                pq[k] = predQuality[k];
                tq[k] = trueQuality[k];
                if (tokenBased()) {
                    pc[k] = price[m].cost(predInputTokens[k], predOutputTokens[k]);
                    tc[k] = price[m].cost(trueInputTokens[k], trueOutputTokens[k]);
                } else {
                    pc[k] = predCost[k];
                    tc[k] = trueCost[k];
                }
            }
        }
        return BudgetCalibration.fit(pq, pc, tq, tc, rows, models, costScale, grid);
    }
}

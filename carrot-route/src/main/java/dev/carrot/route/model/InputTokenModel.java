package dev.carrot.route.model;

import java.util.Objects;

/**
 * Estimates how many input tokens a prompt costs on each model, since the models' own tokenizers are not available
 * at routing time: {@code max(0, intercept_m + slope_m * t)} where {@code t} is the number of word pieces the
 * router's encoder tokenizer makes of the whole (untruncated) prompt. The per-model coefficients are fitted by least
 * squares on the training prompts. When only an embedding is given and no token count, the model's mean input
 * tokens over the training prompts ({@code fallback}) is used.
 */
public final class InputTokenModel implements InputTokens {
    private final double[] intercept;
    private final double[] slope;
    private final double[] fallback;

    public InputTokenModel(double[] intercept, double[] slope, double[] fallback) {
        Objects.requireNonNull(intercept, "intercept");
        Objects.requireNonNull(slope, "slope");
        Objects.requireNonNull(fallback, "fallback");
        if (intercept.length == 0 || slope.length != intercept.length || fallback.length != intercept.length) {
            throw new IllegalArgumentException("intercept, slope and fallback need one value per model, got lengths "
                    + intercept.length + ", " + slope.length + ", " + fallback.length);
        }
        for (int m = 0; m < intercept.length; m++) {
            if (!Double.isFinite(intercept[m]) || !Double.isFinite(slope[m]) || !(fallback[m] >= 0)
                    || Double.isInfinite(fallback[m])) {
                throw new IllegalArgumentException("input-token model for model " + m + " must be finite with a"
                        + " fallback >= 0, got intercept " + intercept[m] + ", slope " + slope[m] + ", fallback "
                        + fallback[m]);
            }
        }
        this.intercept = intercept.clone();
        this.slope = slope.clone();
        this.fallback = fallback.clone();
    }

    @Override
    public int models() {
        return intercept.length;
    }

    @Override
    public String kind() {
        return "encoder_token_linear";
    }

    @Override
    public void estimate(PromptView prompt, double[] out) {
        double t = prompt.encoderTokens();
        for (int m = 0; m < intercept.length; m++) {
            out[m] = estimate(m, t);
        }
    }

    public double[] intercept() {
        return intercept.clone();
    }

    public double[] slope() {
        return slope.clone();
    }

    public double[] fallback() {
        return fallback.clone();
    }

    /** Estimated input tokens on model {@code m} for a prompt of {@code encoderTokens} word pieces (NaN: unknown). */
    public double estimate(int m, double encoderTokens) {
        if (Double.isNaN(encoderTokens)) {
            return fallback[m];
        }
        return Math.max(0.0, intercept[m] + slope[m] * encoderTokens);
    }
}

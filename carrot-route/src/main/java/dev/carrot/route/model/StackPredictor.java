package dev.carrot.route.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A per-model weighted combination of several predictors: output {@code m} is
 * {@code sum_k weights[m][k] * parts[k](x)[m]}. Unlike {@link BlendPredictor}, whose one weight serves every model,
 * each model has its own weights (stacking: training fits them on out-of-fold predictions). Immutable; arrays are
 * copied in and out.
 *
 * <p>Manifest entry: {@code {"kind": "stack", "parts": K, "weights": ARRAY, "part0": PREDICTOR, ...}}, weights
 * outputs x K.
 */
public final class StackPredictor implements Predictor {
    /** The manifest name of this kind. */
    public static final String KIND = "stack";

    private final List<Predictor> parts;
    private final int outputs;
    private final float[] weights;

    /**
     * @param weights outputs x parts, row-major: the weight of each part for each output, finite
     * @param parts   at least two predictors with the same outputs
     */
    public StackPredictor(float[] weights, List<Predictor> parts) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(parts, "parts");
        if (parts.size() < 2) {
            throw new IllegalArgumentException("a stack needs at least two parts, got " + parts.size());
        }
        int m = parts.get(0).outputs();
        for (Predictor p : parts) {
            if (Objects.requireNonNull(p, "part").outputs() != m) {
                throw new IllegalArgumentException("stacked predictors must have the same outputs, got " + m + " and "
                        + p.outputs());
            }
        }
        if (weights.length != m * parts.size()) {
            throw new IllegalArgumentException("weights length " + weights.length + ", expected outputs x parts = "
                    + m + " x " + parts.size());
        }
        for (float w : weights) {
            if (!Float.isFinite(w)) {
                throw new IllegalArgumentException("stack weights must be finite, got " + w);
            }
        }
        this.parts = List.copyOf(parts);
        this.outputs = m;
        this.weights = weights.clone();
    }

    /** The weights, outputs x parts. */
    public float[] weights() {
        return weights.clone();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("stack(");
        int k = parts.size();
        for (int i = 0; i < k; i++) {
            double mean = 0;
            for (int m = 0; m < outputs; m++) {
                mean += weights[m * k + i];
            }
            sb.append(i == 0 ? "" : " + ").append(String.format(Locale.ROOT, "%.3f*", mean / outputs))
                    .append(parts.get(i).describe());
        }
        return sb.append(", weights per model; mean shown)").toString();
    }

    @Override
    public int neighbours() {
        int n = 0;
        for (Predictor p : parts) {
            n = Math.max(n, p.neighbours());
        }
        return n;
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        int k = parts.size();
        double[] one = new double[outputs]; // stacks are shallow (one level from training): a small array
        for (int m = 0; m < outputs; m++) {
            out[m] = 0;
        }
        for (int i = 0; i < k; i++) {
            parts.get(i).predict(prompt, one);
            for (int m = 0; m < outputs; m++) {
                out[m] += weights[m * k + i] * one[m];
            }
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.put("parts", parts.size());
        out.putFloats("weights", weights, outputs, parts.size());
        for (int i = 0; i < parts.size(); i++) {
            out.putPredictor("part" + i, parts.get(i));
        }
    }

    @Override
    public List<Predictor> parts() {
        return parts;
    }

    @Override
    public Optional<String> misfit(int dimension, int storedPrompts) {
        for (Predictor p : parts) {
            Optional<String> why = p.misfit(dimension, storedPrompts);
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    /** Reads {@code "stack"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return KIND;
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            int k = in.getInt("parts");
            if (k < 2 || k > 64) {
                throw in.invalid("a stack has 2 to 64 parts, got " + k);
            }
            List<Predictor> parts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                parts.add(in.getPredictor("part" + i));
            }
            return new StackPredictor(in.getFloats("weights", in.outputs(), k), parts);
        }
    }
}

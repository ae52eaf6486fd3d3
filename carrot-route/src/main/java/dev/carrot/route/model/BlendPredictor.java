package dev.carrot.route.model;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A convex combination of two predictors: {@code weight * first + (1 - weight) * second}.
 *
 * <p>Manifest entry: {@code {"kind": "blend", "weight": 0.4, "first": PREDICTOR, "second": PREDICTOR}}.
 */
public final class BlendPredictor implements Predictor {
    /** The manifest name of this kind. */
    public static final String KIND = "blend";

    private final double weight;
    private final Predictor first;
    private final Predictor second;

    /** {@code weight * first + (1 - weight) * second}, weight in [0, 1]. */
    public BlendPredictor(double weight, Predictor first, Predictor second) {
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("blend weight must be in [0, 1], got " + weight);
        }
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        if (first.outputs() != second.outputs()) {
            throw new IllegalArgumentException("blended predictors must have the same outputs, got "
                    + first.outputs() + " and " + second.outputs());
        }
        this.weight = weight;
        this.first = first;
        this.second = second;
    }

    public double weight() {
        return weight;
    }

    public Predictor first() {
        return first;
    }

    public Predictor second() {
        return second;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputs() {
        return first.outputs();
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "blend(%.3f*%s + %.3f*%s)", weight, first.describe(), 1 - weight,
                second.describe());
    }

    @Override
    public int neighbours() {
        return Math.max(first.neighbours(), second.neighbours());
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        int m = outputs();
        double[] other = new double[m]; // blends are shallow (one level from training): a small array
        first.predict(prompt, out);
        second.predict(prompt, other);
        for (int i = 0; i < m; i++) {
            out[i] = weight * out[i] + (1 - weight) * other[i];
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.put("weight", weight);
        out.putPredictor("first", first);
        out.putPredictor("second", second);
    }

    @Override
    public List<Predictor> parts() {
        return List.of(first, second);
    }

    @Override
    public Optional<String> misfit(int dimension, int storedPrompts) {
        Optional<String> a = first.misfit(dimension, storedPrompts);
        return a.isPresent() ? a : second.misfit(dimension, storedPrompts);
    }

    /** Reads {@code "blend"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return KIND;
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            return new BlendPredictor(in.getDouble("weight"), in.getPredictor("first"), in.getPredictor("second"));
        }
    }
}

package dev.carrot.route.model;

import dev.carrot.route.internal.vector.VectorOps;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A linear model per output over the prompt embedding, {@code link(w_m . x + b_m)}, with an identity link (linear
 * regression) or a sigmoid link (logistic regression). Immutable; arrays are copied in and out.
 *
 * <p>Manifest entry: {@code {"kind": "linear", "link": "sigmoid", "weights": ARRAY, "bias": ARRAY}}, weights
 * outputs x dimension.
 */
public final class LinearPredictor implements Predictor {
    /** The manifest name of this kind. */
    public static final String KIND = "linear";

    private final int outputs;
    private final int dimension;
    private final float[] weights;
    private final float[] bias;
    private final Link link;
    private final VectorOps ops = VectorOps.get();

    /** Output link. */
    public enum Link {
        IDENTITY, SIGMOID;

        /** The link applied to a linear score. */
        public double apply(double z) {
            return this == IDENTITY ? z : 1.0 / (1.0 + Math.exp(-z));
        }

        /** The entry's {@code "link"} field, refused by name when it is neither link. */
        static Link read(PredictorReader in) throws IOException {
            String link = in.getString("link");
            try {
                return valueOf(link.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw in.invalid("unknown link '" + link + "', expected identity or sigmoid");
            }
        }
    }

    /**
     * @param weights outputs x dimension, row-major
     * @param bias    one per output
     */
    public LinearPredictor(int outputs, int dimension, float[] weights, float[] bias, Link link) {
        if (outputs < 1 || dimension < 1) {
            throw new IllegalArgumentException("outputs and dimension must be >= 1, got " + outputs + " and "
                    + dimension);
        }
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        if (weights.length != outputs * dimension) {
            throw new IllegalArgumentException("weights length " + weights.length + ", expected outputs x dimension"
                    + " = " + outputs + " x " + dimension);
        }
        if (bias.length != outputs) {
            throw new IllegalArgumentException("bias length " + bias.length + ", expected " + outputs);
        }
        for (float w : weights) {
            if (!Float.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite, got " + w);
            }
        }
        for (float b : bias) {
            if (!Float.isFinite(b)) {
                throw new IllegalArgumentException("bias must be finite, got " + b);
            }
        }
        this.outputs = outputs;
        this.dimension = dimension;
        this.weights = weights.clone();
        this.bias = bias.clone();
        this.link = Objects.requireNonNull(link, "link");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    public int dimension() {
        return dimension;
    }

    public float[] weights() {
        return weights.clone();
    }

    public float[] bias() {
        return bias.clone();
    }

    public Link link() {
        return link;
    }

    @Override
    public String describe() {
        return link == Link.SIGMOID ? "logistic" : "linear";
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        float[] x = prompt.embedding();
        for (int m = 0; m < outputs; m++) {
            double z = ops.dot(weights, m * dimension, x, 0, dimension) + (double) bias[m];
            out[m] = link.apply(z);
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.put("link", link.name().toLowerCase(Locale.ROOT));
        out.putFloats("weights", weights, outputs, dimension);
        out.putFloats("bias", bias, outputs);
    }

    @Override
    public Optional<String> misfit(int dim, int storedPrompts) {
        return dim == dimension ? Optional.empty() : Optional.of("linear predictor has dimension " + dimension
                + ", the encoder has " + dim);
    }

    /** Reads {@code "linear"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return KIND;
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            Link l = Link.read(in);
            int out = in.outputs();
            int dim = in.dimension();
            return new LinearPredictor(out, dim, in.getFloats("weights", out, dim), in.getFloats("bias", out), l);
        }
    }
}

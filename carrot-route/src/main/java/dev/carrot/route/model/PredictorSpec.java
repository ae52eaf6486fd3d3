package dev.carrot.route.model;

import java.util.Objects;

/**
 * A trained predictor with one output per model, as stored in a router artifact.
 *
 * <ul>
 *   <li>{@link Knn}: the mean of the targets of the {@code k} stored prompts most similar (cosine) to the query;</li>
 *   <li>{@link Linear}: {@code link(W x + b)}, with an identity or sigmoid link (logistic regression);</li>
 *   <li>{@link Blend}: {@code w * first + (1 - w) * second}.</li>
 * </ul>
 * Arrays are copied in and out; instances are immutable.
 */
public sealed interface PredictorSpec permits PredictorSpec.Knn, PredictorSpec.Linear, PredictorSpec.Blend {

    /** Number of outputs (models). */
    int outputs();

    /** A short description for logs and receipts ({@code knn(k=64)}, {@code logistic}, {@code blend(0.40)}). */
    String describe();

    /** The largest k of any KNN part, or 0. */
    int maxK();

    /** Output link of a linear predictor. */
    enum Link {
        IDENTITY, SIGMOID;

        double apply(double z) {
            return this == IDENTITY ? z : 1.0 / (1.0 + Math.exp(-z));
        }
    }

    /** KNN regression over the artifact's stored embeddings. */
    final class Knn implements PredictorSpec {
        private final int k;
        private final int outputs;
        private final float[] targets;

        /**
         * @param k       neighbours to average, >= 1
         * @param outputs outputs per stored prompt
         * @param targets stored-prompts x outputs, row-major
         */
        public Knn(int k, int outputs, float[] targets) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            if (outputs < 1) {
                throw new IllegalArgumentException("outputs must be >= 1, got " + outputs);
            }
            Objects.requireNonNull(targets, "targets");
            if (targets.length % outputs != 0) {
                throw new IllegalArgumentException("targets length " + targets.length + " is not a multiple of "
                        + outputs + " outputs");
            }
            for (int i = 0; i < targets.length; i++) {
                if (!Float.isFinite(targets[i])) {
                    throw new IllegalArgumentException("target " + i + " is not finite: " + targets[i]);
                }
            }
            this.k = k;
            this.outputs = outputs;
            this.targets = targets.clone();
        }

        public int k() {
            return k;
        }

        @Override
        public int outputs() {
            return outputs;
        }

        /** Number of stored prompts the targets cover. */
        public int rows() {
            return targets.length / outputs;
        }

        public float[] targets() {
            return targets.clone();
        }

        float[] targetsRef() {
            return targets;
        }

        @Override
        public String describe() {
            return "knn(k=" + k + ")";
        }

        @Override
        public int maxK() {
            return k;
        }
    }

    /** A linear model per output: {@code link(w_m . x + b_m)}. */
    final class Linear implements PredictorSpec {
        private final int outputs;
        private final int dimension;
        private final float[] weights;
        private final float[] bias;
        private final Link link;

        /**
         * @param weights outputs x dimension, row-major
         * @param bias    one per output
         */
        public Linear(int outputs, int dimension, float[] weights, float[] bias, Link link) {
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

        float[] weightsRef() {
            return weights;
        }

        float[] biasRef() {
            return bias;
        }

        public Link link() {
            return link;
        }

        @Override
        public String describe() {
            return link == Link.SIGMOID ? "logistic" : "linear";
        }

        @Override
        public int maxK() {
            return 0;
        }
    }

    /** A convex combination of two predictors. */
    final class Blend implements PredictorSpec {
        private final double weight;
        private final PredictorSpec first;
        private final PredictorSpec second;

        /** {@code weight * first + (1 - weight) * second}, weight in [0, 1]. */
        public Blend(double weight, PredictorSpec first, PredictorSpec second) {
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

        public PredictorSpec first() {
            return first;
        }

        public PredictorSpec second() {
            return second;
        }

        @Override
        public int outputs() {
            return first.outputs();
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "blend(%.3f*%s + %.3f*%s)", weight, first.describe(),
                    1 - weight, second.describe());
        }

        @Override
        public int maxK() {
            return Math.max(first.maxK(), second.maxK());
        }
    }
}

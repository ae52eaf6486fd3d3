package dev.carrot.route.model;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * KNN regression over the router's stored prompts: per output, the mean of the targets of the {@code k} stored
 * prompts most similar (cosine) to the query. The paper's predictor. Immutable; arrays are copied in and out.
 *
 * <p>Manifest entry: {@code {"kind": "knn", "k": 64, "targets": ARRAY}}, targets stored-prompts x outputs.
 */
public final class KnnPredictor implements Predictor {
    /** The manifest name of this kind. */
    public static final String KIND = "knn";

    private final int k;
    private final int outputs;
    private final float[] targets;

    /**
     * @param k       neighbours to average, >= 1
     * @param outputs outputs per stored prompt
     * @param targets stored-prompts x outputs, row-major
     */
    public KnnPredictor(int k, int outputs, float[] targets) {
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
    public String kind() {
        return KIND;
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

    @Override
    public String describe() {
        return "knn(k=" + k + ")";
    }

    @Override
    public int neighbours() {
        return k;
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        int kk = Math.min(k, prompt.neighbourCount());
        for (int m = 0; m < outputs; m++) {
            out[m] = 0;
        }
        for (int j = 0; j < kk; j++) {
            int base = prompt.neighbour(j) * outputs;
            for (int m = 0; m < outputs; m++) {
                out[m] += targets[base + m];
            }
        }
        for (int m = 0; m < outputs; m++) {
            out[m] /= kk;
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.put("k", k);
        out.putFloats("targets", targets, rows(), outputs);
    }

    @Override
    public Optional<String> misfit(int dimension, int storedPrompts) {
        if (storedPrompts == 0) {
            return Optional.of("predictor is KNN but the router stores no embeddings");
        }
        if (rows() != storedPrompts) {
            return Optional.of("KNN targets cover " + rows() + " prompts, the router stores " + storedPrompts
                    + " embeddings");
        }
        return Optional.empty();
    }

    /** Reads {@code "knn"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return KIND;
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            return new KnnPredictor(in.getInt("k"), in.outputs(), in.getFloats("targets", in.storedPrompts(),
                    in.outputs()));
        }
    }
}

package dev.carrot.route.model;

import dev.carrot.route.knn.KnnIndex;

import java.util.Objects;

/** Runs a {@link Predictor} over many prompts the way a router runs it over one. */
public final class Predictors {
    private Predictors() {
    }

    /**
     * The raw outputs of {@code predictor} (before any clipping) for some rows of an embedding matrix, as a router
     * whose stored prompts are {@code stored} computes them: one neighbour search per prompt, then
     * {@link Predictor#predict}.
     *
     * @param stored     the stored prompts the predictor was fitted with (null when it reads no neighbours)
     * @param embeddings unit embeddings, row-major, {@code dim} columns
     * @param rows       the rows to predict, in the order of the result
     * @param tokens     word pieces per row of {@code embeddings} (for predictors that read them), or null
     * @return rows.length x outputs, row-major
     */
    public static double[] predict(Predictor predictor, KnnIndex stored, float[] embeddings, int dim, int[] rows,
                                   int[] tokens) {
        Objects.requireNonNull(predictor, "predictor");
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(rows, "rows");
        int m = predictor.outputs();
        double[] out = new double[rows.length * m];
        double[] one = new double[m];
        float[] q = new float[dim];
        PromptView view = new PromptView(stored, predictor.neighbours());
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(embeddings, rows[i] * dim, q, 0, dim);
            view.set(q, tokens == null ? Double.NaN : tokens[rows[i]], null);
            predictor.predict(view, one);
            System.arraycopy(one, 0, out, i * m, m);
        }
        return out;
    }
}

package dev.carrot.train;

import dev.carrot.route.Router;

import java.util.Objects;

/**
 * What a router predicts for some embedded prompts: per prompt and model, quality and cost in USD, computed by the
 * router itself ({@link Router#predict}), as the training job and {@code carrot eval} both evaluate them.
 *
 * @param quality rows x models
 * @param cost    rows x models
 */
public record TestPredictions(double[] quality, double[] cost) {

    /**
     * @param emb  the embedded prompts (their token counts, when counted, feed the input-token estimate)
     * @param rows the rows of {@code emb} to predict, in the order of the result
     */
    public static TestPredictions of(Router router, Embedded emb, int[] rows) {
        Objects.requireNonNull(router, "router");
        int m = router.models().size();
        int dim = emb.dimension();
        double[] q = new double[rows.length * m];
        double[] c = new double[rows.length * m];
        float[] x = new float[dim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(emb.vectors(), rows[i] * dim, x, 0, dim);
            Router.Prediction p = router.predict(x, emb.tokens() == null ? -1 : emb.tokens()[rows[i]]);
            System.arraycopy(p.quality(), 0, q, i * m, m);
            System.arraycopy(p.costUsd(), 0, c, i * m, m);
        }
        return new TestPredictions(q, c);
    }
}

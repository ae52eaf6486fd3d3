package dev.carrot.train;

import dev.carrot.route.Router;

import java.util.Objects;

/**
 * What a router predicts for some embedded prompts: per prompt and model, quality and cost in USD, computed by the
 * router itself ({@link Router#predict}), as the training job and {@code carrot eval} both evaluate them; and, for a
 * router with cost bounds, its upper cost bounds at each of {@link #CONFIDENCES} ({@link Router#costUpperBounds}).
 *
 * @param quality     rows x models
 * @param cost        rows x models
 * @param confidences the confidences of {@code costBounds} (empty for a router without cost bounds)
 * @param costBounds  per confidence, the upper cost bounds in USD, rows x models (infinite where the router cannot
 *                    certify the confidence)
 */
public record TestPredictions(double[] quality, double[] cost, double[] confidences, double[][] costBounds) {
    /** The confidences at which the evaluation measures how often the cost bounds hold. */
    public static final double[] CONFIDENCES = {0.5, 0.8, 0.9, 0.95};

    public TestPredictions {
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(confidences, "confidences");
        Objects.requireNonNull(costBounds, "costBounds");
        if (confidences.length != costBounds.length) {
            throw new IllegalArgumentException(confidences.length + " confidences for " + costBounds.length
                    + " sets of bounds");
        }
    }

    /** Predictions without cost bounds. */
    public TestPredictions(double[] quality, double[] cost) {
        this(quality, cost, new double[0], new double[0][]);
    }

    /**
     * @param emb  the embedded prompts (their token counts, when counted, feed the input-token estimate)
     * @param rows the rows of {@code emb} to predict, in the order of the result
     */
    public static TestPredictions of(Router router, Embedded emb, int[] rows) {
        Objects.requireNonNull(router, "router");
        int m = router.models().size();
        int dim = emb.dimension();
        boolean bounded = router.costBounds().isPresent();
        double[] confidences = bounded ? CONFIDENCES.clone() : new double[0];
        double[] q = new double[rows.length * m];
        double[] c = new double[rows.length * m];
        double[][] bounds = new double[confidences.length][rows.length * m];
        float[] x = new float[dim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(emb.vectors(), rows[i] * dim, x, 0, dim);
            int tokens = emb.tokens() == null ? -1 : emb.tokens()[rows[i]];
            Router.Prediction p = router.predict(x, tokens);
            System.arraycopy(p.quality(), 0, q, i * m, m);
            System.arraycopy(p.costUsd(), 0, c, i * m, m);
            if (bounded) {
                double[][] u = router.costUpperBounds(x, tokens, confidences);
                for (int k = 0; k < confidences.length; k++) {
                    System.arraycopy(u[k], 0, bounds[k], i * m, m);
                }
            }
        }
        return new TestPredictions(q, c, confidences, bounds);
    }
}

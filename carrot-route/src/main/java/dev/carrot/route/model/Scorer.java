package dev.carrot.route.model;

import dev.carrot.route.PriceTable;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.vector.VectorOps;

import java.util.Objects;

/**
 * Evaluates a {@link RouterModel}'s predictors for one prompt embedding: per model, predicted quality, input and
 * output tokens, and cost in USD. Immutable and thread-safe; each call uses its own small buffers.
 *
 * <p>All KNN parts share one neighbour search (for the largest k among them).
 */
public final class Scorer {
    private final RouterModel model;
    private final int models;
    private final int dim;
    private final KnnIndex knn;
    private final int maxK;
    private final double[] inPricePerToken;
    private final double[] outPricePerToken;
    private final VectorOps ops = VectorOps.get();

    /**
     * @param prices the prices to use for a token-based cost model (ignored otherwise)
     */
    public Scorer(RouterModel model, PriceTable prices) {
        this.model = Objects.requireNonNull(model, "model");
        this.models = model.models().size();
        this.dim = model.encoder().dimension();
        this.knn = model.knnIndex().orElse(null);
        int k = model.quality().maxK();
        if (model.cost() instanceof CostModel.Tokens t) {
            k = Math.max(k, t.outputTokens().maxK());
        } else if (model.cost() instanceof CostModel.Direct d) {
            k = Math.max(k, d.costUsd().maxK());
        }
        this.maxK = knn == null ? 0 : Math.min(k, knn.size());
        boolean tokens = model.cost() instanceof CostModel.Tokens;
        if (tokens) {
            Objects.requireNonNull(prices, "prices");
        }
        this.inPricePerToken = tokens ? prices.inputPerToken(model.models()) : new double[models];
        this.outPricePerToken = tokens ? prices.outputPerToken(model.models()) : new double[models];
    }

    public int models() {
        return models;
    }

    public int dimension() {
        return dim;
    }

    /**
     * Fills the per-model predictions for one unit embedding.
     *
     * @param embedding     L2-normalised prompt embedding of the encoder's dimension
     * @param encoderTokens word pieces of the whole prompt (for the input-token estimate), or NaN if unknown
     * @param quality       out: predicted quality in [0, 1]
     * @param inputTokens   out: predicted input tokens (NaN for routers without token costs)
     * @param outputTokens  out: predicted output tokens (NaN for routers without token costs)
     * @param cost          out: predicted cost in USD (0 for routers without cost information)
     */
    public void predict(float[] embedding, double encoderTokens, double[] quality, double[] inputTokens,
                        double[] outputTokens, double[] cost) {
        int[] nb = null;
        if (maxK > 0) {
            nb = new int[maxK];
            knn.search(embedding, maxK, nb, null);
        }
        eval(model.quality(), embedding, nb, quality);
        for (int m = 0; m < models; m++) {
            quality[m] = Math.min(1.0, Math.max(0.0, quality[m]));
        }
        CostModel c = model.cost();
        if (c instanceof CostModel.Tokens t) {
            eval(t.outputTokens(), embedding, nb, outputTokens);
            for (int m = 0; m < models; m++) {
                double in = t.inputTokens().estimate(m, encoderTokens);
                double out = Math.max(0.0, outputTokens[m]);
                inputTokens[m] = in;
                outputTokens[m] = out;
                cost[m] = inPricePerToken[m] * in + outPricePerToken[m] * out;
            }
        } else if (c instanceof CostModel.Direct d) {
            eval(d.costUsd(), embedding, nb, cost);
            for (int m = 0; m < models; m++) {
                cost[m] = Math.max(0.0, cost[m]);
                inputTokens[m] = Double.NaN;
                outputTokens[m] = Double.NaN;
            }
        } else {
            for (int m = 0; m < models; m++) {
                cost[m] = 0.0;
                inputTokens[m] = Double.NaN;
                outputTokens[m] = Double.NaN;
            }
        }
    }

    /** Evaluates one predictor tree into {@code out}. */
    private void eval(PredictorSpec p, float[] x, int[] nb, double[] out) {
        if (p instanceof PredictorSpec.Knn k) {
            float[] t = k.targetsRef();
            int kk = Math.min(k.k(), nb.length);
            for (int m = 0; m < models; m++) {
                out[m] = 0;
            }
            for (int j = 0; j < kk; j++) {
                int base = nb[j] * models;
                for (int m = 0; m < models; m++) {
                    out[m] += t[base + m];
                }
            }
            for (int m = 0; m < models; m++) {
                out[m] /= kk;
            }
        } else if (p instanceof PredictorSpec.Linear l) {
            float[] w = l.weightsRef();
            float[] b = l.biasRef();
            for (int m = 0; m < models; m++) {
                double z = ops.dot(w, m * dim, x, 0, dim) + (double) b[m];
                out[m] = l.link().apply(z);
            }
        } else if (p instanceof PredictorSpec.Blend bl) {
            double[] second = new double[models]; // blends are shallow (one level from training): a small array
            eval(bl.first(), x, nb, out);
            eval(bl.second(), x, nb, second);
            double w = bl.weight();
            for (int m = 0; m < models; m++) {
                out[m] = w * out[m] + (1 - w) * second[m];
            }
        } else {
            throw new IllegalStateException("unknown predictor " + p);
        }
    }
}

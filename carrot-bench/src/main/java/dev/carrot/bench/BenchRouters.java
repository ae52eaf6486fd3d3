package dev.carrot.bench;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.model.RouterModel;

import java.util.List;
import java.util.SplittableRandom;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;

/**
 * Routers for the benchmarks, shaped like the ones {@code carrot train} makes from routerbench_subset: its 11 models,
 * KNN quality with k = 512 and KNN cost with k = 128 (what 5-fold cross-validation chose there), or logistic quality
 * with a linear cost. Stored rows beyond the dataset's reuse its per-prompt quality and cost rows in turn, so the
 * targets are real numbers even when the embeddings are synthetic.
 */
public final class BenchRouters {
    /** all-MiniLM-L6-v2 as carrot's artifacts name it (id, ONNX SHA-256, dimension, max word pieces). */
    public static final EncoderInfo MINILM = new EncoderInfo(Encoders.MINILM_ID, BenchData.DIM,
            "ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4", 256, Pooling.MEAN, true);
    /** k of the quality predictor that cross-validation picks on routerbench_subset. */
    public static final int QUALITY_K = 512;
    /** k of the cost predictor that cross-validation picks on routerbench_subset. */
    public static final int COST_K = 128;

    private BenchRouters() {
    }

    /** Per-prompt quality and cost (USD) of routerbench_subset's 11 models, prompts x models. */
    public record Targets(List<String> models, float[] quality, float[] cost, double costScale) {
        public int rows() {
            return quality.length / models.size();
        }
    }

    public static Targets routerbenchTargets() {
        RoutingDataset d = BenchData.dataset("routerbench_subset");
        double[] q = d.qualityMatrix();
        double[] c = d.costMatrix();
        float[] qf = new float[q.length];
        float[] cf = new float[c.length];
        double mean = 0;
        for (int i = 0; i < q.length; i++) {
            qf[i] = (float) q[i];
            cf[i] = (float) c[i];
            mean += c[i];
        }
        return new Targets(d.models(), qf, cf, mean / c.length);
    }

    /** {@code rows} target rows, cycling through the dataset's. */
    static float[] cycle(float[] targets, int models, int rows) {
        float[] out = new float[rows * models];
        int have = targets.length / models;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(targets, (r % have) * models, out, r * models, models);
        }
        return out;
    }

    /** A KNN router (quality k = {@value #QUALITY_K}, cost k = {@value #COST_K}) over {@code index}. */
    public static RouterModel knn(KnnIndex index, Targets t) {
        return knn(index, t, QUALITY_K);
    }

    /** A KNN router with quality k {@code qualityK} and cost k {@code min(qualityK, 128)}. */
    public static RouterModel knn(KnnIndex index, Targets t, int qualityK) {
        int m = t.models().size();
        int rows = index.size();
        return RouterModel.builder().models(t.models()).encoder(MINILM).knnIndex(index)
                .quality(new KnnPredictor(Math.min(qualityK, rows), m, cycle(t.quality(), m, rows)))
                .cost(new CostModel.Direct(new KnnPredictor(Math.min(Math.min(COST_K, qualityK), rows), m,
                        cycle(t.cost(), m, rows))))
                .costScaleUsd(t.costScale()).build();
    }

    /**
     * A logistic-quality, linear-cost router with seeded random weights: the decision costs the same whatever the
     * weights are (two 11 x 384 matrix-vector products, a sigmoid per model, the decision rule).
     */
    public static RouterModel logistic(Targets t, long seed) {
        int m = t.models().size();
        int d = BenchData.DIM;
        SplittableRandom r = new SplittableRandom(seed);
        float[] wq = new float[m * d];
        float[] wc = new float[m * d];
        float[] bq = new float[m];
        float[] bc = new float[m];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = (float) (r.nextGaussian() * 0.5);
            wc[i] = (float) (r.nextGaussian() * 1e-4);
        }
        for (int i = 0; i < m; i++) {
            bq[i] = (float) r.nextGaussian();
            bc[i] = (float) (t.costScale() * (0.5 + r.nextDouble()));
        }
        return RouterModel.builder().models(t.models()).encoder(MINILM)
                .quality(new LinearPredictor(m, d, wq, bq, LinearPredictor.Link.SIGMOID))
                .cost(new CostModel.Direct(new LinearPredictor(m, d, wc, bc, LinearPredictor.Link.IDENTITY)))
                .costScaleUsd(t.costScale()).build();
    }
}

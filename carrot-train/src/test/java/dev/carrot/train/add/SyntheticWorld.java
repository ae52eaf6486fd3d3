package dev.carrot.train.add;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.BudgetCalibration;
import dev.carrot.route.model.CalibrationData;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.KnnPredictor;
import dev.carrot.route.model.LinearPredictor;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.Provenance;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.Embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic routing world for add-model's tests: prompts in three task clusters of a small embedding space, models
 * whose chance of a correct answer depends on the task and on a per-prompt difficulty shared by all models (the
 * structure across models), costs proportional to a per-prompt length, and routers built on it without an encoder.
 */
final class SyntheticWorld {
    static final int DIM = 16;
    static final EncoderInfo ENCODER = new EncoderInfo("synthetic", DIM, "0".repeat(64), 256, Pooling.MEAN, true);
    /** Per model and task, the chance of a correct answer at average difficulty. */
    static final double[][] SKILL = {{0.9, 0.5, 0.3}, {0.6, 0.85, 0.4}, {0.4, 0.4, 0.9}, {0.75, 0.6, 0.6}};
    static final double[] PRICE = {4e-6, 1e-6, 2e-6, 0.5e-6};
    static final List<String> MODELS = List.of("alpha", "beta", "gamma", "delta");

    final float[][] centres = new float[3][DIM];

    SyntheticWorld(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (float[] c : centres) {
            for (int j = 0; j < DIM; j++) {
                c[j] = (float) r.nextGaussian();
            }
            normalise(c, 0);
        }
    }

    /** Prompts: unit embeddings, task, difficulty and length. */
    record Prompts(int n, float[] x, int[] task, double[] difficulty, double[] length) {
        float[] row(int i) {
            return java.util.Arrays.copyOfRange(x, i * DIM, (i + 1) * DIM);
        }
    }

    Prompts prompts(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * DIM];
        int[] task = new int[n];
        double[] diff = new double[n];
        double[] len = new double[n];
        for (int i = 0; i < n; i++) {
            task[i] = i % 3;
            for (int j = 0; j < DIM; j++) {
                x[i * DIM + j] = (float) (2 * centres[task[i]][j] + 0.6 * r.nextGaussian());
            }
            normalise(x, i * DIM);
            diff[i] = r.nextGaussian();
            len[i] = 200 + 300 * r.nextDouble();
        }
        return new Prompts(n, x, task, diff, len);
    }

    /** The chance that a model of these per-task skills answers prompt {@code i} correctly. */
    static double chance(double[] skill, Prompts p, int i) {
        double s = skill[p.task()[i]];
        return 1 / (1 + Math.exp(-(Math.log(s / (1 - s)) - 1.5 * p.difficulty()[i])));
    }

    /** Sampled 0/1 scores, prompts x skills.length. */
    static float[] scores(double[][] skills, Prompts p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] q = new float[p.n() * skills.length];
        for (int i = 0; i < p.n(); i++) {
            for (int m = 0; m < skills.length; m++) {
                q[i * skills.length + m] = r.nextDouble() < chance(skills[m], p, i) ? 1f : 0f;
            }
        }
        return q;
    }

    /** Costs in USD: price x length, prompts x models. */
    static float[] costs(double[] price, Prompts p) {
        float[] c = new float[p.n() * price.length];
        for (int i = 0; i < p.n(); i++) {
            for (int m = 0; m < price.length; m++) {
                c[i * price.length + m] = (float) (price[m] * p.length()[i]);
            }
        }
        return c;
    }

    /**
     * A KNN router over stored prompts {@code s} with direct costs, its budget calibration computed on validation
     * prompts {@code v}.
     */
    static RouterModel knnRouter(Prompts s, float[] q, float[] c, Prompts v, float[] vq, float[] vc) {
        int m = MODELS.size();
        Predictor quality = new KnnPredictor(20, m, q);
        Predictor cost = new KnnPredictor(20, m, c);
        double scale = 0;
        for (int j = 0; j < m; j++) {
            double sum = 0;
            for (int i = 0; i < s.n(); i++) {
                sum += c[i * m + j];
            }
            scale = Math.max(scale, sum / s.n());
        }
        RouterModel base = RouterModel.builder().models(MODELS).encoder(ENCODER).knnIndex(KnnIndex.of(s.x(), DIM))
                .quality(quality).cost(new CostModel.Direct(cost)).costScaleUsd(scale)
                .provenance(Provenance.builder().variant("knn").nTrain(s.n()).build()).build();
        dev.carrot.route.Router router = dev.carrot.route.Router.of(base, null);
        float[] pq = new float[v.n() * m];
        float[] pc = new float[v.n() * m];
        for (int i = 0; i < v.n(); i++) {
            var p = router.predict(v.row(i), -1);
            for (int j = 0; j < m; j++) {
                pq[i * m + j] = (float) p.quality()[j];
                pc[i * m + j] = (float) p.costUsd()[j];
            }
        }
        CalibrationData cd = CalibrationData.ofCosts(v.n(), m, pq, vq, pc, vc);
        BudgetCalibration cal = cd.calibrate(MODELS, null, scale, BudgetCalibration.defaultGrid());
        return base.toBuilder().calibration(cal).calibrationData(cd).build();
    }

    /** A logistic router whose weights are {@code w} (models x DIM) and biases {@code b}; no costs. */
    static RouterModel logisticRouter(float[] w, float[] b) {
        return RouterModel.builder().models(MODELS).encoder(ENCODER)
                .quality(new LinearPredictor(MODELS.size(), DIM, w, b, LinearPredictor.Link.SIGMOID)).build();
    }

    /**
     * The new model's rows: one model on prompts {@code rows} of {@code p}, with the given scores and costs (null for
     * none), and their embeddings.
     */
    static Input input(String name, Prompts p, int[] rows, double[] quality, double[] cost) {
        RoutingDataset.Builder b = RoutingDataset.builder(List.of(name));
        float[] x = new float[rows.length * DIM];
        for (int i = 0; i < rows.length; i++) {
            b.add("p" + rows[i], "prompt " + rows[i], RoutingDataset.TRAIN, null, new double[]{quality[i]}, null, null,
                    cost == null ? null : new double[]{cost[i]});
            System.arraycopy(p.x(), rows[i] * DIM, x, i * DIM, DIM);
        }
        return new Input(b.build("synthetic " + name), new Embedded(ENCODER, x, null));
    }

    record Input(RoutingDataset data, Embedded emb) {
    }

    /** {@code n} distinct rows of {@code 0 .. size - 1}, seeded. */
    static int[] sample(int size, int n, long seed) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, new java.util.Random(seed));
        return all.subList(0, n).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static void normalise(float[] v, int off) {
        double s = 0;
        for (int j = 0; j < DIM; j++) {
            s += (double) v[off + j] * v[off + j];
        }
        double norm = Math.sqrt(s);
        for (int j = 0; j < DIM; j++) {
            v[off + j] = (float) (v[off + j] / norm);
        }
    }
}

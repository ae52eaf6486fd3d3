package dev.carrot.bench;

import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.common.nearest.KNNModel;
import org.tribuo.common.nearest.KNNTrainer;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.distance.DistanceType;
import org.tribuo.math.neighbour.NeighboursQueryFactoryType;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;

import java.util.ArrayList;
import java.util.List;
import dev.carrot.route.knn.TopK;

/**
 * The naive ways, run side by side with carrot's in the same JMH runs: the CARROT decision with plain scalar loops,
 * and with Tribuo's KNN regression.
 */
public final class Naive {
    private Naive() {
    }

    /** argmax_m (1 - mu) q_m - mu c_m / scale, with quality clamped to [0, 1] and cost to >= 0. */
    static int argmax(double[] q, double[] c, double mu, double scale) {
        int best = 0;
        double bestU = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < q.length; m++) {
            double u = (1 - mu) * Math.min(1, Math.max(0, q[m])) - mu * Math.max(0, c[m]) / scale;
            if (u > bestU) {
                bestU = u;
                best = m;
            }
        }
        return best;
    }

    /**
     * The KNN decision with plain scalar loops: every stored row's similarity (one accumulator, in index order), a
     * bounded selection of the best {@code kq}, mean quality over them and mean cost over the best {@code kc}.
     */
    public static int knnDecision(float[] stored, int dim, float[] query, float[] quality, int kq, float[] cost,
                                  int kc, int models, double mu, double scale) {
        int n = stored.length / dim;
        TopK top = new TopK(Math.min(kq, n));
        for (int r = 0; r < n; r++) {
            float s = 0;
            for (int j = 0; j < dim; j++) {
                s += query[j] * stored[r * dim + j];
            }
            top.offer(s, r);
        }
        int[] nb = new int[Math.min(kq, n)];
        top.drainSorted(nb, 0, null);
        double[] q = new double[models];
        double[] c = new double[models];
        for (int j = 0; j < nb.length; j++) {
            for (int m = 0; m < models; m++) {
                q[m] += quality[nb[j] * models + m];
                if (j < kc) {
                    c[m] += cost[nb[j] * models + m];
                }
            }
        }
        for (int m = 0; m < models; m++) {
            q[m] /= nb.length;
            c[m] /= Math.min(kc, nb.length);
        }
        return argmax(q, c, mu, scale);
    }

    /** The logistic decision with plain scalar loops: sigmoid(W_q x + b_q), W_c x + b_c, argmax. */
    public static int logisticDecision(float[] wq, float[] bq, float[] wc, float[] bc, float[] x, int models,
                                       double mu, double scale) {
        int dim = x.length;
        double[] q = new double[models];
        double[] c = new double[models];
        for (int m = 0; m < models; m++) {
            double zq = bq[m];
            double zc = bc[m];
            for (int j = 0; j < dim; j++) {
                zq += wq[m * dim + j] * x[j];
                zc += wc[m * dim + j] * x[j];
            }
            q[m] = 1 / (1 + Math.exp(-zq));
            c[m] = zc;
        }
        return argmax(q, c, mu, scale);
    }

    /** Tribuo's KNN regression (cosine, brute force, one thread): one model per target, as a Tribuo user would. */
    public static final class TribuoKnn {
        private final Model<Regressor> quality;
        private final Model<Regressor> cost;
        private final String[] names;
        private final int models;

        public TribuoKnn(float[] stored, int dim, float[] qualityTargets, int kq, float[] costTargets, int kc,
                         int models) {
            this.models = models;
            this.names = new String[dim];
            for (int j = 0; j < dim; j++) {
                names[j] = String.format("f%03d", j);
            }
            this.quality = train(stored, dim, qualityTargets, kq);
            this.cost = train(stored, dim, costTargets, kc);
        }

        private Model<Regressor> train(float[] stored, int dim, float[] targets, int k) {
            String[] outs = new String[models];
            for (int m = 0; m < models; m++) {
                outs[m] = "m" + m;
            }
            int n = stored.length / dim;
            List<Example<Regressor>> examples = new ArrayList<>(n);
            for (int r = 0; r < n; r++) {
                double[] y = new double[models];
                for (int m = 0; m < models; m++) {
                    y[m] = targets[r * models + m];
                }
                examples.add(new ArrayExample<>(new Regressor(outs, y), names, row(stored, dim, r)));
            }
            RegressionFactory f = new RegressionFactory();
            MutableDataset<Regressor> data = new MutableDataset<>(new ListDataSource<>(examples, f,
                    new SimpleDataSourceProvenance("bench", f)));
            KNNTrainer<Regressor> trainer = new KNNTrainer<>(k, DistanceType.COSINE.getDistance(), 1,
                    new AveragingCombiner(), KNNModel.Backend.STREAMS, NeighboursQueryFactoryType.BRUTE_FORCE);
            return trainer.train(data);
        }

        private static double[] row(float[] m, int dim, int r) {
            double[] out = new double[dim];
            for (int j = 0; j < dim; j++) {
                out[j] = m[r * dim + j];
            }
            return out;
        }

        private double[] predict(Model<Regressor> model, float[] x) {
            double[] v = new double[x.length];
            for (int j = 0; j < x.length; j++) {
                v[j] = x[j];
            }
            Prediction<Regressor> p = model.predict(new ArrayExample<>(RegressionFactory.UNKNOWN_MULTIPLE_REGRESSOR,
                    names, v));
            double[] out = new double[models];
            for (Regressor.DimensionTuple t : p.getOutput()) {
                out[Integer.parseInt(t.getName().substring(1))] = t.getValue();
            }
            return out;
        }

        /** The decision from Tribuo's two KNN predictions. */
        public int decide(float[] x, double mu, double scale) {
            return argmax(predict(quality, x), predict(cost, x), mu, scale);
        }
    }
}

package dev.carrot.train.knn;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.train.Embedded;
import dev.carrot.train.Fixtures;
import dev.carrot.train.Progress;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.common.nearest.KNNModel;
import org.tribuo.common.nearest.KNNTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.distance.CosineDistance;
import org.tribuo.math.neighbour.NeighboursQueryFactoryType;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tribuo's KNN regression is the oracle: on real prompt embeddings, ours predicts the same. */
class KnnTribuoOracleTest {

    /**
     * Tribuo 4.3.2's unweighted {@code AveragingCombiner.combine} updates its running mean without dividing by the
     * count ({@code mean += value - oldMean}), so it returns the last neighbour's value instead of the mean; its
     * weighted form is right, and with equal weights it is the plain mean that KNN regression needs.
     */
    static final class MeanCombiner extends AveragingCombiner {
        private static final long serialVersionUID = 1L;

        @Override
        public Prediction<Regressor> combine(org.tribuo.ImmutableOutputInfo<Regressor> info,
                                             List<Prediction<Regressor>> predictions) {
            float[] ones = new float[predictions.size()];
            java.util.Arrays.fill(ones, 1f);
            return combine(info, predictions, ones);
        }
    }

    @Test
    void sameMultiOutputPredictionsAsTribuoOnRealEmbeddings() {
        RoutingDataset d = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 10);
        Embedded emb = Embedded.of(d, Fixtures.encoder(), false, Progress.silent("embed", d.size()));
        int dim = emb.dimension();
        int m = d.modelCount();
        int[] train = d.indicesOf(RoutingDataset.TRAIN, RoutingDataset.VALIDATION);
        int[] test = d.indicesOf(RoutingDataset.TEST);
        assertThat(train.length).isGreaterThan(150);
        assertThat(test.length).isGreaterThan(50);
        String[] outputs = d.models().toArray(new String[0]);
        String[] features = new String[dim];
        for (int j = 0; j < dim; j++) {
            features[j] = String.format("e%04d", j);
        }
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("rb", new RegressionFactory()),
                new RegressionFactory());
        double[] q = d.qualityMatrix();
        double[] targets = new double[train.length * m];
        float[] stored = new float[train.length * dim];
        for (int i = 0; i < train.length; i++) {
            double[] f = new double[dim];
            for (int j = 0; j < dim; j++) {
                f[j] = emb.vectors()[train[i] * dim + j];
                stored[i * dim + j] = emb.vectors()[train[i] * dim + j];
            }
            double[] y = new double[m];
            System.arraycopy(q, train[i] * m, y, 0, m);
            System.arraycopy(q, train[i] * m, targets, i * m, m);
            ds.add(new ArrayExample<>(new Regressor(outputs, y), features, f));
        }
        KnnIndex index = KnnIndex.of(stored, dim);
        for (int k : new int[]{1, 8, 64}) {
            org.tribuo.Model<Regressor> tribuo = new KNNTrainer<>(k, new CosineDistance(), 1, new MeanCombiner(),
                    KNNModel.Backend.STREAMS, NeighboursQueryFactoryType.BRUTE_FORCE).train(ds);
            int[] nb = new int[k];
            float[] query = new float[dim];
            int agree = 0;
            for (int t : test) {
                double[] f = new double[dim];
                for (int j = 0; j < dim; j++) {
                    f[j] = emb.vectors()[t * dim + j];
                    query[j] = emb.vectors()[t * dim + j];
                }
                Example<Regressor> ex = new ArrayExample<>(new Regressor(outputs, new double[m]), features, f);
                Prediction<Regressor> p = tribuo.predict(ex);
                index.search(query, k, nb, null);
                boolean same = true;
                for (int c = 0; c < m; c++) {
                    double ours = 0;
                    for (int j = 0; j < k; j++) {
                        ours += targets[nb[j] * m + c];
                    }
                    ours /= k;
                    double theirs = p.getOutput().getDimension(outputs[c]).orElseThrow().getValue();
                    same &= Math.abs(ours - theirs) < 1e-9;
                }
                agree += same ? 1 : 0;
            }
            // cosine ties and float rounding may reorder an equal-similarity neighbour at the k boundary; with real
            // embeddings that is rare
            assertThat((double) agree / test.length).as("k=" + k).isGreaterThanOrEqualTo(0.98);
        }
    }
}

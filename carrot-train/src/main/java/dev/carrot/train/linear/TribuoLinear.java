package dev.carrot.train.linear;

import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGradRDA;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.util.Arrays;
import java.util.Objects;

/**
 * Linear models trained with Tribuo on prompt embeddings, exported as plain weights.
 *
 * <ul>
 *   <li>{@link #logistic}: per-model logistic regression (Tribuo's {@code LinearSGDTrainer} with {@code LogMulticlass}
 *       over two labels, L2-regularised through {@code AdaGradRDA}). Graded scores are soft labels: a prompt with
 *       score s enters once as a positive with weight s and once as a negative with weight 1 - s.</li>
 *   <li>{@link #regression}: multi-output least squares (Tribuo's regression {@code LinearSGDTrainer} with
 *       {@code SquaredLoss}, L2 through {@code AdaGradRDA}) on targets centred and scaled per output, mapped back
 *       into the weights (SGD underfits raw token counts).</li>
 * </ul>
 * The two-label softmax is exported as one sigmoid: {@code p(pos) = sigmoid((w_pos - w_neg) . x + b_pos - b_neg)}.
 *
 * <p><b>The L2 penalty has no effect</b> in Tribuo 4.3.2: {@code AdaGradRDA} keeps a linear model's weights in a
 * matrix whose iteration counter is never advanced, and the penalty enters the update as {@code iteration * l2}
 * ({@code TribuoLinearTest} pins this). carrot's trainers use {@link SoftLogistic} and {@link Ridge} instead, which
 * are regularised and converged; this class remains for the synthetic risk-curve experiment's SGD logistic router.
 */
public final class TribuoLinear {
    private TribuoLinear() {
    }

    /**
     * SGD settings.
     *
     * @param l2           L2 penalty of AdaGradRDA (scaled by the number of examples, so it acts on the mean loss)
     * @param learningRate AdaGradRDA's initial learning rate
     * @param epochs       passes over the data
     * @param seed         shuffling seed
     */
    public record Options(double l2, double learningRate, int epochs, long seed) {
        public Options {
            if (!(l2 >= 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("l2 must be a finite number >= 0, got " + l2);
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
        }

        public Options withL2(double value) {
            return new Options(value, learningRate, epochs, seed);
        }
    }

    /**
     * Exported weights: {@code out_m = link(w_m . x + b_m)}.
     *
     * @param weights outputs x dim, row-major
     * @param bias    per output
     */
    public record Weights(int outputs, int dim, double[] weights, double[] bias) {
        public Weights {
            weights = weights.clone();
            bias = bias.clone();
        }

        /** {@code w_m . x + b_m} for row {@code row} of {@code x}. */
        public double linear(int m, float[] x, int row) {
            double z = bias[m];
            int wo = m * dim;
            int xo = row * dim;
            for (int j = 0; j < dim; j++) {
                z += weights[wo + j] * x[xo + j];
            }
            return z;
        }

        public float[] weightsAsFloat() {
            float[] f = new float[weights.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) weights[i];
            }
            return f;
        }

        public float[] biasAsFloat() {
            float[] f = new float[bias.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) bias[i];
            }
            return f;
        }
    }

    static String[] featureNames(int dim) {
        String[] names = new String[dim];
        for (int j = 0; j < dim; j++) {
            names[j] = String.format(java.util.Locale.ROOT, "e%04d", j);
        }
        return names;
    }

    private static double[] row(float[] x, int dim, int r) {
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = x[r * dim + j];
        }
        return v;
    }

    private static <T extends org.tribuo.Output<T>> Example<T> weighted(Example<T> e, double w) {
        e.setWeight((float) w);
        return e;
    }

    /** Row permutation from Tribuo's feature ids to embedding columns. */
    private static int[] columnOfFeature(ImmutableFeatureMap fmap, String[] names) {
        int[] col = new int[fmap.size()];
        Arrays.fill(col, -1);
        for (int j = 0; j < names.length; j++) {
            int id = fmap.getID(names[j]);
            if (id >= 0) {
                col[id] = j;
            }
        }
        return col;
    }

    /**
     * Logistic regression for every model.
     *
     * @param x       unit embeddings, rows x dim
     * @param scores  quality in [0, 1], rows x models
     * @param rows    the rows to train on
     */
    public static Weights logistic(float[] x, int dim, double[] scores, int models, int[] rows, Options opt) {
        Objects.requireNonNull(opt, "options");
        String[] names = featureNames(dim);
        double[] w = new double[models * dim];
        double[] b = new double[models];
        Label pos = new Label("pos");
        Label neg = new Label("neg");
        for (int m = 0; m < models; m++) {
            MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("carrot quality "
                    + m, new LabelFactory()), new LabelFactory());
            double mean = 0;
            for (int r : rows) {
                double s = scores[r * models + m];
                mean += s;
                double[] v = row(x, dim, r);
                if (s > 0) {
                    data.add(weighted(new ArrayExample<>(pos, names, v), s));
                }
                if (s < 1) {
                    data.add(weighted(new ArrayExample<>(neg, names, v), 1 - s));
                }
            }
            mean /= rows.length;
            if (data.getOutputInfo().size() < 2 || mean <= 0 || mean >= 1) {
                // one class only: the best a logistic model can do is a constant
                double p = Math.min(1 - 1e-4, Math.max(1e-4, mean));
                b[m] = Math.log(p / (1 - p));
                continue;
            }
            var trainer = new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new LogMulticlass(),
                    new AdaGradRDA(opt.learningRate(), 1e-6, 0, opt.l2(), data.size()), opt.epochs(),
                    Integer.MAX_VALUE, 1, opt.seed() + m);
            var model = trainer.train(data);
            DenseMatrix wm = model.getWeightsCopy();
            ImmutableOutputInfo<Label> info = model.getOutputIDInfo();
            int ip = info.getID(pos);
            int in = info.getID(neg);
            int[] col = columnOfFeature(model.getFeatureIDMap(), names);
            int biasCol = model.getFeatureIDMap().size();
            for (int id = 0; id < col.length; id++) {
                if (col[id] >= 0) {
                    w[m * dim + col[id]] = wm.get(ip, id) - wm.get(in, id);
                }
            }
            b[m] = wm.get(ip, biasCol) - wm.get(in, biasCol);
        }
        return new Weights(models, dim, w, b);
    }

    /**
     * Multi-output linear regression on targets centred and scaled per output; the scaling is folded back into the
     * returned weights, which predict in the targets' own units.
     */
    public static Weights regression(float[] x, int dim, double[] targets, int outputs, int[] rows, Options opt,
                                     String[] outputNames) {
        String[] names = featureNames(dim);
        double[] mean = new double[outputs];
        double[] sd = new double[outputs];
        for (int r : rows) {
            for (int m = 0; m < outputs; m++) {
                mean[m] += targets[r * outputs + m];
            }
        }
        for (int m = 0; m < outputs; m++) {
            mean[m] /= rows.length;
        }
        for (int r : rows) {
            for (int m = 0; m < outputs; m++) {
                double d = targets[r * outputs + m] - mean[m];
                sd[m] += d * d;
            }
        }
        for (int m = 0; m < outputs; m++) {
            sd[m] = Math.sqrt(sd[m] / rows.length);
            if (sd[m] == 0) {
                sd[m] = 1; // constant target: the weights learn 0 and the mean is the prediction
            }
        }
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("carrot regression",
                new RegressionFactory()), new RegressionFactory());
        for (int r : rows) {
            double[] y = new double[outputs];
            for (int m = 0; m < outputs; m++) {
                y[m] = (targets[r * outputs + m] - mean[m]) / sd[m];
            }
            Example<Regressor> e = new ArrayExample<>(new Regressor(outputNames, y), names, row(x, dim, r));
            data.add(e);
        }
        var trainer = new org.tribuo.regression.sgd.linear.LinearSGDTrainer(new SquaredLoss(),
                new AdaGradRDA(opt.learningRate(), 1e-6, 0, opt.l2(), data.size()), opt.epochs(), Integer.MAX_VALUE,
                1, opt.seed());
        var model = trainer.train(data);
        DenseMatrix wm = model.getWeightsCopy();
        ImmutableOutputInfo<Regressor> info = model.getOutputIDInfo();
        int[] col = columnOfFeature(model.getFeatureIDMap(), names);
        int biasCol = model.getFeatureIDMap().size();
        double[] w = new double[outputs * dim];
        double[] b = new double[outputs];
        for (int m = 0; m < outputs; m++) {
            int id = info.getID(new Regressor(outputNames[m], 0));
            if (id < 0) {
                throw new IllegalStateException("Tribuo lost output dimension " + outputNames[m]);
            }
            for (int f = 0; f < col.length; f++) {
                if (col[f] >= 0) {
                    w[m * dim + col[f]] = sd[m] * wm.get(id, f);
                }
            }
            b[m] = mean[m] + sd[m] * wm.get(id, biasCol);
        }
        return new Weights(outputs, dim, w, b);
    }
}

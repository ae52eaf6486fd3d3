package dev.carrot.experiments.risk;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The mathematics of a {@link SyntheticSetting}: the true quality functions {@code eta_m(x)}, the utilities, and
 * samples of Bernoulli outcomes. Immutable and thread-safe.
 */
public final class SyntheticProblem {
    private final SyntheticSetting setting;
    private final int d;
    private final int models;
    private final double[] cost;
    private final double[] level;     // break-even level of each model (q0 for the baseline)
    private final double[] centre;    // models x d (zeros for the baseline)
    private final double[] radius;    // 0 for the baseline
    private final boolean[] baseline;
    private final double gamma;       // 1 / alpha

    public SyntheticProblem(SyntheticSetting setting) {
        this.setting = Objects.requireNonNull(setting, "setting");
        this.d = setting.dimension();
        List<SyntheticSetting.Model> ms = setting.models();
        this.models = ms.size();
        this.cost = new double[models];
        this.level = new double[models];
        this.centre = new double[models * d];
        this.radius = new double[models];
        this.baseline = new boolean[models];
        double cb = ms.stream().filter(SyntheticSetting.Model::isBaseline).findFirst().orElseThrow().cost();
        double mu = setting.mu();
        for (int m = 0; m < models; m++) {
            SyntheticSetting.Model model = ms.get(m);
            cost[m] = model.cost();
            baseline[m] = model.isBaseline();
            level[m] = baseline[m] ? setting.baseQuality() : setting.baseQuality() + mu / (1 - mu) * (cost[m] - cb);
            if (!baseline[m]) {
                System.arraycopy(model.centre(), 0, centre, m * d, d);
                radius[m] = model.radius();
            }
        }
        this.gamma = 1 / setting.alpha();
    }

    public SyntheticSetting setting() {
        return setting;
    }

    public int dimension() {
        return d;
    }

    public int models() {
        return models;
    }

    /** The known costs, one per model. */
    public double[] costs() {
        return cost.clone();
    }

    /** The profile {@code phi(s) = sign(s) min(|s|, 1)^(1/alpha)}. */
    double phi(double s) {
        double a = Math.min(Math.abs(s), 1.0);
        double v = gamma == 1.0 ? a : Math.pow(a, gamma);
        return s < 0 ? -v : v;
    }

    /** The true quality {@code eta_m(x)} at the point {@code x[off .. off + d)}. */
    public double quality(int m, double[] x, int off) {
        if (baseline[m]) {
            return level[m];
        }
        double dist = setting.shape().distance(x, off, centre, m * d, d);
        return level[m] + setting.amplitude() * phi((radius[m] - dist) / setting.width());
    }

    /** The true utility {@code (1 - mu) eta_m(x) - mu c_m}. */
    public double utility(int m, double[] x, int off) {
        return (1 - setting.mu()) * quality(m, x, off) - setting.mu() * cost[m];
    }

    /**
     * A training sample of size n: X uniform on [0,1]^d, {@code Y_m ~ Bernoulli(eta_m(X))} independently.
     *
     * @param seed the sample's seed (the RNG is created here)
     */
    public Sample sample(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("sample size must be >= 1, got " + n);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * d];
        double[] y = new double[n * models];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = rng.nextDouble();
            }
            for (int m = 0; m < models; m++) {
                y[i * models + m] = rng.nextDouble() < quality(m, x, i * d) ? 1.0 : 0.0;
            }
        }
        return new Sample(n, d, models, x, y);
    }

    /**
     * A sample: features and 0/1 outcomes.
     *
     * @param x n x d, row-major
     * @param y n x models, row-major, 0 or 1
     */
    public record Sample(int n, int d, int models, double[] x, double[] y) {
        public Sample {
            if (x.length != n * d || y.length != n * models) {
                throw new IllegalArgumentException("sample arrays have " + x.length + " and " + y.length
                        + " values, expected n x d = " + n * d + " and n x models = " + n * models);
            }
            x = x.clone();
            y = y.clone();
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }

        /** The features as floats, shifted by -1/2 (centred on the cube), for the SGD-trained logistic model. */
        float[] centredFloatX() {
            float[] f = new float[x.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (x[i] - 0.5);
            }
            return f;
        }

        double[] rawX() {
            return x;
        }

        double[] rawY() {
            return y;
        }
    }
}

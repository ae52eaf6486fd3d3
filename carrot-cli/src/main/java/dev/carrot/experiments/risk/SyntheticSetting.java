package dev.carrot.experiments.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A synthetic routing problem whose true quality functions are known, so that the Bayes router and the excess risk
 * of any router are exact. The setting is documented in {@code datasets/synthetic.md}; in short:
 *
 * <ul>
 *   <li>X is uniform on {@code [0,1]^d}.</li>
 *   <li>One <em>baseline</em> model b has constant quality {@code eta_b(x) = q0}.</li>
 *   <li>Every other model m is a specialist with a ball {@code B(p_m, r_m)} (Euclidean, or a box: the max-norm
 *       ball): {@code eta_m(x) = q0 + mu/(1-mu) (c_m - c_b) + A phi((r_m - |x - p_m|) / w)}, with
 *       {@code phi(s) = sign(s) min(|s|, 1)^(1/alpha)}.</li>
 *   <li>Costs {@code c_m} are known constants; outcomes are {@code Y_m ~ Bernoulli(eta_m(x))}, independent given
 *       x.</li>
 * </ul>
 * At the trade-off {@code mu}, the utility {@code u_m = (1-mu) eta_m - mu c_m} of a specialist minus the baseline's is
 * {@code (1-mu) A phi((r_m - |x - p_m|)/w)}: positive inside its ball, negative outside, and within distance {@code w}
 * of the sphere it behaves like {@code dist^(1/alpha)}, so {@code P(0 < gap <= t) ~ t^alpha} (the margin condition
 * with exponent alpha). The utility differences are {@code min(1, 1/alpha)}-Hölder, hence beta-Hölder when
 * {@code alpha beta <= 1} (exactly Lipschitz when alpha = 1, with kinks at the inner and outer transition edges).
 *
 * @param name      identifies the setting in outputs
 * @param dimension d, the number of features
 * @param beta      the Hölder exponent the KNN schedule assumes, in (0, 1]; needs {@code alpha * beta <= 1} (the
 *                  gap {@code dist^(1/alpha)} must be beta-Hölder)
 * @param alpha     the margin exponent, > 0
 * @param mu        the trade-off at which the routers are compared, in [0, 1)
 * @param baseQuality  q0, the baseline's quality
 * @param amplitude A, how far a specialist's quality rises above (falls below) its break-even level
 * @param width     w, the width of the transition zone around each sphere
 * @param shape     the norm of {@code |x - p_m|}: Euclidean balls (curved boundaries) or boxes (flat faces)
 * @param models    exactly one baseline (no centre) and at least one specialist
 */
public record SyntheticSetting(String name, int dimension, double beta, double alpha, double mu, double baseQuality,
                               double amplitude, double width, Shape shape, List<Model> models) {

    /** The specialists' regions. */
    public enum Shape {
        /** Euclidean balls: curved decision boundaries. */
        BALL,
        /** Axis-aligned cubes (balls of the max norm): flat decision boundaries, no curvature bias in KNN. */
        BOX;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Shape parse(String s) {
            for (Shape v : values()) {
                if (v.id().equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("shape must be 'ball' or 'box', got '" + s + "'");
        }

        /** |a - b| in this shape's norm. */
        double distance(double[] a, int ao, double[] b, int bo, int d) {
            double acc = 0;
            for (int j = 0; j < d; j++) {
                double diff = a[ao + j] - b[bo + j];
                acc = this == BALL ? acc + diff * diff : Math.max(acc, Math.abs(diff));
            }
            return this == BALL ? Math.sqrt(acc) : acc;
        }
    }

    /** The largest dimension accepted (the exact KNN and the evaluation grid are meant for small d). */
    public static final int MAX_DIMENSION = 6;

    /**
     * One model.
     *
     * @param name   model name
     * @param cost   its known cost per query (utility units), finite and >= 0
     * @param centre the centre p_m of its ball (length d), or null for the baseline
     * @param radius the ball's radius r_m (> 0); ignored (0) for the baseline
     */
    public record Model(String name, double cost, double[] centre, double radius) {
        public Model {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a model needs a non-blank name");
            }
            if (!(cost >= 0) || Double.isInfinite(cost)) {
                throw new IllegalArgumentException("model " + name + ": cost must be finite and >= 0, got " + cost);
            }
            if (centre != null) {
                centre = centre.clone();
                for (double c : centre) {
                    if (!Double.isFinite(c)) {
                        throw new IllegalArgumentException("model " + name + ": centre " + Arrays.toString(centre)
                                + " has a non-finite coordinate");
                    }
                }
                if (!(radius > 0) || Double.isInfinite(radius)) {
                    throw new IllegalArgumentException("model " + name + ": radius must be finite and > 0, got "
                            + radius);
                }
            } else if (radius != 0) {
                throw new IllegalArgumentException("model " + name + " is the baseline (no centre) and must have"
                        + " radius 0, got " + radius);
            }
        }

        /** The baseline: constant quality. */
        public static Model baseline(String name, double cost) {
            return new Model(name, cost, null, 0);
        }

        /** A specialist with a ball. */
        public static Model specialist(String name, double cost, double radius, double... centre) {
            return new Model(name, cost, centre, radius);
        }

        public boolean isBaseline() {
            return centre == null;
        }

        @Override
        public double[] centre() {
            return centre == null ? null : centre.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Model m && name.equals(m.name) && Double.compare(cost, m.cost) == 0
                    && Arrays.equals(centre, m.centre) && Double.compare(radius, m.radius) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, cost, Arrays.hashCode(centre), radius);
        }

        @Override
        public String toString() {
            return centre == null ? String.format(Locale.ROOT, "%s(baseline, cost %s)", name, cost)
                    : String.format(Locale.ROOT, "%s(cost %s, ball %s r %s)", name, cost, Arrays.toString(centre),
                    radius);
        }
    }

    public SyntheticSetting {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("setting name must be non-empty letters, digits, '.', '_' or '-'"
                    + " (it names output files), got '" + name + "'");
        }
        String where = "setting " + name + ": ";
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException(where + "dimension must be in [1, " + MAX_DIMENSION + "], got "
                    + dimension);
        }
        if (!(beta > 0 && beta <= 1)) {
            throw new IllegalArgumentException(where + "beta must be in (0, 1], got " + beta + " (KNN, a local average,"
                    + " cannot use smoothness beyond Lipschitz; beta > 1 needs local polynomials)");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException(where + "alpha must be finite and > 0, got " + alpha);
        }
        if (alpha * beta > 1 + 1e-12) {
            throw new IllegalArgumentException(where + "alpha * beta must be <= 1, got " + alpha + " * " + beta
                    + " = " + alpha * beta + " (the gap dist^(1/alpha) is then not beta-Hölder)");
        }
        if (!(mu >= 0 && mu < 1)) {
            throw new IllegalArgumentException(where + "mu must be in [0, 1), got " + mu);
        }
        if (!(baseQuality > 0 && baseQuality < 1)) {
            throw new IllegalArgumentException(where + "base_quality must be in (0, 1), got " + baseQuality);
        }
        if (!(amplitude > 0) || Double.isInfinite(amplitude)) {
            throw new IllegalArgumentException(where + "amplitude must be finite and > 0, got " + amplitude);
        }
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException(where + "width must be finite and > 0, got " + width);
        }
        Objects.requireNonNull(shape, where + "shape");
        Objects.requireNonNull(models, "models");
        models = List.copyOf(models);
        int baselines = 0;
        Set<String> names = new HashSet<>();
        for (Model m : models) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException(where + "model name " + m.name() + " appears twice");
            }
            if (m.isBaseline()) {
                baselines++;
            } else if (m.centre.length != dimension) {
                throw new IllegalArgumentException(where + "model " + m.name() + " has a centre of dimension "
                        + m.centre.length + ", expected " + dimension);
            }
        }
        if (baselines != 1 || models.size() < 2) {
            throw new IllegalArgumentException(where + "needs exactly one baseline model (without a centre) and at"
                    + " least one specialist; got " + baselines + " baselines among " + models.size() + " models");
        }
        double cb = models.stream().filter(Model::isBaseline).findFirst().orElseThrow().cost();
        for (Model m : models) {
            double level = m.isBaseline() ? baseQuality : baseQuality + mu / (1 - mu) * (m.cost() - cb);
            double lo = m.isBaseline() ? level : level - amplitude;
            double hi = m.isBaseline() ? level : level + amplitude;
            if (!(lo > 0 && hi < 1)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%smodel %s's quality ranges over"
                                + " [%.4f, %.4f], expected inside (0, 1): lower the amplitude, mu or the cost gap",
                        where, m.name(), lo, hi));
            }
        }
        List<Model> sp = new ArrayList<>(models.stream().filter(m -> !m.isBaseline()).toList());
        for (int i = 0; i < sp.size(); i++) {
            for (int j = i + 1; j < sp.size(); j++) {
                Model a = sp.get(i);
                Model b = sp.get(j);
                double dist = shape.distance(a.centre, 0, b.centre, 0, dimension);
                double need = a.radius() + b.radius() + 2 * width;
                if (dist < need - 1e-12) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "%sthe %s regions of %s and %s"
                                    + " (with their transition zones) overlap: centres %.4f apart, need >= r + r' + 2w"
                                    + " ="
                                    + " %.4f, so that near each boundary only the specialist and the baseline compete",
                            where, shape.id(), a.name(), b.name(), dist, need));
                }
            }
        }
    }

    /** The minimax exponent of the excess risk, {@code beta (1 + alpha) / (2 beta + d)} (Audibert and Tsybakov). */
    public double theoryExponent() {
        return beta * (1 + alpha) / (2 * beta + dimension);
    }

    /** The exponent of KNN's k schedule, {@code 2 beta / (2 beta + d)}. */
    public double kExponent() {
        return 2 * beta / (2 * beta + dimension);
    }

    /** KNN's k at sample size n: {@code ceil(c n^(2 beta / (2 beta + d)))}, capped at n. */
    public int k(int n, double constant) {
        return (int) Math.min(n, Math.max(1, Math.ceil(constant * Math.pow(n, kExponent()))));
    }

    public int modelCount() {
        return models.size();
    }
}

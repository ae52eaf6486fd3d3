package dev.carrot.experiments.risk;

import dev.carrot.route.model.DecisionRule;

import java.util.Objects;

/**
 * The exact risk of routers on a {@link SyntheticProblem}, by quadrature: the loss {@code L(r) = E[u_{r(X)}(X)]}
 * (with the true utilities, no Bernoulli noise) is the mean over the midpoints of a regular grid of
 * {@code g^d} cells of {@code [0,1]^d}, the same grid for every router. The excess risk
 * {@code L(Bayes) - L(r) = E[u_best(X) - u_{r(X)}(X)]} is the mean of a non-negative pointwise regret; its quadrature
 * error comes only from the cells the router's or the Bayes boundary cuts, where the pointwise regret is small.
 * Immutable and thread-safe.
 */
public final class RiskEvaluator {
    private final SyntheticProblem problem;
    private final int perAxis;
    private final int points;
    private final double[] x;          // points x d
    private final double[] utility;    // points x models, true
    private final double[] best;       // per point, the Bayes utility
    private final double[] costs;      // points x models, the known costs (layout of DecisionRule)
    private final double bayesLoss;

    /**
     * @param perAxis grid cells per axis (g); the grid has {@code g^d} points
     */
    public RiskEvaluator(SyntheticProblem problem, int perAxis) {
        this.problem = Objects.requireNonNull(problem, "problem");
        int d = problem.dimension();
        if (perAxis < 2) {
            throw new IllegalArgumentException("the evaluation grid needs >= 2 points per axis, got " + perAxis);
        }
        double total = Math.pow(perAxis, d);
        if (total > 50_000_000) {
            throw new IllegalArgumentException("the evaluation grid would have " + (long) total + " points ("
                    + perAxis + "^" + d + "); at most 50,000,000: lower eval_points");
        }
        this.perAxis = perAxis;
        this.points = (int) total;
        int m = problem.models();
        this.x = new double[points * d];
        this.utility = new double[points * m];
        this.best = new double[points];
        this.costs = new double[points * m];
        double[] c = problem.costs();
        double sum = 0;
        int[] idx = new int[d];
        for (int p = 0; p < points; p++) {
            for (int j = 0; j < d; j++) {
                x[p * d + j] = (idx[j] + 0.5) / perAxis;
            }
            double b = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < m; k++) {
                double u = problem.utility(k, x, p * d);
                utility[p * m + k] = u;
                costs[p * m + k] = c[k];
                b = Math.max(b, u);
            }
            best[p] = b;
            sum += b;
            for (int j = 0; j < d; j++) { // odometer over the grid
                if (++idx[j] < perAxis) {
                    break;
                }
                idx[j] = 0;
            }
        }
        this.bayesLoss = sum / points;
    }

    /** A grid of about {@code totalPoints} points: {@code round(totalPoints^(1/d))} per axis. */
    public static RiskEvaluator withAbout(SyntheticProblem problem, int totalPoints) {
        int per = (int) Math.max(2, Math.round(Math.pow(totalPoints, 1.0 / problem.dimension())));
        return new RiskEvaluator(problem, per);
    }

    public SyntheticProblem problem() {
        return problem;
    }

    public int points() {
        return points;
    }

    public int perAxis() {
        return perAxis;
    }

    /** The evaluation points, points x d (a copy). */
    public double[] pointsArray() {
        return x.clone();
    }

    double[] pointsView() {
        return x;
    }

    /** {@code L(Bayes)}: the mean of the best true utility. */
    public double bayesLoss() {
        return bayesLoss;
    }

    /**
     * The loss {@code L(r)} of the CARROT rule applied to predicted qualities (and the known costs) at every
     * evaluation point, and its excess risk.
     *
     * @param predictedQuality points x models, row-major
     */
    public Risk risk(double[] predictedQuality) {
        int m = problem.models();
        if (predictedQuality.length != points * m) {
            throw new IllegalArgumentException("predicted qualities have " + predictedQuality.length + " values,"
                    + " expected points x models = " + points + " x " + m);
        }
        double mu = problem.setting().mu();
        double loss = 0;
        double excess = 0;
        for (int p = 0; p < points; p++) {
            int c = DecisionRule.choose(predictedQuality, costs, p * m, m, mu, 1.0, null);
            double u = utility[p * m + c];
            loss += u;
            excess += best[p] - u;
        }
        return new Risk(loss / points, bayesLoss, excess / points);
    }

    /**
     * The loss of a router and its excess risk.
     *
     * @param loss       L(r)
     * @param bayesLoss  L(Bayes)
     * @param excessRisk L(Bayes) - L(r), >= 0
     */
    public record Risk(double loss, double bayesLoss, double excessRisk) {
    }

    /** The true qualities at the evaluation points (the Bayes router's input), points x models. */
    public double[] trueQualities() {
        int m = problem.models();
        double[] q = new double[points * m];
        int d = problem.dimension();
        for (int p = 0; p < points; p++) {
            for (int k = 0; k < m; k++) {
                q[p * m + k] = problem.quality(k, x, p * d);
            }
        }
        return q;
    }

    /**
     * The margin distribution on the grid: the share of points whose gap between the best and second-best true
     * utility is in {@code (0, t]}.
     */
    public double marginProbability(double t) {
        int m = problem.models();
        int count = 0;
        for (int p = 0; p < points; p++) {
            // gap = best - second best; a tie for the best has gap 0
            double second = Double.NEGATIVE_INFINITY;
            int atBest = 0;
            for (int k = 0; k < m; k++) {
                double u = utility[p * m + k];
                if (u == best[p]) {
                    atBest++;
                } else {
                    second = Math.max(second, u);
                }
            }
            double gap = atBest > 1 ? 0 : best[p] - second;
            if (gap > 0 && gap <= t) {
                count++;
            }
        }
        return (double) count / points;
    }
}

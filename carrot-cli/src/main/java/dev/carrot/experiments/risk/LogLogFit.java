package dev.carrot.experiments.risk;

import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * An ordinary least-squares line through {@code (log n, log risk)}: the fitted decay exponent {@code -slope} with a
 * 95% confidence interval from the t distribution with {@code points - 2} degrees of freedom. Each point is the mean
 * of log risk over the repeats at one n, so curvature (a rate not yet reached, a plateau) shows up as residual
 * variance and widens the interval rather than hiding in many repeats.
 *
 * @param points    number of (n, risk) points
 * @param exponent  {@code -slope}: risk ~ n^(-exponent)
 * @param ciLow     lower end of the exponent's 95% CI
 * @param ciHigh    upper end
 * @param intercept the fitted log risk at n = 1
 * @param r2        the fit's R^2
 */
public record LogLogFit(int points, double exponent, double ciLow, double ciHigh, double intercept, double r2) {

    /**
     * Fits the line.
     *
     * @param n       sample sizes (> 0)
     * @param logRisk log risk at each size (finite)
     */
    public static LogLogFit fit(int[] n, double[] logRisk) {
        if (n.length != logRisk.length) {
            throw new IllegalArgumentException("sizes and risks differ in length: " + n.length + " vs "
                    + logRisk.length);
        }
        if (n.length < 3) {
            throw new IllegalArgumentException("a slope with a confidence interval needs >= 3 points, got "
                    + n.length);
        }
        SimpleRegression r = new SimpleRegression(true);
        for (int i = 0; i < n.length; i++) {
            if (!(n[i] > 0) || !Double.isFinite(logRisk[i])) {
                throw new IllegalArgumentException("point " + i + " is (n " + n[i] + ", log risk " + logRisk[i]
                        + "), expected n > 0 and a finite log risk");
            }
            r.addData(Math.log(n[i]), logRisk[i]);
        }
        double slope = r.getSlope();
        double half = r.getSlopeConfidenceInterval(0.05);
        if (Double.isNaN(half)) {
            half = 0; // a perfect fit
        }
        return new LogLogFit(n.length, -slope, -slope - half, -slope + half, r.getIntercept(), r.getRSquare());
    }

    /** Whether {@code exponent} is within the CI widened by {@code tolerance} on each side. */
    public boolean consistentWith(double exponent, double tolerance) {
        return exponent >= ciLow - tolerance && exponent <= ciHigh + tolerance;
    }
}

package dev.carrot.experiments.risk;

import dev.carrot.route.knn.TopK;

import java.util.Objects;

/**
 * Exact Euclidean k-nearest-neighbour regression for points in the unit cube {@code [0,1]^d}: the prediction at a
 * query is the mean of the targets of its k nearest training points.
 *
 * <p>In one dimension the k nearest points of a query are a contiguous run of the sorted training points: a binary
 * search finds the run and prefix sums give its mean, {@code O(log n)} per query. In more dimensions the training
 * points are bucketed into a regular grid of cells about half the expected k-th neighbour distance wide. A query
 * offers the points within a radius a little above the expected k-th distance (from the cells that ball touches, in
 * increasing point order) to carrot's one bounded selection ({@link TopK}, by negated squared distance in float);
 * if there are at least k, the k nearest are among them, otherwise the radius grows by 30% and the search repeats.
 * About {@code O(k)} per query for uniform data. Points whose squared distances round to the same float at the k-th
 * place (probability about zero for continuous data) are chosen by their order in the grid. Immutable and
 * thread-safe.
 */
public final class EuclideanKnn {
    private final int d;
    private final int n;
    private final int outputs;
    private final int k;
    private final int cellsPerAxis;
    private final double[] points;   // n x d, in cell order
    private final double[] targets;  // n x outputs, in cell order
    private final int[] cellStart;   // cells + 1
    private final double initialRadius;
    private final double[] prefix;   // one dimension: (n + 1) x outputs prefix sums of targets in sorted order

    private EuclideanKnn(int d, int n, int outputs, int k, int cellsPerAxis, double[] points, double[] targets,
                         int[] cellStart, double initialRadius, double[] prefix) {
        this.d = d;
        this.n = n;
        this.outputs = outputs;
        this.k = k;
        this.cellsPerAxis = cellsPerAxis;
        this.points = points;
        this.targets = targets;
        this.cellStart = cellStart;
        this.initialRadius = initialRadius;
        this.prefix = prefix;
    }

    /**
     * Builds the regressor.
     *
     * @param x       training points, n x d, row-major, every coordinate in [0, 1]
     * @param y       targets, n x outputs, row-major
     * @param k       neighbours per prediction, in [1, n]
     */
    public static EuclideanKnn fit(double[] x, int d, double[] y, int outputs, int k) {
        return fit(x, d, y, outputs, k, false);
    }

    /** As {@link #fit(double[], int, double[], int, int)}; {@code useCells} forces the cell grid in one dimension. */
    static EuclideanKnn fit(double[] x, int d, double[] y, int outputs, int k, boolean useCells) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (d < 1 || outputs < 1) {
            throw new IllegalArgumentException("dimension and outputs must be >= 1, got " + d + " and " + outputs);
        }
        if (x.length == 0 || x.length % d != 0) {
            throw new IllegalArgumentException("x has " + x.length + " values, expected a non-zero multiple of the"
                    + " dimension " + d);
        }
        int n = x.length / d;
        if (y.length != n * outputs) {
            throw new IllegalArgumentException("y has " + y.length + " values, expected n x outputs = " + n + " x "
                    + outputs);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in [1, n = " + n + "], got " + k);
        }
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] >= 0 && x[i] <= 1)) {
                throw new IllegalArgumentException("training point " + i / d + " has coordinate " + x[i] + " at axis "
                        + i % d + ", expected a value in [0, 1]");
            }
        }
        if (d == 1 && !useCells) {
            return sorted1d(x, y, outputs, k);
        }
        // expected k-th neighbour distance for uniform points: V_d r^d n = k
        double rk = Math.pow(k / (n * unitBallVolume(d)), 1.0 / d);
        int g = (int) Math.max(1, Math.floor(2 / rk));
        int maxPerAxis = (int) Math.max(1, Math.floor(Math.pow(4.0 * n, 1.0 / d)));
        g = Math.min(g, maxPerAxis);
        int cells = (int) Math.round(Math.pow(g, d));
        int[] cellOf = new int[n];
        int[] count = new int[cells + 1];
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int j = d - 1; j >= 0; j--) {
                c = c * g + axisCell(x[i * d + j], g);
            }
            cellOf[i] = c;
            count[c + 1]++;
        }
        for (int c = 0; c < cells; c++) {
            count[c + 1] += count[c];
        }
        int[] start = count.clone();
        int[] fill = count.clone();
        double[] px = new double[n * d];
        double[] py = new double[n * outputs];
        for (int i = 0; i < n; i++) {
            int pos = fill[cellOf[i]]++;
            System.arraycopy(x, i * d, px, pos * d, d);
            System.arraycopy(y, i * outputs, py, pos * outputs, outputs);
        }
        // a first search radius a little above the expected k-th distance (whose relative sd is about 1/(d sqrt k))
        double radius = rk * Math.max(1.1, 1 + 3 / (d * Math.sqrt(k)));
        return new EuclideanKnn(d, n, outputs, k, g, px, py, start, radius, null);
    }

    private static EuclideanKnn sorted1d(double[] x, double[] y, int outputs, int k) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        double[] xs = new double[n];
        double[] prefix = new double[(n + 1) * outputs];
        for (int i = 0; i < n; i++) {
            int r = order[i];
            xs[i] = x[r];
            for (int o = 0; o < outputs; o++) {
                prefix[(i + 1) * outputs + o] = prefix[i * outputs + o] + y[r * outputs + o];
            }
        }
        return new EuclideanKnn(1, n, outputs, k, 0, xs, null, null, 0.0, prefix);
    }

    static double unitBallVolume(int d) {
        // V_d = pi^(d/2) / Gamma(d/2 + 1), by the recursion V_d = 2 pi / d * V_{d-2}
        double v = d % 2 == 0 ? 1.0 : 2.0;
        for (int i = d % 2 == 0 ? 2 : 3; i <= d; i += 2) {
            v *= 2 * Math.PI / i;
        }
        return v;
    }

    private static int axisCell(double v, int g) {
        int c = (int) (v * g);
        return c < 0 ? 0 : Math.min(c, g - 1);
    }

    public int k() {
        return k;
    }

    public int size() {
        return n;
    }

    /**
     * Predicts at every query.
     *
     * @param queries q x d, row-major
     * @param out     receives q x outputs means
     */
    public void predict(double[] queries, double[] out) {
        if (queries.length % d != 0) {
            throw new IllegalArgumentException("queries have " + queries.length + " values, not a multiple of the"
                    + " dimension " + d);
        }
        int q = queries.length / d;
        if (out.length != q * outputs) {
            throw new IllegalArgumentException("out has " + out.length + " slots, expected queries x outputs = " + q
                    + " x " + outputs);
        }
        for (int i = 0; i < queries.length; i++) {
            if (!(queries[i] >= 0 && queries[i] <= 1)) {
                throw new IllegalArgumentException("query " + i / d + " has coordinate " + queries[i] + " at axis "
                        + i % d + ", expected a value in [0, 1]");
            }
        }
        Scratch s = prefix != null ? null : new Scratch(d, k);
        for (int i = 0; i < q; i++) {
            predictOne(queries, i * d, out, i * outputs, s);
        }
    }

    /** The distances of a query's k nearest neighbours, ascending; for tests. */
    double[] neighbourDistances(double[] query) {
        double[] dist = new double[k];
        if (prefix != null) {
            int lo = window1d(query[0]);
            for (int j = 0; j < k; j++) {
                dist[j] = Math.abs(points[lo + j] - query[0]);
            }
        } else {
            Scratch s = new Scratch(d, k);
            double[] out = new double[outputs];
            predictOne(query, 0, out, 0, s);
            for (int j = 0; j < k; j++) { // the neighbours predictOne left in the scratch
                double dd = 0;
                for (int a = 0; a < d; a++) {
                    double diff = points[s.idx[j] * d + a] - query[a];
                    dd += diff * diff;
                }
                dist[j] = Math.sqrt(dd);
            }
        }
        java.util.Arrays.sort(dist);
        return dist;
    }

    private static final class Scratch {
        final int[] lo;
        final int[] hi;
        final int[] cur;
        final int[] idx;
        final TopK top;

        Scratch(int d, int k) {
            lo = new int[d];
            hi = new int[d];
            cur = new int[d];
            idx = new int[k];
            top = new TopK(k);
        }
    }

    private void predictOne(double[] q, int qo, double[] out, int oo, Scratch s) {
        if (prefix != null) {
            int lo = window1d(q[qo]);
            for (int o = 0; o < outputs; o++) {
                out[oo + o] = (prefix[(lo + k) * outputs + o] - prefix[lo * outputs + o]) / k;
            }
            return;
        }
        int g = cellsPerAxis;
        double w = 1.0 / g;
        double radius = initialRadius;
        while (true) {
            // every point within `radius` of the query: the cells the ball touches, then the points inside it
            boolean all = radius * radius >= d; // the ball covers the cube
            double r2 = all ? Double.POSITIVE_INFINITY : radius * radius;
            for (int j = 0; j < d; j++) {
                s.lo[j] = axisCell(q[qo + j] - radius, g);
                s.hi[j] = axisCell(q[qo + j] + radius, g);
                s.cur[j] = s.lo[j];
            }
            int count = 0;
            while (true) {
                double md = 0;
                int cell = 0;
                for (int j = d - 1; j >= 0; j--) {
                    int c = s.cur[j];
                    double v = q[qo + j];
                    double gap = Math.max(0, Math.max(c * w - v, v - (c + 1) * w));
                    md += gap * gap;
                    cell = cell * g + c;
                }
                if (md <= r2) {
                    int from = cellStart[cell];
                    int to = cellStart[cell + 1];
                    for (int p = from; p < to; p++) {
                        double dd = 0;
                        int po = p * d;
                        for (int j = 0; j < d; j++) {
                            double diff = points[po + j] - q[qo + j];
                            dd += diff * diff;
                        }
                        if (dd <= r2) {
                            s.top.offer((float) -dd, p); // cells, and points in them, come in increasing order
                            count++;
                        }
                    }
                }
                int j = 0;
                while (j < d && ++s.cur[j] > s.hi[j]) {
                    s.cur[j] = s.lo[j];
                    j++;
                }
                if (j == d) {
                    break;
                }
            }
            // with >= k points inside the ball, the k nearest are among them
            s.top.drainSorted(s.idx, 0, null);
            if (count >= k) {
                for (int o = 0; o < outputs; o++) {
                    out[oo + o] = 0;
                }
                for (int t = 0; t < k; t++) {
                    int to = s.idx[t] * outputs;
                    for (int o = 0; o < outputs; o++) {
                        out[oo + o] += targets[to + o];
                    }
                }
                for (int o = 0; o < outputs; o++) {
                    out[oo + o] /= k;
                }
                return;
            }
            assert !all : "the whole cube holds fewer than k points";
            radius *= 1.3;
        }
    }

    /** One dimension: the start of the run of k sorted points nearest to v (the leftmost such run). */
    private int window1d(double v) {
        int lo = 0;
        int hi = n - k;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v - points[mid] > points[mid + k] - v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

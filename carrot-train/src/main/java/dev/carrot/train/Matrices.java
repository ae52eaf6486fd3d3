package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.PriceTable;

import java.util.Optional;

/** Small helpers over the flat row-major matrices the trainer and the evaluation pass around. */
public final class Matrices {
    private Matrices() {
    }

    /** The given rows of a rows x m matrix, in the given order. */
    public static double[] rows(double[] a, int m, int[] rows) {
        double[] out = new double[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(a, rows[i] * m, out, i * m, m);
        }
        return out;
    }

    /** The given rows of a rows x m matrix, in the given order. */
    public static float[] rows(float[] a, int m, int[] rows) {
        float[] out = new float[rows.length * m];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(a, rows[i] * m, out, i * m, m);
        }
        return out;
    }

    /** Column means over the given rows. */
    public static double[] columnMeans(double[] a, int m, int[] rows) {
        double[] out = new double[m];
        for (int r : rows) {
            for (int j = 0; j < m; j++) {
                out[j] += a[r * m + j] / rows.length;
            }
        }
        return out;
    }

    public static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    public static double[] toDouble(int[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Every prompt's cost on every model from its token counts and a price table. */
    public static double[] pricedCosts(RoutingDataset data, PriceTable prices) {
        if (!data.hasTokens()) {
            throw new IllegalArgumentException("dataset " + data.provenance().source() + " has no token counts to"
                    + " price");
        }
        int m = data.modelCount();
        double[] c = new double[data.size() * m];
        for (int j = 0; j < m; j++) {
            PriceTable.Price p = prices.require(data.models().get(j));
            for (int i = 0; i < data.size(); i++) {
                c[i * m + j] = p.cost(data.inputTokens(i, j), data.outputTokens(i, j));
            }
        }
        return c;
    }

    /** Task labels of the given rows, or null when the data has none. */
    public static String[] tasks(RoutingDataset data, int[] rows) {
        if (!data.hasTasks()) {
            return null;
        }
        String[] t = new String[rows.length];
        for (int i = 0; i < rows.length; i++) {
            t[i] = data.task(rows[i]).orElse(null);
        }
        return t;
    }

    /**
     * Every prompt's realised cost on every model, in USD, as a router with cost model {@code cost} counts it: token
     * counts priced with {@code prices} ({@link CostModel.Tokens}), the data's own costs ({@link CostModel.Direct}),
     * or zeros ({@link CostModel.None}).
     */
    public static double[] trueCosts(RoutingDataset data, CostModel cost, Optional<PriceTable> prices) {
        if (cost.pricesTokens()) {
            return pricedCosts(data, prices.orElseThrow(() -> new IllegalArgumentException("a token-priced router"
                    + " needs a price table")));
        }
        return cost instanceof CostModel.Direct ? data.costMatrix() : new double[data.size() * data.modelCount()];
    }

    /** Mean squared error of {@code p} against {@code y} (rows x m), each column scaled by {@code sd} if given. */
    public static double mse(double[] p, double[] y, double[] sd) {
        int m = sd == null ? 0 : sd.length;
        double err = 0;
        for (int i = 0; i < y.length; i++) {
            double e = (p[i] - y[i]) / (sd == null ? 1 : sd[i % m]);
            err += e * e;
        }
        return err / y.length;
    }

    /** Per-column standard deviation over {@code rows} (all rows when null); 1 where it is 0. */
    public static double[] columnSd(double[] a, int m, int[] rows) {
        int n = rows == null ? a.length / m : rows.length;
        double[] mean = new double[m];
        double[] sd = new double[m];
        for (int i = 0; i < n; i++) {
            int r = rows == null ? i : rows[i];
            for (int j = 0; j < m; j++) {
                mean[j] += a[r * m + j];
            }
        }
        for (int j = 0; j < m; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            int r = rows == null ? i : rows[i];
            for (int j = 0; j < m; j++) {
                double d = a[r * m + j] - mean[j];
                sd[j] += d * d;
            }
        }
        for (int j = 0; j < m; j++) {
            sd[j] = Math.sqrt(sd[j] / n);
            if (sd[j] == 0) {
                sd[j] = 1;
            }
        }
        return sd;
    }

    /** Each value clipped to [0, 1]. */
    static double[] clamp01(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.min(1, Math.max(0, a[i]));
        }
        return out;
    }

    /** Each value clipped to {@code >= min}. */
    static double[] clampMin(double[] a, double min) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.max(min, a[i]);
        }
        return out;
    }
}

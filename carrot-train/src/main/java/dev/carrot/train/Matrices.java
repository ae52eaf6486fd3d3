package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.PriceTable;

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
}

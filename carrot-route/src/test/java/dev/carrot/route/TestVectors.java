package dev.carrot.route;

import java.util.SplittableRandom;

/** Random unit vectors for the tests: rows of a row-major matrix, each L2-normalised. */
public final class TestVectors {
    private TestVectors() {
    }

    /** {@code n} random unit rows of dimension {@code dim}. */
    public static float[] unitRows(SplittableRandom r, int n, int dim) {
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                float x = (float) r.nextGaussian();
                v[i * dim + j] = x;
                norm += x * x;
            }
            for (int j = 0; j < dim; j++) {
                v[i * dim + j] /= (float) Math.sqrt(norm);
            }
        }
        return v;
    }
}

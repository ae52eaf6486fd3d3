package dev.carrot.train.linear;

/**
 * Each output's penalty chosen on out-of-fold predictions: the grid point with the lowest mean loss over the
 * training rows (the first such point on ties), with that point's out-of-fold predictions. The choice logistic
 * quality and ridge costs share.
 *
 * @param l2         the chosen penalty per output
 * @param outOfFold  the chosen penalties' out-of-fold predictions, training rows x outputs
 * @param lossByL2   the mean out-of-fold loss per grid point and output
 */
record PenaltyChoice(double[] l2, double[] outOfFold, double[][] lossByL2) {

    /** The loss of one prediction {@code p} of output {@code c} against its target {@code y}. */
    @FunctionalInterface
    interface PointLoss {
        double of(int c, double p, double y);
    }

    /**
     * @param oof     per grid point, the out-of-fold predictions of the training rows, rows x outputs
     * @param y       the targets of every dataset row, rows x outputs
     * @param m       the number of outputs
     * @param tr      the training rows, in the order of {@code oof}'s rows
     * @param grid    the penalties, in the order of {@code oof}
     */
    static PenaltyChoice of(double[][] oof, double[] y, int m, int[] tr, double[] grid, PointLoss loss) {
        double[][] mean = new double[grid.length][m];
        double[] chosen = new double[m];
        double[] out = new double[tr.length * m];
        for (int c = 0; c < m; c++) {
            int best = 0;
            for (int g = 0; g < grid.length; g++) {
                double s = 0;
                for (int i = 0; i < tr.length; i++) {
                    s += loss.of(c, oof[g][i * m + c], y[tr[i] * m + c]);
                }
                mean[g][c] = s / tr.length;
                if (mean[g][c] < mean[best][c]) {
                    best = g;
                }
            }
            chosen[c] = grid[best];
            for (int i = 0; i < tr.length; i++) {
                out[i * m + c] = oof[best][i * m + c];
            }
        }
        return new PenaltyChoice(chosen, out, mean);
    }
}

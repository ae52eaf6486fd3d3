package dev.carrot.train;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Cross-validation folds over a set of dataset rows, the same for every trainer of a run: the rows after a seeded
 * shuffle (or in the dataset's order when the configuration asks for it), cut into contiguous folds whose sizes
 * differ by at most one, the larger first (scikit-learn's {@code KFold}). KNN's neighbour lists use this layout, so
 * out-of-fold predictions of different trainers hold out the same prompts together.
 *
 * @param order  the rows (dataset row ids) in fold order
 * @param foldOf fold of each position of {@code order}
 * @param folds  number of folds
 */
public record Folds(int[] order, int[] foldOf, int folds) {

    public Folds {
        order = order.clone();
        foldOf = foldOf.clone();
    }

    /** The folds of {@code rows} for a configuration (its seed, fold count and fold order). */
    public static Folds of(int[] rows, TrainerConfig config) {
        Objects.requireNonNull(rows, "rows");
        int n = rows.length;
        int k = config.folds();
        if (n < k) {
            throw new IllegalArgumentException(n + " rows cannot make " + k + " folds");
        }
        int[] order = shuffled(rows, config);
        int[] foldOf = new int[n];
        for (int f = 0, pos = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            Arrays.fill(foldOf, pos, pos + size, f);
            pos += size;
        }
        return new Folds(order, foldOf, k);
    }

    /** The rows in the order cross-validation folds are cut from: shuffled with the seed unless kept in order. */
    public static int[] shuffled(int[] rows, TrainerConfig config) {
        int[] order = rows.clone();
        if (config.shuffleFolds()) {
            SplittableRandom r = new SplittableRandom(config.seed());
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    @Override
    public int[] order() {
        return order.clone();
    }

    @Override
    public int[] foldOf() {
        return foldOf.clone();
    }

    public int size() {
        return order.length;
    }

    /** Positions (in {@link #order()}) of fold {@code f}'s rows. */
    public int[] heldOut(int f) {
        return positions(f, true);
    }

    /** Positions (in {@link #order()}) of every row not in fold {@code f}. */
    public int[] fitted(int f) {
        return positions(f, false);
    }

    /** Dataset rows at some positions. */
    public int[] rowsAt(int[] positions) {
        int[] r = new int[positions.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = order[positions[i]];
        }
        return r;
    }

    private int[] positions(int f, boolean in) {
        Objects.checkIndex(f, folds);
        int c = 0;
        for (int v : foldOf) {
            if ((v == f) == in) {
                c++;
            }
        }
        int[] p = new int[c];
        int k = 0;
        for (int i = 0; i < foldOf.length; i++) {
            if ((foldOf[i] == f) == in) {
                p[k++] = i;
            }
        }
        return p;
    }
}

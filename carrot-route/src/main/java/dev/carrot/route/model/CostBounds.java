package dev.carrot.route.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Split-conformal upper bounds of what each model's answer to a prompt will cost: output tokens for a token-priced
 * router (then priced, so that prices can change), USD for a router that predicts cost directly.
 *
 * <p><b>Score.</b> For each validation prompt and model, with {@code y} the realised value and {@code p} the router's
 * own prediction for it (its cost predictor fitted on the training prompts only, so the validation prompts are
 * unseen), the score is the log ratio {@code s = ln((y + c) / (p + c))}, where the offset {@code c} is 5% of the
 * model's mean validation value (it keeps the ratio finite where a prediction is 0 and tames prompts whose answers
 * are nearly free). A log ratio, because what a query costs spans an order of magnitude across prompts (a one-line
 * answer against a page of code): a multiplicative margin fits a short and a long answer alike, where an additive
 * one would be too wide for the one and too narrow for the other.
 *
 * <p><b>Bins.</b> Per model, the validation prompts are split into up to {@value #MAX_BINS} bins by the predicted
 * value (at its validation tertiles), and each bin has its own scores (Mondrian conformal prediction): a router that
 * underestimates its cheap prompts and overestimates its dear ones gets bounds that hold for both, not only on
 * average. A model gets fewer bins when a bin would hold fewer than {@value #MIN_BIN_SIZE} prompts.
 *
 * <p><b>Bound.</b> For a new prompt with prediction {@code p} in a bin of {@code n} scores, and confidence
 * {@code 1 - alpha}, let {@code k = ceil((n + 1) (1 - alpha))}; the bound is {@code (p + c) exp(s_(k)) - c} with
 * {@code s_(k)} the bin's {@code k}-th smallest score, or infinite when {@code k > n} (so many prompts cannot
 * certify so high a confidence). If the validation prompts and the new prompt are exchangeable, the realised value
 * is at most the bound with probability at least {@code 1 - alpha} (and at most {@code 1 - alpha + 1/(n + 1)}).
 * Immutable.
 */
public final class CostBounds {
    /** What the bounds are of. */
    public enum Target {
        /** Output tokens of the answer (token-priced routers). */
        OUTPUT_TOKENS("output_tokens"),
        /** The query's cost in USD (routers that predict cost directly). */
        COST_USD("cost_usd");

        private final String id;

        Target(String id) {
            this.id = id;
        }

        /** {@code output_tokens} or {@code cost_usd}, as the artifact names it. */
        public String id() {
            return id;
        }

        /** The target an artifact names. */
        public static Target of(String id) {
            for (Target t : values()) {
                if (t.id.equals(id)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown cost bound target '" + id + "', expected output_tokens or"
                    + " cost_usd");
        }
    }

    /** The most bins per model. */
    public static final int MAX_BINS = 3;
    /** The fewest validation prompts a bin may hold. */
    public static final int MIN_BIN_SIZE = 40;
    /** The offset {@code c} as a fraction of the model's mean validation value. */
    public static final double OFFSET_FRACTION = 0.05;

    private final Target target;
    private final int models;
    private final int rows;
    private final double[] offset;   // per model
    private final double[] edges;    // models x (MAX_BINS - 1), ascending, NaN for the unused ones at the end
    private final int[] binSizes;    // models x MAX_BINS, summing to rows per model
    private final double[] scores;   // models x rows: each model's bins in order, each bin's scores ascending

    /**
     * Bounds from their parts (as an artifact stores them); {@link #fit} makes them from validation data.
     *
     * @param offset   per model, the offset {@code c} (finite, > 0)
     * @param edges    models x ({@value #MAX_BINS} - 1): per model its bins' upper edges in ascending order, NaN for
     *                 the unused ones at the end; a prediction {@code p} falls in the first bin whose edge is
     *                 {@code >= p}, or in the last used bin
     * @param binSizes models x {@value #MAX_BINS}: scores per bin, each used bin at least one, unused bins 0
     * @param scores   models x rows: per model the scores of its bins in order, each bin's ascending
     */
    public CostBounds(Target target, int models, int rows, double[] offset, double[] edges, int[] binSizes,
                      double[] scores) {
        this.target = Objects.requireNonNull(target, "target");
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(edges, "edges");
        Objects.requireNonNull(binSizes, "binSizes");
        Objects.requireNonNull(scores, "scores");
        if (models < 1 || rows < 1) {
            throw new IllegalArgumentException("cost bounds need models and rows >= 1, got " + models + " x " + rows);
        }
        if (offset.length != models || edges.length != models * (MAX_BINS - 1) || binSizes.length != models * MAX_BINS
                || scores.length != (long) models * rows) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "cost bound arrays for %d models"
                            + " x %d rows must have %d offsets, %d edges, %d bin sizes and %d scores; got %d, %d, %d,"
                            + " %d", models, rows, models, models * (MAX_BINS - 1), models * MAX_BINS,
                    (long) models * rows, offset.length, edges.length, binSizes.length, scores.length));
        }
        for (int m = 0; m < models; m++) {
            if (!(offset[m] > 0) || Double.isInfinite(offset[m])) {
                throw new IllegalArgumentException("cost bound offset of model " + m + " must be finite and > 0, got "
                        + offset[m]);
            }
            int used = 0;
            while (used < MAX_BINS && binSizes[m * MAX_BINS + used] > 0) {
                used++;
            }
            int total = 0;
            for (int b = 0; b < MAX_BINS; b++) {
                int size = binSizes[m * MAX_BINS + b];
                if (used == 0 || size < 0 || (b >= used && size != 0)) {
                    throw new IllegalArgumentException("cost bound bins of model " + m + " must be used from the first"
                            + " on, each with at least one score, got sizes "
                            + Arrays.toString(Arrays.copyOfRange(binSizes, m * MAX_BINS, m * MAX_BINS + MAX_BINS)));
                }
                total += size;
            }
            if (total != rows) {
                throw new IllegalArgumentException("cost bound bins of model " + m + " hold " + total + " scores, the"
                        + " bounds have " + rows + " rows");
            }
            for (int e = 0; e < MAX_BINS - 1; e++) {
                double v = edges[m * (MAX_BINS - 1) + e];
                boolean wanted = e < used - 1;
                if (wanted ? !Double.isFinite(v) || (e > 0 && !(v > edges[m * (MAX_BINS - 1) + e - 1]))
                        : !Double.isNaN(v)) {
                    throw new IllegalArgumentException("cost bound edges of model " + m + " must be " + (used - 1)
                            + " finite ascending values then NaN, got " + Arrays.toString(Arrays.copyOfRange(edges,
                            m * (MAX_BINS - 1), (m + 1) * (MAX_BINS - 1))));
                }
            }
            int start = m * rows;
            for (int b = 0; b < used; b++) {
                int size = binSizes[m * MAX_BINS + b];
                for (int i = start; i < start + size; i++) {
                    if (!Double.isFinite(scores[i]) || (i > start && scores[i] < scores[i - 1])) {
                        throw new IllegalArgumentException("cost bound scores of model " + m + ", bin " + b
                                + " must be finite and ascending, got " + scores[i] + " at " + (i - start));
                    }
                }
                start += size;
            }
        }
        this.models = models;
        this.rows = rows;
        this.offset = offset.clone();
        this.edges = edges.clone();
        this.binSizes = binSizes.clone();
        this.scores = scores.clone();
    }

    /**
     * Fits the bounds on validation data.
     *
     * @param predicted the router's predictions for the validation prompts (from predictors that never saw them),
     *                  rows x models; negative values count as 0, as the router clips them
     * @param actual    the realised values, rows x models, each finite and {@code >= 0}
     */
    public static CostBounds fit(Target target, double[] predicted, double[] actual, int rows, int models) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(actual, "actual");
        if (rows < 1 || models < 1 || predicted.length != rows * models || actual.length != rows * models) {
            throw new IllegalArgumentException("cost bounds are fitted on rows x models = " + rows + " x " + models
                    + " predictions and outcomes, got " + predicted.length + " and " + actual.length + " values");
        }
        double[] offset = new double[models];
        double[] edges = new double[models * (MAX_BINS - 1)];
        Arrays.fill(edges, Double.NaN);
        int[] sizes = new int[models * MAX_BINS];
        double[] scores = new double[models * rows];
        double[] p = new double[rows];
        double[] y = new double[rows];
        for (int m = 0; m < models; m++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                double a = actual[i * models + m];
                double q = predicted[i * models + m];
                if (!(a >= 0) || Double.isInfinite(a) || Double.isNaN(q) || Double.isInfinite(q)) {
                    throw new IllegalArgumentException("cost bounds need finite predictions and outcomes >= 0; row " + i
                            + ", model " + m + " has prediction " + q + " and outcome " + a);
                }
                p[i] = Math.max(0, q);
                y[i] = a;
                mean += a / rows;
            }
            double c = mean > 0 ? OFFSET_FRACTION * mean : target == Target.OUTPUT_TOKENS ? 1.0 : 1e-9;
            offset[m] = c;
            double[] e = binEdges(p);
            for (int k = 0; k < e.length; k++) {
                edges[m * (MAX_BINS - 1) + k] = e[k];
            }
            // scores grouped by bin, each bin ascending
            double[][] byBin = new double[e.length + 1][];
            int[] count = new int[e.length + 1];
            for (int i = 0; i < rows; i++) {
                count[bin(e, p[i])]++;
            }
            for (int b = 0; b < byBin.length; b++) {
                byBin[b] = new double[count[b]];
                count[b] = 0;
            }
            for (int i = 0; i < rows; i++) {
                int b = bin(e, p[i]);
                byBin[b][count[b]++] = Math.log((y[i] + c) / (p[i] + c));
            }
            int at = m * rows;
            for (int b = 0; b < byBin.length; b++) {
                Arrays.sort(byBin[b]);
                System.arraycopy(byBin[b], 0, scores, at, byBin[b].length);
                at += byBin[b].length;
                sizes[m * MAX_BINS + b] = byBin[b].length;
            }
        }
        return new CostBounds(target, models, rows, offset, edges, sizes, scores);
    }

    /**
     * The edges of the most bins (up to {@link #MAX_BINS}) at the predictions' quantiles that give every bin at
     * least {@link #MIN_BIN_SIZE} predictions and distinct edges.
     */
    private static double[] binEdges(double[] p) {
        double[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int bins = MAX_BINS; bins > 1; bins--) {
            if (sorted.length < bins * MIN_BIN_SIZE) {
                continue;
            }
            double[] e = new double[bins - 1];
            for (int k = 1; k < bins; k++) {
                e[k - 1] = sorted[(int) ((long) k * sorted.length / bins) - 1];
            }
            boolean ok = true;
            for (int k = 1; k < e.length; k++) {
                ok &= e[k] > e[k - 1];
            }
            if (ok) {
                int[] count = new int[bins];
                for (double v : p) {
                    count[bin(e, v)]++;
                }
                for (int c : count) {
                    ok &= c >= MIN_BIN_SIZE;
                }
            }
            if (ok) {
                return e;
            }
        }
        return new double[0];
    }

    /** The bin of a prediction: the first whose edge is >= it, or the last. */
    private static int bin(double[] edges, double p) {
        int b = 0;
        while (b < edges.length && p > edges[b]) {
            b++;
        }
        return b;
    }

    public Target target() {
        return target;
    }

    public int models() {
        return models;
    }

    /** The validation prompts the bounds were fitted on. */
    public int rows() {
        return rows;
    }

    /** The number of bins of a model. */
    public int bins(int model) {
        int used = 0;
        for (int b = 0; b < MAX_BINS; b++) {
            used += binSizes[model * MAX_BINS + b] > 0 ? 1 : 0;
        }
        return used;
    }

    /**
     * The upper bound of model {@code model}'s realised value (output tokens or USD, see {@link #target()}) for a
     * prompt the router predicts {@code prediction} for, at {@code confidence}; infinite when the prompt's bin has
     * too few validation prompts for that confidence.
     *
     * @param confidence in (0, 1), e.g. 0.9
     */
    public double upper(int model, double prediction, double confidence) {
        checkConfidence(confidence);
        if (model < 0 || model >= models) {
            throw new IllegalArgumentException("model index " + model + " is not in [0, " + models + ")");
        }
        if (Double.isNaN(prediction)) {
            throw new IllegalArgumentException("prediction must be a number, got NaN");
        }
        double p = Math.max(0, prediction);
        int used = bins(model);
        int b = 0;
        while (b < used - 1 && p > edges[model * (MAX_BINS - 1) + b]) {
            b++;
        }
        int start = model * rows;
        for (int k = 0; k < b; k++) {
            start += binSizes[model * MAX_BINS + k];
        }
        int n = binSizes[model * MAX_BINS + b];
        // the smallest k with k >= (n + 1) * confidence; the tolerance keeps 0.9 * 10 from rounding up to 10
        long k = (long) Math.ceil((n + 1) * confidence - 1e-9);
        if (k > n) {
            return Double.POSITIVE_INFINITY;
        }
        double c = offset[model];
        return Math.max(0, (p + c) * Math.exp(scores[start + (int) Math.max(1, k) - 1]) - c);
    }

    /** Rejects a confidence outside (0, 1). */
    public static void checkConfidence(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), e.g. 0.9, got " + confidence);
        }
    }

    /** Per model the offset {@code c} (a copy). */
    public double[] offset() {
        return offset.clone();
    }

    /** Per model its bins' upper edges, models x ({@value #MAX_BINS} - 1), NaN where unused (a copy). */
    public double[] edges() {
        return edges.clone();
    }

    /** Scores per bin, models x {@value #MAX_BINS} (a copy). */
    public int[] binSizes() {
        return binSizes.clone();
    }

    /** The scores, models x rows, each model's bins in order, each ascending (a copy). */
    public double[] scores() {
        return scores.clone();
    }

    /** {@code split-conformal cost_usd bounds (235 validation prompts, 3 bins per model)}. */
    public String describe() {
        int lo = MAX_BINS;
        int hi = 0;
        for (int m = 0; m < models; m++) {
            lo = Math.min(lo, bins(m));
            hi = Math.max(hi, bins(m));
        }
        return "split-conformal " + target.id() + " bounds (" + rows + " validation prompts, " + (lo == hi ? lo
                : lo + "-" + hi) + " bins per model)";
    }
}

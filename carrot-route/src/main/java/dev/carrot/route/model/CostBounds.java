package dev.carrot.route.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Split-conformal upper bounds of what each model's answer to a prompt will cost: output tokens for a token-priced
 * router (then priced, so that prices can change), USD for a router that predicts cost directly.
 *
 * <p><b>Score.</b> For each validation prompt and model, with {@code y} the realised value and {@code p} the router's
 * own prediction for it (its cost predictor fitted on the training prompts only, so the validation prompts are
 * unseen), the score is the log ratio {@code s = ln((y + c) / (p + c))}, where the offset {@code c} is
 * {@value #OFFSET_FRACTION} of the model's mean validation value (it keeps the ratio finite where a prediction is 0
 * and tames prompts whose answers are nearly free). A log ratio, because what a query costs spans an order of
 * magnitude across prompts (a one-letter answer against a page of code): a multiplicative margin fits a short and a
 * long answer alike.
 *
 * <p><b>Prompt groups.</b> The scores are kept per group of similar prompts (Mondrian conformal prediction): a
 * prompt's group is that of the nearest of a few centroids in the encoder's embedding space (k-means of the
 * <em>training</em> prompts, so that the groups are fixed before the validation prompts are scored), and a bound
 * uses only its group's scores. Kinds of prompts whose cost varies more (code, against a multiple-choice letter) so
 * get wider bounds, where one set of scores for all would hold on average but fail on them. Without centroids there
 * is one group.
 *
 * <p><b>Bound.</b> For a new prompt with prediction {@code p} in a group of {@code n} scores, and confidence
 * {@code 1 - alpha}, let {@code k = ceil((n + 1) (1 - alpha))}; the bound is {@code (p + c) exp(s_(k)) - c} with
 * {@code s_(k)} the group's {@code k}-th smallest score, or infinite when {@code k > n} (so few prompts cannot
 * certify so high a confidence). If the validation prompts and the new prompt are exchangeable, the realised value
 * is at most the bound with probability at least {@code 1 - alpha}, within each group (and at most
 * {@code 1 - alpha + 1/(n + 1)}). Immutable.
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

    /** The offset {@code c} as a fraction of the model's mean validation value. */
    public static final double OFFSET_FRACTION = 0.05;

    private final Target target;
    private final int models;
    private final int rows;
    private final double[] offset;       // per model
    private final int dimension;         // of the centroids (0 without)
    private final float[] centroids;     // centroids x dimension, unit rows
    private final int[] centroidGroup;   // per centroid, its group
    private final int[] groupSizes;      // per group, its validation prompts (summing to rows)
    private final double[] scores;       // models x rows: each model's groups in order, each group's scores ascending

    /**
     * Bounds from their parts (as an artifact stores them); {@link #fit} makes them from validation data.
     *
     * @param offset        per model, the offset {@code c} (finite, > 0)
     * @param dimension     the centroids' dimension (the encoder's), 0 without centroids
     * @param centroids     centroids x dimension, each of unit length; empty for one group of all prompts
     * @param centroidGroup per centroid, the group its prompts belong to (several centroids may share one)
     * @param groupSizes    per group, its validation prompts, summing to {@code rows} (a group without any has
     *                      infinite bounds)
     * @param scores        models x rows: per model the scores of its groups in group order, each group's ascending
     */
    public CostBounds(Target target, int models, int rows, double[] offset, int dimension, float[] centroids,
                      int[] centroidGroup, int[] groupSizes, double[] scores) {
        this.target = Objects.requireNonNull(target, "target");
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(centroids, "centroids");
        Objects.requireNonNull(centroidGroup, "centroidGroup");
        Objects.requireNonNull(groupSizes, "groupSizes");
        Objects.requireNonNull(scores, "scores");
        if (models < 1 || rows < 1) {
            throw new IllegalArgumentException("cost bounds need models and rows >= 1, got " + models + " x " + rows);
        }
        if (offset.length != models || scores.length != (long) models * rows) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "cost bounds for %d models x %d"
                            + " rows need %d offsets and %d scores, got %d and %d", models, rows, models,
                    (long) models * rows, offset.length, scores.length));
        }
        int groups = groupSizes.length;
        if (groups < 1) {
            throw new IllegalArgumentException("cost bounds need at least one prompt group");
        }
        int total = 0;
        for (int g = 0; g < groups; g++) {
            if (groupSizes[g] < 0) {
                throw new IllegalArgumentException("cost bound group sizes must be >= 0, got "
                        + Arrays.toString(groupSizes));
            }
            total += groupSizes[g];
        }
        if (total != rows) {
            throw new IllegalArgumentException("cost bound groups hold " + total + " scores, the bounds have " + rows
                    + " rows");
        }
        int c = centroidGroup.length;
        if (c == 0 ? groups != 1 || centroids.length != 0 : dimension < 1 || centroids.length != (long) c * dimension) {
            throw new IllegalArgumentException("cost bounds with " + groups + " groups need " + (c == 0 ? "centroids"
                    : c + " centroids x dimension " + dimension + " = " + (long) c * dimension + " values, got "
                    + centroids.length));
        }
        boolean[] used = new boolean[groups];
        for (int k = 0; k < c; k++) {
            if (centroidGroup[k] < 0 || centroidGroup[k] >= groups) {
                throw new IllegalArgumentException("centroid " + k + " belongs to group " + centroidGroup[k]
                        + ", expected one of 0.." + (groups - 1));
            }
            used[centroidGroup[k]] = true;
            double norm = 0;
            for (int t = 0; t < dimension; t++) {
                float v = centroids[k * dimension + t];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("centroid " + k + " has a non-finite value " + v);
                }
                norm += (double) v * v;
            }
            if (Math.abs(Math.sqrt(norm) - 1) > 1e-3) {
                throw new IllegalArgumentException("centroid " + k + " has L2 norm " + Math.sqrt(norm)
                        + ", expected 1");
            }
        }
        for (int g = 0; g < groups && c > 0; g++) {
            if (!used[g]) {
                throw new IllegalArgumentException("prompt group " + g + " of the cost bounds has no centroid");
            }
        }
        for (int m = 0; m < models; m++) {
            if (!(offset[m] > 0) || Double.isInfinite(offset[m])) {
                throw new IllegalArgumentException("cost bound offset of model " + m + " must be finite and > 0, got "
                        + offset[m]);
            }
            int start = m * rows;
            for (int g = 0; g < groups; g++) {
                for (int i = start; i < start + groupSizes[g]; i++) {
                    if (!Double.isFinite(scores[i]) || (i > start && scores[i] < scores[i - 1])) {
                        throw new IllegalArgumentException("cost bound scores of model " + m + ", group " + g
                                + " must be finite and ascending, got " + scores[i] + " at " + (i - start));
                    }
                }
                start += groupSizes[g];
            }
        }
        this.models = models;
        this.rows = rows;
        this.offset = offset.clone();
        this.dimension = c == 0 ? 0 : dimension;
        this.centroids = centroids.clone();
        this.centroidGroup = centroidGroup.clone();
        this.groupSizes = groupSizes.clone();
        this.scores = scores.clone();
    }

    /**
     * Fits the bounds on validation data.
     *
     * @param predicted     the router's predictions for the validation prompts (from predictors that never saw
     *                      them), rows x models; negative values count as 0, as the router clips them
     * @param actual        the realised values, rows x models, each finite and {@code >= 0}
     * @param dimension     the centroids' dimension, 0 without centroids
     * @param centroids     the prompt groups' centroids (unit rows), fixed before the validation prompts were seen;
     *                      empty for one group
     * @param centroidGroup per centroid, its group
     * @param groupOfRow    per validation prompt, its group (that of its nearest centroid: {@link #group})
     */
    public static CostBounds fit(Target target, double[] predicted, double[] actual, int rows, int models,
                                 int dimension, float[] centroids, int[] centroidGroup, int[] groupOfRow) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(groupOfRow, "groupOfRow");
        if (rows < 1 || models < 1 || predicted.length != rows * models || actual.length != rows * models
                || groupOfRow.length != rows) {
            throw new IllegalArgumentException("cost bounds are fitted on rows x models = " + rows + " x " + models
                    + " predictions and outcomes and a group per row, got " + predicted.length + ", "
                    + actual.length + " and " + groupOfRow.length + " values");
        }
        int groups = 1;
        for (int g : centroidGroup) {
            groups = Math.max(groups, g + 1);
        }
        int[] sizes = new int[groups];
        for (int i = 0; i < rows; i++) {
            if (groupOfRow[i] < 0 || groupOfRow[i] >= groups) {
                throw new IllegalArgumentException("validation prompt " + i + " is in group " + groupOfRow[i]
                        + ", expected one of 0.." + (groups - 1));
            }
            sizes[groupOfRow[i]]++;
        }
        int[] start = new int[groups];
        for (int g = 1; g < groups; g++) {
            start[g] = start[g - 1] + sizes[g - 1];
        }
        double[] offset = new double[models];
        double[] scores = new double[models * rows];
        for (int m = 0; m < models; m++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                double a = actual[i * models + m];
                double q = predicted[i * models + m];
                if (!(a >= 0) || Double.isInfinite(a) || Double.isNaN(q) || Double.isInfinite(q)) {
                    throw new IllegalArgumentException("cost bounds need finite predictions and outcomes >= 0; row " + i
                            + ", model " + m + " has prediction " + q + " and outcome " + a);
                }
                mean += a / rows;
            }
            double c = mean > 0 ? OFFSET_FRACTION * mean : target == Target.OUTPUT_TOKENS ? 1.0 : 1e-9;
            offset[m] = c;
            int[] at = start.clone();
            for (int i = 0; i < rows; i++) {
                double p = Math.max(0, predicted[i * models + m]);
                scores[m * rows + at[groupOfRow[i]]++] = Math.log((actual[i * models + m] + c) / (p + c));
            }
            for (int g = 0; g < groups; g++) {
                Arrays.sort(scores, m * rows + start[g], m * rows + start[g] + sizes[g]);
            }
        }
        return new CostBounds(target, models, rows, offset, dimension, centroids, centroidGroup, sizes, scores);
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

    /** The number of prompt groups. */
    public int groups() {
        return groupSizes.length;
    }

    /** The centroids' dimension (the encoder's), 0 when there is one group and no centroids. */
    public int dimension() {
        return dimension;
    }

    /**
     * The group of a prompt: that of the centroid most similar to its embedding (ties to the lower centroid); 0 when
     * there are no centroids (then {@code embedding} may be null).
     */
    public int group(float[] embedding) {
        if (centroidGroup.length == 0) {
            return 0;
        }
        Objects.requireNonNull(embedding, "embedding");
        if (embedding.length != dimension) {
            throw new IllegalArgumentException("embedding dimension " + embedding.length + " does not match the cost"
                    + " bounds' centroids, dimension " + dimension);
        }
        return centroidGroup[nearest(centroids, dimension, embedding, 0)];
    }

    /**
     * The centroid (a row of {@code centroids}, {@code dimension} wide) with the largest dot product with row
     * {@code row} of {@code x}, ties to the lower one: how a prompt finds its group, at training and at routing.
     */
    public static int nearest(float[] centroids, int dimension, float[] x, int row) {
        int c = centroids.length / dimension;
        int best = 0;
        double bestSim = Double.NEGATIVE_INFINITY;
        int xo = row * dimension;
        for (int k = 0; k < c; k++) {
            double s = 0;
            int o = k * dimension;
            for (int t = 0; t < dimension; t++) {
                s += centroids[o + t] * x[xo + t];
            }
            if (s > bestSim) {
                bestSim = s;
                best = k;
            }
        }
        return best;
    }

    /**
     * The upper bound of model {@code model}'s realised value (output tokens or USD, see {@link #target()}) for a
     * prompt of group {@code group} that the router predicts {@code prediction} for, at {@code confidence}; infinite
     * when the group has too few validation prompts for that confidence.
     *
     * @param confidence in (0, 1), e.g. 0.9
     */
    public double upper(int model, int group, double prediction, double confidence) {
        checkConfidence(confidence);
        if (model < 0 || model >= models) {
            throw new IllegalArgumentException("model index " + model + " is not in [0, " + models + ")");
        }
        if (group < 0 || group >= groupSizes.length) {
            throw new IllegalArgumentException("prompt group " + group + " is not in [0, " + groupSizes.length + ")");
        }
        if (Double.isNaN(prediction)) {
            throw new IllegalArgumentException("prediction must be a number, got NaN");
        }
        double p = Math.max(0, prediction);
        int start = model * rows;
        for (int g = 0; g < group; g++) {
            start += groupSizes[g];
        }
        int n = groupSizes[group];
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

    /** The centroids, centroids x {@link #dimension()} (a copy; empty for one group). */
    public float[] centroids() {
        return centroids.clone();
    }

    /** Per centroid, its group (a copy). */
    public int[] centroidGroup() {
        return centroidGroup.clone();
    }

    /** Per group, its validation prompts (a copy). */
    public int[] groupSizes() {
        return groupSizes.clone();
    }

    /** The scores, models x rows, each model's groups in order, each ascending (a copy). */
    public double[] scores() {
        return scores.clone();
    }

    /** {@code split-conformal cost_usd bounds (235 validation prompts in 3 prompt groups: 110, 94, 31)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < groupSizes.length; g++) {
            sb.append(g == 0 ? "" : ", ").append(groupSizes[g]);
        }
        return "split-conformal " + target.id() + " bounds (" + rows + " validation prompts in " + groupSizes.length
                + " prompt group" + (groupSizes.length == 1 ? "" : "s: " + sb) + ")";
    }
}

package dev.carrot.train;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import dev.carrot.train.knn.KnnTuner;

/**
 * How to train CARROT routers. Validated on construction; {@link #defaults()} are the paper's settings where the
 * paper has one.
 *
 * @param variants      router variants to train, in this order (ids unique)
 * @param seed          seed of everything random (fold shuffling, network initialisation and minibatches); the same data, config and seed give the same
 *                      artifact, byte for byte
 * @param folds         cross-validation folds for KNN's k (contiguous, like scikit-learn's KFold)
 * @param kGrid         candidate k for KNN, ascending (paper: 2, 4, ..., 512)
 * @param l2Grid        candidate L2 penalties of the logistic and ridge models (on the mean loss), each model's chosen
 *                      by its out-of-fold loss on the training prompts
 * @param blendSteps    the blend weight is searched on {0, 1/steps, ..., 1}
 * @param costScaleUsd  the cost unit of mu's trade-off: {@code (1 - mu) q - mu c / scale}; NaN means automatic (the
 *                      dearest model's mean training cost, so mu = 0.5 weighs one quality point against that cost)
 * @param threads       worker threads for cross-validation
 * @param shuffleFolds  assign cross-validation folds after a seeded shuffle of the rows (the default); false keeps
 *                      the dataset's order, as scikit-learn's unshuffled {@code KFold} does, which puts whole tasks in
 *                      one fold when the data is sorted by task
 * @param fixedModels   put single models beside each router as candidates of its policy (a
 *                      {@link dev.carrot.route.model.FixedModelPolicy}: at each mu, always calling the best fixed
 *                      model when that beats routing on held-out prompts); false trains routers that use the rule alone
 */
public record TrainerConfig(List<Variant> variants, long seed, int folds, int[] kGrid, double[] l2Grid, int blendSteps,
                            double costScaleUsd, int threads, boolean shuffleFolds, boolean fixedModels) {

    public TrainerConfig {
        Objects.requireNonNull(variants, "variants");
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("at least one variant (knn, logistic, blend) is needed");
        }
        variants = List.copyOf(variants);
        Set<String> ids = new java.util.HashSet<>();
        for (Variant v : variants) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("variant '" + v.id() + "' is configured twice");
            }
        }
        if (folds < 2) {
            throw new IllegalArgumentException("folds must be >= 2, got " + folds);
        }
        kGrid = kGrid.clone();
        if (kGrid.length == 0 || Arrays.stream(kGrid).anyMatch(k -> k < 1)) {
            throw new IllegalArgumentException("kGrid must be non-empty with k >= 1, got " + Arrays.toString(kGrid));
        }
        for (int i = 1; i < kGrid.length; i++) {
            if (kGrid[i] <= kGrid[i - 1]) {
                throw new IllegalArgumentException("kGrid must be ascending, got " + Arrays.toString(kGrid));
            }
        }
        l2Grid = l2Grid.clone();
        if (l2Grid.length == 0 || Arrays.stream(l2Grid).anyMatch(v -> !(v >= 0) || Double.isInfinite(v))) {
            throw new IllegalArgumentException("l2Grid must be non-empty with finite values >= 0, got "
                    + Arrays.toString(l2Grid));
        }
        if (blendSteps < 1) {
            throw new IllegalArgumentException("blendSteps must be >= 1, got " + blendSteps);
        }
        if (!Double.isNaN(costScaleUsd) && !(costScaleUsd > 0 && Double.isFinite(costScaleUsd))) {
            throw new IllegalArgumentException("costScaleUsd must be > 0 or NaN (automatic), got " + costScaleUsd);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /**
     * All built-in variants, seed 42, 5 folds, k in 2..512, L2 in {1e-4, 3e-4, ..., 1e-1} (half decades), blend
     * weights in steps of 0.05, automatic cost scale, fixed models as candidates of each router's policy.
     */
    public static TrainerConfig defaults() {
        return new TrainerConfig(Variant.builtIn(), 42, 5, dev.carrot.train.knn.KnnTuner.paperGrid(),
                new double[]{1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}, 20, Double.NaN,
                Runtime.getRuntime().availableProcessors(), true, true);
    }

    @Override
    public int[] kGrid() {
        return kGrid.clone();
    }

    @Override
    public double[] l2Grid() {
        return l2Grid.clone();
    }

    /** The same configuration training these variants, in this order. */
    public TrainerConfig withVariants(List<Variant> v) {
        return new TrainerConfig(v, seed, folds, kGrid, l2Grid, blendSteps, costScaleUsd, threads, shuffleFolds,
                fixedModels);
    }

    public TrainerConfig withSeed(long s) {
        return new TrainerConfig(variants, s, folds, kGrid, l2Grid, blendSteps, costScaleUsd, threads, shuffleFolds,
                fixedModels);
    }

    public TrainerConfig withCostScaleUsd(double scale) {
        return new TrainerConfig(variants, seed, folds, kGrid, l2Grid, blendSteps, scale, threads, shuffleFolds,
                fixedModels);
    }

    public TrainerConfig withL2Grid(double... grid) {
        return new TrainerConfig(variants, seed, folds, kGrid, grid, blendSteps, costScaleUsd, threads, shuffleFolds,
                fixedModels);
    }

    public TrainerConfig withThreads(int t) {
        return new TrainerConfig(variants, seed, folds, kGrid, l2Grid, blendSteps, costScaleUsd, t, shuffleFolds,
                fixedModels);
    }

    /** The same configuration with cross-validation folds in the dataset's order (true) or shuffled (false). */
    public TrainerConfig withDatasetOrderFolds(boolean datasetOrder) {
        return new TrainerConfig(variants, seed, folds, kGrid, l2Grid, blendSteps, costScaleUsd, threads, !datasetOrder,
                fixedModels);
    }

    /** The same configuration with (true) or without (false) fixed models as candidates of each router's policy. */
    public TrainerConfig withFixedModels(boolean on) {
        return new TrainerConfig(variants, seed, folds, kGrid, l2Grid, blendSteps, costScaleUsd, threads, shuffleFolds,
                on);
    }

    /** A JSON-friendly description for provenance (threads left out: they do not change results). */
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("variants", variants.stream().map(Variant::id).sorted().toList());
        m.put("seed", seed);
        m.put("folds", folds);
        m.put("k_grid", Arrays.stream(kGrid).boxed().toList());
        m.put("l2_grid", Arrays.stream(l2Grid).boxed().toList());
        m.put("blend_steps", blendSteps);
        m.put("cost_scale_usd", Double.isNaN(costScaleUsd) ? "auto" : costScaleUsd);
        m.put("cv_folds", shuffleFolds ? "shuffled" : "dataset order");
        m.put("fixed_models", fixedModels);
        return m;
    }
}

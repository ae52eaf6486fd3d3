package dev.carrot.train;

import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.Predictors;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a {@link PredictorTrainer} fits one target on: the prompt embeddings, the target matrix, the train,
 * validation and train + validation rows, the trainer configuration, and the stored-prompt indexes that KNN
 * predictors read. Test prompts are not here: a trainer never sees them.
 *
 * <p>One task per target; the tasks of one training run share their indexes, {@link #shared} values and
 * {@link #fitOf} results. Arrays handed out are the task's own: read them, do not modify them.
 */
public final class FitTask {

    /** What a predictor predicts. */
    public enum Target {
        /** Quality in [0, 1] (score of the model's answer). */
        QUALITY("quality"),
        /** Output tokens of the model's answer (priced with the router's prices). */
        OUTPUT_TOKENS("cost"),
        /** Cost in USD of the query (when the data has costs but no token counts). */
        COST_USD("cost");

        private final String prefix;

        Target(String prefix) {
            this.prefix = prefix;
        }

        /** The prefix of this target's hyperparameter keys: {@code quality} or {@code cost}. */
        public String prefix() {
            return prefix;
        }
    }

    /** The data and caches shared by the tasks of one training run. */
    static final class Run {
        final TrainerConfig config;
        final List<String> models;
        final float[] x;
        final int dim;
        final int[] tokens;
        final int[] train;
        final int[] validation;
        final int[] all;
        private KnnIndex trainIndex;
        private KnnIndex allIndex;
        private final Map<String, Object> shared = new HashMap<>();
        private final Map<Target, Map<PredictorTrainer, PredictorTrainer.Fit>> fits = new HashMap<>();
        private final Map<Predictor, double[]> validationPredictions = new IdentityHashMap<>();

        Run(TrainerConfig config, List<String> models, float[] x, int dim, int[] tokens, int[] train,
            int[] validation, int[] all) {
            this.config = config;
            this.models = List.copyOf(models);
            this.x = x;
            this.dim = dim;
            this.tokens = tokens;
            this.train = train;
            this.validation = validation;
            this.all = all;
        }

        synchronized KnnIndex trainIndex() {
            if (trainIndex == null) {
                trainIndex = KnnIndex.of(Matrices.rows(x, dim, train), dim);
            }
            return trainIndex;
        }

        synchronized KnnIndex allIndex() {
            if (allIndex == null) {
                allIndex = KnnIndex.of(Matrices.rows(x, dim, all), dim);
            }
            return allIndex;
        }

        /** Whether the stored prompts of the final fit were needed (some final predictor reads neighbours). */
        synchronized boolean builtAllIndex() {
            return allIndex != null;
        }
    }

    private final Run run;
    private final Target target;
    private final double[] targets;

    FitTask(Run run, Target target, double[] targets) {
        this.run = Objects.requireNonNull(run, "run");
        this.target = Objects.requireNonNull(target, "target");
        this.targets = Objects.requireNonNull(targets, "targets");
        if (targets.length != run.x.length / run.dim * run.models.size()) {
            throw new IllegalArgumentException("targets have " + targets.length + " values, expected rows x models = "
                    + run.x.length / run.dim + " x " + run.models.size());
        }
    }

    public Target target() {
        return target;
    }

    public TrainerConfig config() {
        return run.config;
    }

    /** The router's models, the outputs of every predictor. */
    public List<String> models() {
        return run.models;
    }

    public int outputs() {
        return run.models.size();
    }

    public int dimension() {
        return run.dim;
    }

    /** Every prompt's unit embedding, rows x dimension (the task's own array: do not modify). */
    public float[] embeddings() {
        return run.x;
    }

    /** Every prompt's word pieces under the encoder, or null when they were not counted. */
    public int[] encoderTokens() {
        return run.tokens;
    }

    /** The target of every prompt and model, rows x models (the task's own array: do not modify). */
    public double[] targets() {
        return targets;
    }

    /** Rows to fit the validation-phase predictor on. */
    public int[] trainRows() {
        return run.train.clone();
    }

    /** Rows to choose hyperparameters on (may be empty). */
    public int[] validationRows() {
        return run.validation.clone();
    }

    /** Training and validation rows: what the final predictor is fitted on. */
    public int[] allRows() {
        return run.all.clone();
    }

    /** The stored prompts of validation-phase predictors: the training rows, in {@link #trainRows()} order. */
    public KnnIndex trainIndex() {
        return run.trainIndex();
    }

    /** The stored prompts of final predictors: the training and validation rows, in {@link #allRows()} order. */
    public KnnIndex allIndex() {
        return run.allIndex();
    }

    /** The targets of some rows, as float32 (the stored targets of KNN predictors). */
    public float[] targetsOf(int[] rows) {
        return Matrices.toFloat(Matrices.rows(targets, outputs(), rows));
    }

    /** The targets of the validation rows, validation rows x models. */
    public double[] validationTargets() {
        return Matrices.rows(targets, outputs(), run.validation);
    }

    /**
     * The raw predictions (before clipping) of a validation-phase predictor for the validation rows, computed by the
     * predictor's own code exactly as a router would, its neighbours found among {@link #trainIndex()}.
     *
     * @return validation rows x models
     */
    public double[] predictValidation(Predictor validationPhase) {
        Objects.requireNonNull(validationPhase, "validationPhase");
        synchronized (run) {
            double[] p = run.validationPredictions.get(validationPhase);
            if (p == null) {
                KnnIndex stored = validationPhase.neighbours() > 0 ? trainIndex() : null;
                p = Predictors.predict(validationPhase, stored, run.x, run.dim, run.validation, run.tokens);
                run.validationPredictions.put(validationPhase, p);
            }
            return p.clone();
        }
    }

    /**
     * A value computed once per training run and shared by every task (for example neighbour lists both targets
     * are tuned from).
     */
    @SuppressWarnings("unchecked")
    public <T> T shared(String key, Supplier<T> compute) {
        synchronized (run) {
            Object v = run.shared.get(key);
            if (v == null) {
                v = Objects.requireNonNull(compute.get(), "shared value " + key);
                run.shared.put(key, v);
            }
            return (T) v;
        }
    }

    /**
     * What {@code trainer} fits on this task's target, fitted once per training run (a blend reuses the fits of its
     * parts, which their own variants made).
     */
    public PredictorTrainer.Fit fitOf(PredictorTrainer trainer) {
        Objects.requireNonNull(trainer, "trainer");
        synchronized (run) {
            Map<PredictorTrainer, PredictorTrainer.Fit> byTrainer = run.fits.computeIfAbsent(target,
                    t -> new IdentityHashMap<>());
            PredictorTrainer.Fit f = byTrainer.get(trainer);
            if (f == null) {
                f = Objects.requireNonNull(trainer.fit(this), () -> trainer.name() + " returned no fit");
                if (f.predictor().outputs() != outputs() || f.validationPhase().outputs() != outputs()) {
                    throw new IllegalStateException(trainer.name() + " fitted a predictor with "
                            + f.predictor().outputs() + " outputs for " + outputs() + " models");
                }
                byTrainer.put(trainer, f);
            }
            return f;
        }
    }
}

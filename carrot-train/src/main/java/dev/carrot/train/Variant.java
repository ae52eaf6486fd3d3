package dev.carrot.train;

import dev.carrot.train.knn.KnnTrainer;
import dev.carrot.train.linear.LinearTrainer;
import dev.carrot.train.linear.LogisticTrainer;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A router variant: how its quality and its cost (output tokens or USD) are predicted. Its id names the exported
 * artifact ({@code routers/ID}) and is recorded in its provenance.
 *
 * @param id      lower-case letters, digits and dashes
 * @param quality fits the quality predictor (targets in [0, 1])
 * @param cost    fits the output-token or cost predictor (unused when the data has no costs)
 */
public record Variant(String id, PredictorTrainer quality, PredictorTrainer cost) {

    /** The paper's router: KNN quality, KNN tokens/cost. */
    public static final Variant KNN = new Variant("knn", new KnnTrainer(), new KnnTrainer());
    /** Logistic quality (L-BFGS, soft labels), ridge tokens/cost; each model's L2 penalty chosen out of fold. */
    public static final Variant LOGISTIC = new Variant("logistic", new LogisticTrainer(), new LinearTrainer());
    /** Convex blends of the two, weights chosen on validation. */
    public static final Variant BLEND = new Variant("blend", new BlendTrainer(KNN.quality(), LOGISTIC.quality()),
            new BlendTrainer(KNN.cost(), LOGISTIC.cost()));
    /** Per-model convex combinations of the two, weights fitted on out-of-fold predictions of the training prompts. */
    public static final Variant STACK = new Variant("stack", new StackTrainer(List.of(KNN.quality(),
            LOGISTIC.quality())), new StackTrainer(List.of(KNN.cost(), LOGISTIC.cost())));

    public Variant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(cost, "cost");
        if (!id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("variant id must be lower-case letters, digits and dashes, got '" + id
                    + "'");
        }
    }

    /** The built-in variants, in the order they are trained and reported. */
    public static List<Variant> builtIn() {
        return List.of(KNN, LOGISTIC, BLEND, STACK);
    }

    /** The built-in variant of that id. */
    public static Variant parse(String s) {
        String id = s.strip().toLowerCase(Locale.ROOT);
        for (Variant v : builtIn()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown predictor '" + s + "', expected one of "
                + String.join(", ", builtIn().stream().map(Variant::id).toList()));
    }
}

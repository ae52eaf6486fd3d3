package dev.carrot.train.toy;

import dev.carrot.route.model.Predictor;
import dev.carrot.route.model.PredictorKind;
import dev.carrot.route.model.PredictorReader;
import dev.carrot.route.model.PredictorWriter;
import dev.carrot.route.model.PromptView;

import java.io.IOException;

/**
 * A toy predictor kind: each model's mean target, whatever the prompt. With {@link MeanTrainer} and one line in
 * {@code META-INF/services/dev.carrot.route.model.PredictorKind}, it is all a new kind needs.
 */
public final class MeanPredictor implements Predictor {
    private final float[] means;

    public MeanPredictor(float[] means) {
        this.means = means.clone();
    }

    @Override
    public String kind() {
        return "toy-mean";
    }

    @Override
    public int outputs() {
        return means.length;
    }

    @Override
    public String describe() {
        return "mean";
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        for (int m = 0; m < means.length; m++) {
            out[m] = means[m];
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.putFloats("means", means, means.length);
    }

    /** Reads {@code "toy-mean"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return "toy-mean";
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            return new MeanPredictor(in.getFloats("means", in.outputs()));
        }
    }
}

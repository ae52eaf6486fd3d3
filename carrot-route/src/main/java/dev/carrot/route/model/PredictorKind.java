package dev.carrot.route.model;

import java.io.IOException;

/**
 * Reads one kind of {@link Predictor} from a router artifact. The built-in kinds are listed in {@link PredictorKinds};
 * other kinds register an implementation (with a public no-argument constructor) as a {@link java.util.ServiceLoader}
 * service: a line with the class name in {@code META-INF/services/dev.carrot.route.model.PredictorKind}.
 */
public interface PredictorKind {

    /** The name in the manifest's {@code "kind"} field; equals {@link Predictor#kind()} of what {@link #read} makes. */
    String name();

    /** Reads a predictor of this kind from its manifest entry and arrays. */
    Predictor read(PredictorReader in) throws IOException;
}

package dev.carrot.route.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The predictor kinds a router artifact may use: the built-in ones ({@link KnnPredictor}, {@link LinearPredictor},
 * {@link BlendPredictor}), registered here, and every {@link PredictorKind} registered as a
 * {@link ServiceLoader} service on carrot-route's class path. Found once, on first use; immutable afterwards.
 */
public final class PredictorKinds {
    private PredictorKinds() {
    }

    /** The built-in kinds: the one place they are registered. */
    private static List<PredictorKind> builtIn() {
        return List.of(new KnnPredictor.Kind(), new LinearPredictor.Kind(), new BlendPredictor.Kind(),
                new StackPredictor.Kind(), new OnnxTextPredictor.Kind());
    }

    private static final class Holder {
        static final Map<String, PredictorKind> KINDS = load();

        private static Map<String, PredictorKind> load() {
            Map<String, PredictorKind> kinds = new LinkedHashMap<>();
            for (PredictorKind k : builtIn()) {
                kinds.put(k.name(), k);
            }
            try {
                for (PredictorKind k : ServiceLoader.load(PredictorKind.class, PredictorKinds.class.getClassLoader())) {
                    PredictorKind earlier = kinds.putIfAbsent(k.name(), k);
                    if (earlier != null && earlier.getClass() != k.getClass()) {
                        throw new IllegalStateException("two predictor kinds are named '" + k.name() + "': "
                                + earlier.getClass().getName() + " and " + k.getClass().getName());
                    }
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a registered predictor kind cannot be loaded: " + e.getMessage(), e);
            }
            return Map.copyOf(kinds);
        }
    }

    /** The kind of that name, or an exception listing the known ones. */
    public static PredictorKind require(String name) {
        PredictorKind k = Holder.KINDS.get(name);
        if (k == null) {
            throw new IllegalArgumentException("unknown predictor kind '" + name + "', expected one of "
                    + names());
        }
        return k;
    }

    /** The names of every known kind, sorted. */
    public static List<String> names() {
        return Holder.KINDS.keySet().stream().sorted().toList();
    }
}

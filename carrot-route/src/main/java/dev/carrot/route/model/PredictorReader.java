package dev.carrot.route.model;

import java.io.IOException;

/**
 * A predictor's manifest entry and arrays, as a {@link PredictorKind} reads them, together with the shape of the
 * router it belongs to. Every getter fails with an {@link IOException} that names the manifest and the field when the
 * field is missing, of the wrong type, or (for arrays) of another shape, truncated or corrupt.
 */
public interface PredictorReader {

    /** The router's number of models: the outputs every predictor of it has. */
    int outputs();

    /** The dimension of the router's prompt embeddings. */
    int dimension();

    /** Number of stored prompts the router keeps for nearest-neighbour predictors (0 when it keeps none). */
    int storedPrompts();

    int getInt(String field) throws IOException;

    double getDouble(String field) throws IOException;

    String getString(String field) throws IOException;

    /** A float32 array written by {@link PredictorWriter#putFloats}, checked against the expected shape. */
    float[] getFloats(String field, long... shape) throws IOException;

    /** Bytes written by {@link PredictorWriter#putBytes}, checked against their recorded length and checksum. */
    byte[] getBytes(String field) throws IOException;

    /** A nested predictor written by {@link PredictorWriter#putPredictor}. */
    Predictor getPredictor(String field) throws IOException;

    /** An exception for an invalid value, naming the manifest and this entry, to throw. */
    IOException invalid(String message);
}

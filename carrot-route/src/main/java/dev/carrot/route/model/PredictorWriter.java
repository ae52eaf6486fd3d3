package dev.carrot.route.model;

import java.io.IOException;

/**
 * Where a {@link Predictor} writes itself in a router artifact: scalar fields go into its manifest entry (after its
 * {@code "kind"}, in the order written), arrays into little-endian files whose dtype, shape and checksum the manifest
 * records, nested predictors into entries of their own.
 */
public interface PredictorWriter {

    void put(String field, int value);

    void put(String field, double value);

    void put(String field, String value);

    /**
     * Writes a float32 array of the given shape (row-major) to a file of its own; the field holds the array's name.
     *
     * @throws IllegalArgumentException if the shape does not match the length
     */
    void putFloats(String field, float[] values, long... shape) throws IOException;

    /**
     * Writes opaque bytes (an ONNX model, a tokenizer.json) to a file of their own, checksummed like the arrays; the
     * field holds their name.
     */
    void putBytes(String field, byte[] data) throws IOException;

    /** Writes a nested predictor under {@code field}. */
    void putPredictor(String field, Predictor predictor) throws IOException;
}

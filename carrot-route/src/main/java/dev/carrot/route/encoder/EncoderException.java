package dev.carrot.route.encoder;

/** A model could not be loaded or run (ONNX Runtime or tokenizer failure, or output of an unexpected shape). */
public class EncoderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, with actual and expected values */
    public EncoderException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with actual and expected values
     * @param cause   the underlying failure
     */
    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}

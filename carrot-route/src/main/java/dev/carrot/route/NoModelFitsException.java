package dev.carrot.route;

import java.util.List;

/** No candidate model is predicted to fit under the call's cost cap, and the call asked to fail in that case. */
public class NoModelFitsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Receipt> receipts;

    public NoModelFitsException(String message, List<Receipt> receipts) {
        super(message);
        this.receipts = List.copyOf(receipts);
    }

    /** What each model was predicted to cost. */
    public List<Receipt> receipts() {
        return receipts;
    }
}

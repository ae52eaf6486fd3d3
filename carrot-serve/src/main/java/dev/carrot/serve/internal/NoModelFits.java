package dev.carrot.serve.internal;

/** No candidate is predicted to cost at most the request's {@code max_cost_usd}. */
public final class NoModelFits extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoModelFits(String message) {
        super(message, null, false, false);
    }
}

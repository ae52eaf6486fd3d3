package dev.carrot.cli;

import dev.carrot.data.hf.HfHubException;

/** Error messages for the command line: the message, with the cause where it adds something. */
final class Errors {
    private Errors() {
    }

    static String describe(Throwable ex) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        Throwable cause = ex.getCause();
        if (cause != null && cause.getMessage() != null && !msg.contains(cause.getMessage())
                && !(ex instanceof HfHubException)) {
            msg += " (" + cause.getMessage() + ")";
        }
        return msg;
    }
}

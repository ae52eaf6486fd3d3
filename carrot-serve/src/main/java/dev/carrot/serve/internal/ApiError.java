package dev.carrot.serve.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answered in OpenAI's form: {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 * Messages never carry secrets: they are written here, not copied from upstream answers.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public ApiError(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400, {@code invalid_request_error}. */
    public static ApiError badRequest(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", code, param, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public ObjectNode toJson() {
        return json(getMessage(), type, code, param);
    }

    static ObjectNode json(String message, String type, String code, String param) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return root;
    }
}

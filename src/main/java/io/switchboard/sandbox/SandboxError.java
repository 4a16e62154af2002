package io.switchboard.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

/** An answer a simulated system gives instead of success: a status, a JSON body and headers. */
class SandboxError extends RuntimeException {

    private final HttpStatus status;
    private final Map<String, Object> body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    SandboxError(HttpStatus status, String error, String message) {
        super(error + ": " + message, null, false, false);
        this.status = status;
        this.body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
    }

    SandboxError with(String field, Object value) {
        body.put(field, value);
        return this;
    }

    SandboxError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    HttpStatus status() {
        return status;
    }

    Map<String, Object> body() {
        return body;
    }

    Map<String, String> headers() {
        return headers;
    }

    static SandboxError badRequest(String error, String message) {
        return new SandboxError(HttpStatus.BAD_REQUEST, error, message);
    }

    static SandboxError unauthorized(String error, String message) {
        return new SandboxError(HttpStatus.UNAUTHORIZED, error, message);
    }

    static SandboxError notFound(String what) {
        return new SandboxError(HttpStatus.NOT_FOUND, "not_found", what + " does not exist");
    }
}

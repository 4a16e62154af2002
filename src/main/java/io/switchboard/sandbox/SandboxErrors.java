package io.switchboard.sandbox;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Answers the sandbox's errors as JSON, like the APIs it imitates; nothing reaches the error page. */
@SandboxEnabled
@RestControllerAdvice(basePackageClasses = SandboxErrors.class)
class SandboxErrors {

    private static final Logger log = LoggerFactory.getLogger(SandboxErrors.class);

    @ExceptionHandler(SandboxError.class)
    ResponseEntity<Map<String, Object>> refused(SandboxError error) {
        var response = ResponseEntity.status(error.status());
        error.headers().forEach(response::header);
        return response.body(error.body());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> failed(Exception failure) {
        if (failure instanceof ErrorResponse spring) {
            HttpStatusCode status = spring.getStatusCode();
            return ResponseEntity.status(status).body(Map.of("error", "bad_request", "message",
                    spring.getBody().getDetail() == null ? status.toString() : spring.getBody().getDetail()));
        }
        if (failure instanceof HttpMessageNotReadableException) {
            return ResponseEntity.badRequest().body(Map.of("error", "invalid_json", "message",
                    "The body is not the JSON this endpoint expects"));
        }
        log.warn("sandbox failed: {}", failure.toString());
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(Map.of("error", "server_error", "message", "The sandbox failed; see the server log"));
    }
}

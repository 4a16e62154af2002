package io.switchboard.ingress;

import java.io.IOException;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/{integration}}: 202 with the new event's id once it is committed,
 * 200 with the first event's id for a repeated delivery, and a problem document saying
 * what to fix otherwise. Never 2xx for an event that is not stored.
 */
@RestController
class WebhookController {

    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final WebhookIngress ingress;

    WebhookController(WebhookIngress ingress) {
        this.ingress = ingress;
    }

    @PostMapping("/webhooks/{integration}")
    ResponseEntity<Map<String, Object>> receive(@PathVariable String integration, HttpServletRequest request)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, request.getHeader(name));
        }
        WebhookIngress.Receipt receipt = ingress.receive(integration, request.getContentType(),
                request.getContentLengthLong(), headers, request.getInputStream());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", receipt.eventId());
        if (receipt.duplicate()) {
            body.put("duplicate", true);
            return ResponseEntity.ok(body);
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

    @ExceptionHandler(WebhookRejection.class)
    ResponseEntity<ProblemDetail> rejected(WebhookRejection rejection, HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(rejection.status(), rejection.getMessage());
        problem.setTitle(rejection.title());
        problem.setInstance(URI.create(request.getRequestURI()));
        var response = ResponseEntity.status(rejection.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (rejection.retryAfter() != null) {
            response.header("Retry-After", Long.toString(rejection.retryAfter().toSeconds()));
        }
        return response.body(problem);
    }

    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    ResponseEntity<ProblemDetail> storageUnavailable(RuntimeException failure, HttpServletRequest request) {
        // The sender must retry: without a commit we hold nothing, so no 2xx.
        log.error("webhook for {} not stored, answered 503: {}", request.getRequestURI(), failure.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The event could not be stored right now and was not accepted; retry later.");
        problem.setTitle("Storage unavailable");
        problem.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header("Retry-After", "30")
                .body(problem);
    }
}

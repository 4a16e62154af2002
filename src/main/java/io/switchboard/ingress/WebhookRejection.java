package io.switchboard.ingress;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * Why a webhook was refused, as the sender will read it: the status and a detail that
 * says what to fix. Never carries a secret or a stack trace.
 */
public class WebhookRejection extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final Duration retryAfter;

    public WebhookRejection(HttpStatus status, String title, String detail) {
        this(status, title, detail, null);
    }

    public WebhookRejection(HttpStatus status, String title, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public static WebhookRejection unauthorized(String detail) {
        return new WebhookRejection(HttpStatus.UNAUTHORIZED, "Webhook not authenticated", detail);
    }

    public static WebhookRejection badRequest(String title, String detail) {
        return new WebhookRejection(HttpStatus.BAD_REQUEST, title, detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

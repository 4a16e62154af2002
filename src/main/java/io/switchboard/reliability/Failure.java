package io.switchboard.reliability;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.mail.MailSendException;

/**
 * A failure, classified: its category, whether another attempt may help, and how long the
 * failing system asked us to wait ({@code Retry-After}), if it said.
 */
public record Failure(ErrorCategory category, String message, Duration retryAfter) {

    /** Exchange property: the name of the connection whose call failed the exchange, if one did. */
    public static final String FAILED_CONNECTION = "SwitchboardFailedConnection";

    private static final int MAX_DEPTH = 64;

    /**
     * Classifies a failure. First what a system or the route said precisely, wherever it lies in
     * the chain (an HTTP status, a mail server's reply, a SQLSTATE, a broker's refusal, a payload
     * that does not parse: drivers wrap these in {@code IOException}s, which alone would pass for
     * an outage); then the generic signs of an outage (a lost connection, a timeout); else a bug.
     */
    public static Failure of(Throwable thrown) {
        int depth = 0;
        for (Throwable cause = thrown; cause != null; cause = next(cause, ++depth)) {
            if (cause instanceof HttpOperationFailedException http) {
                return fromStatus(http.getStatusCode(), describe(http), retryAfter(http.getResponseHeaders()));
            }
            if (cause instanceof CredentialsRejectedException) {
                return new Failure(ErrorCategory.CREDENTIALS, describe(cause), null);
            }
            if (isIdempotencyRace(cause)) {
                return new Failure(ErrorCategory.TRANSIENT, describe(cause), null);
            }
            ErrorCategory said = said(cause);
            if (said != null) {
                return new Failure(said, describe(cause), null);
            }
        }
        depth = 0;
        for (Throwable cause = thrown; cause != null; cause = next(cause, ++depth)) {
            if (isStorageHiccup(cause) || cause instanceof IOException || cause instanceof TimeoutException
                    || cause instanceof HttpTimeoutException) {
                return new Failure(ErrorCategory.TRANSIENT, describe(cause), null);
            }
        }
        return new Failure(ErrorCategory.BUG, describe(rootOf(thrown)), null);
    }

    /** What one exception says in a kind's own terms, or null. */
    private static ErrorCategory said(Throwable cause) {
        // A route's own validate step or a payload that does not parse: another attempt cannot help.
        ErrorCategory category = UnreadablePayloads.of(cause);
        if (category == null) {
            category = MailReplies.of(cause);
        }
        if (category == null) {
            category = SqlStates.of(cause);
        }
        if (category == null) {
            category = BrokerFailures.of(cause);
        }
        return category;
    }

    /**
     * The next exception in the chain. Spring's {@link MailSendException} keeps the mail
     * server's answer in its failed messages, not as its cause.
     */
    private static Throwable next(Throwable cause, int depth) {
        if (depth > MAX_DEPTH) {
            return null; // a chain that loops back on itself
        }
        Throwable next = cause.getCause();
        if (next == null && cause instanceof MailSendException send && send.getMessageExceptions().length > 0) {
            next = send.getMessageExceptions()[0];
        }
        return next == cause ? null : next;
    }

    /**
     * The database was briefly away: the next attempt may pass.
     */
    private static boolean isStorageHiccup(Throwable cause) {
        return cause instanceof TransientDataAccessException
                || cause instanceof RecoverableDataAccessException
                || cause instanceof DataAccessResourceFailureException
                || cause instanceof SQLTransientException
                || cause instanceof SQLRecoverableException;
    }

    /**
     * Two workers raced to record the same idempotency key: the next attempt will either succeed
     * or see the key and skip as a duplicate (not the data's fault, whatever its SQLSTATE says).
     */
    private static boolean isIdempotencyRace(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        return (cause instanceof SQLIntegrityConstraintViolationException
                || cause instanceof DataIntegrityViolationException
                || cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23"))
                && message.contains("camel_messageprocessed");
    }

    /** Classifies an HTTP answer: 408, 429 and 5xx may pass later; other 4xx will not. */
    public static Failure fromStatus(int status, String message, Duration retryAfter) {
        ErrorCategory category;
        if (status == 429) {
            category = ErrorCategory.RATE_LIMITED;
        } else if (status == 401) {
            category = ErrorCategory.CREDENTIALS;
        } else if (status == 403) {
            category = ErrorCategory.PERMISSION;
        } else if (status == 408 || status >= 500) {
            category = ErrorCategory.TRANSIENT;
        } else {
            category = ErrorCategory.INVALID_DATA;
        }
        return new Failure(category, message, retryAfter);
    }

    public boolean retryable() {
        return category.retryable();
    }

    /**
     * The connection the failed step waits for, when it failed only because that connection
     * needs a person to connect it: the event then waits instead of failing. {@code null} otherwise.
     */
    public static AwaitingConnectionException awaitedConnection(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof AwaitingConnectionException awaiting) {
                return awaiting;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** Reads {@code Retry-After} as seconds or as an HTTP date. */
    public static Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream()
                .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase("Retry-After"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
    }

    private static String describe(HttpOperationFailedException http) {
        String scope = http.getStatusCode() == 403 ? missingScope(http) : null;
        return "HTTP " + http.getStatusCode() + " from " + stripQuery(http.getUri())
                + (scope == null ? "" : " (missing scope " + scope + ")");
    }

    private static final Pattern HEADER_SCOPE = Pattern.compile("scope=\"([^\"]+)\"");
    private static final Pattern BODY_SCOPE = Pattern.compile("\"scope\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * The scope a 403 names, as OAuth2 resource servers say it (RFC 6750: {@code WWW-Authenticate:
     * Bearer error="insufficient_scope", scope="tasks:write"}), or in an
     * {@code {"error":"insufficient_scope","scope":...}} body.
     */
    public static String missingScope(HttpOperationFailedException http) {
        if (http.getResponseHeaders() != null) {
            for (Map.Entry<String, String> header : http.getResponseHeaders().entrySet()) {
                if ("WWW-Authenticate".equalsIgnoreCase(header.getKey()) && header.getValue() != null
                        && header.getValue().contains("insufficient_scope")) {
                    Matcher scope = HEADER_SCOPE.matcher(header.getValue());
                    if (scope.find()) {
                        return scope.group(1);
                    }
                }
            }
        }
        String body = http.getResponseBody();
        if (body != null && body.length() < 10_000 && body.contains("insufficient_scope")) {
            Matcher scope = BODY_SCOPE.matcher(body);
            if (scope.find()) {
                return scope.group(1);
            }
        }
        return null;
    }

    private static String stripQuery(String uri) {
        // Query strings may carry API keys; the journal must never hold a secret.
        int query = uri == null ? -1 : uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (message != null && cause instanceof SQLException) {
            // PostgreSQL adds "Detail: Failing row contains (...)": the row's values, personal data
            // that the journal and the dead letter must not keep. The first line names the constraint.
            int detail = message.indexOf('\n');
            message = detail < 0 ? message : message.substring(0, detail).strip();
        }
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Throwable rootOf(Throwable thrown) {
        Throwable root = thrown;
        int depth = 0;
        for (Throwable next = next(root, ++depth); next != null; next = next(root, ++depth)) {
            root = next;
        }
        return root;
    }
}

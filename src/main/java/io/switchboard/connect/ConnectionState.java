package io.switchboard.connect;

import java.time.Instant;
import java.util.Locale;

/**
 * How a connection is doing, as the console and {@code /api/integrations} show it.
 *
 * @param connection the connection's name
 * @param status     its state
 * @param since      when the status last changed
 * @param detail     what the last call that set this status said (never a secret)
 */
public record ConnectionState(String connection, Status status, Instant since, String detail) {

    /** The states a person acts on, worst first. */
    public enum Status {
        CREDENTIALS_REJECTED,
        /** An authorization-code connection a person must connect (again) before calls can go. */
        NEEDS_CONNECTING,
        /** The platform's probe cannot reach the system (refused, reset, timed out, folder missing). */
        UNREACHABLE,
        /** Its recent calls fail for want of the system: 5xx answers, timeouts, refused connections. */
        FAILING,
        PERMISSION_DENIED, RATE_LIMITED, OK;

        /** As the API shows it, e.g. {@code credentials-rejected}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}

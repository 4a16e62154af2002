package io.switchboard.reliability;

import java.util.Locale;

/** Why an event failed, in the words an operator acts on. */
public enum ErrorCategory {
    /** Outage, timeout, 5xx: likely to pass on a later attempt. */
    TRANSIENT(true),
    /** 429: the target asked us to slow down. */
    RATE_LIMITED(true),
    /** 401 or a refused token: a person must renew a secret. */
    CREDENTIALS(false),
    /** 403: the credentials lack a scope or right. */
    PERMISSION(false),
    /** The data itself is wrong (other 4xx, failed validation): retrying cannot help. */
    INVALID_DATA(false),
    /** A fault in the integration itself: fix the route or bean, then replay. */
    BUG(false);

    private final boolean retryable;

    ErrorCategory(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The category as the API and the console show it, e.g. {@code rate-limited}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

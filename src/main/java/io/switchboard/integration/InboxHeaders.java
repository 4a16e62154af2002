package io.switchboard.integration;

import java.util.List;

/** Headers the {@code inbox:} consumer sets on every exchange, for routes and beans to read. */
public final class InboxHeaders {

    /** The event's id in the journal; also the correlation id in the logs. */
    public static final String EVENT_ID = "SwitchboardEventId";
    public static final String INTEGRATION = "SwitchboardIntegration";
    /** The sender's delivery id, when it sent one. */
    public static final String DELIVERY_ID = "SwitchboardDeliveryId";
    /** 1 for the first attempt, counting up across retries. */
    public static final String ATTEMPT = "SwitchboardAttempt";
    /** True when the previous attempt was cut off (its node died): it may have left its idempotency key behind. */
    public static final String RESUMED = "SwitchboardResumed";
    /** True for a test event or a drill's: what it emits is a test too, and its failures page nobody. */
    public static final String TEST = "SwitchboardTest";

    /** Every header above: a route's {@code removeHeaders} leaves them in place ({@link PlatformHeadersKept}). */
    public static final List<String> ALL = List.of(EVENT_ID, INTEGRATION, DELIVERY_ID, ATTEMPT,
            RESUMED, TEST);

    private InboxHeaders() {
    }
}

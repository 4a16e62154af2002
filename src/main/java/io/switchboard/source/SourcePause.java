package io.switchboard.source;

import java.time.Duration;
import java.util.List;

import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;

/**
 * Pauses a source route when an item could not be stored: Camel's circuit-breaking route
 * policy stops the route's consumer at the first {@link SourceNotStoredException} and starts
 * it again after the back-off; one item that then stores closes it. While paused nothing is
 * read, so a database outage is a slow retry at the source, never a redelivery storm or a drop.
 * The items a poll had already read when the route paused are not tried against the database:
 * {@link SourceIntake} refuses them at once, and they stay at the source too.
 */
public final class SourcePause {

    private SourcePause() {
    }

    public static ThrottlingExceptionRoutePolicy after(Duration backOff) {
        // The window decides whether the first item after the pause, if it stores, closes the
        // circuit: the policy counts a failure "recent" within it. As long as the back-off, the
        // items of the paused poll that failed just after the first would keep it open once more.
        long window = Math.max(1, Math.min(backOff.toMillis() / 2, 1000));
        ThrottlingExceptionRoutePolicy policy = new ThrottlingExceptionRoutePolicy(1, window,
                backOff.toMillis(), List.of(SourceNotStoredException.class));
        policy.setKeepOpen(false);
        return policy;
    }
}

package io.switchboard.source;

import java.time.Duration;
import java.util.List;

import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;

/**
 * Pauses a source route when an item could not be stored: Camel's circuit-breaking route
 * policy stops the route's consumer at the first {@link SourceNotStoredException} and starts
 * it again after the back-off; one item that then stores closes it. While paused nothing is
 * read, so a database outage is a slow retry at the source, never a redelivery storm or a drop.
 */
public final class SourcePause {

    private SourcePause() {
    }

    public static ThrottlingExceptionRoutePolicy after(Duration backOff) {
        ThrottlingExceptionRoutePolicy policy = new ThrottlingExceptionRoutePolicy(1, backOff.toMillis(),
                backOff.toMillis(), List.of(SourceNotStoredException.class));
        policy.setKeepOpen(false);
        return policy;
    }
}

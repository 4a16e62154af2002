package io.switchboard.inbox;

import java.time.Clock;
import java.time.Instant;

import io.switchboard.inbox.InboxStore.Claimed;
import io.switchboard.integration.IntegrationsProperties.Inbox;
import io.switchboard.reliability.Failure;
import io.switchboard.reliability.RetryPolicy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Settles an event after its route ran: done; or failed and worth another attempt, so it
 * goes back to the inbox with a not-before time (persisted, so waiting blocks nobody and
 * survives a restart); or failed for good, so it is parked as dead with its reason.
 */
@Component
public class FailureHandling {

    private static final Logger log = LoggerFactory.getLogger(FailureHandling.class);

    private final InboxStore store;
    private final Clock clock;

    public FailureHandling(InboxStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    void settle(Claimed event, Exchange exchange, Inbox settings, long durationMs) {
        Throwable thrown = exchange.getException();
        if (thrown == null) {
            store.complete(event, durationMs);
            return;
        }
        Failure failure = Failure.of(thrown);
        String reason = failure.category().label() + ": " + failure.message();
        if (!failure.retryable() || event.attempt() >= settings.maxAttempts()) {
            log.warn("event {} of {} is dead after {} attempt(s): {}", event.eventId(), event.integration(),
                    event.attempt(), reason);
            store.bury(event, failure.retryable() ? reason + " (gave up after " + event.attempt() + " attempts)" : reason,
                    durationMs);
            return;
        }
        Instant notBefore = Instant.now(clock).plus(RetryPolicy.delayBefore(event.attempt() + 1, settings,
                failure.retryAfter()));
        store.retryLater(event, notBefore, reason, durationMs);
    }
}

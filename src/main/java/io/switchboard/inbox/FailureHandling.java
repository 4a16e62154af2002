package io.switchboard.inbox;

import java.time.Clock;
import java.time.Instant;

import io.switchboard.alerting.AlertChecks;
import io.switchboard.alerting.Alerts;
import io.switchboard.inbox.InboxStore.Claimed;
import io.switchboard.incident.Cause;
import io.switchboard.incident.Incidents;
import io.switchboard.integration.IntegrationsProperties.Inbox;
import io.switchboard.reliability.AwaitingConnectionException;
import io.switchboard.reliability.Failure;
import io.switchboard.reliability.RetryPolicy;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExchangeHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
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
    private final Alerts alerts;

    private final Environment environment;
    private final Incidents incidents;

    public FailureHandling(InboxStore store, Clock clock, Alerts alerts,
            Environment environment, Incidents incidents) {
        this.environment = environment;
        this.incidents = incidents;
        this.store = store;
        this.clock = clock;
        this.alerts = alerts;
    }

    /** Set on an exchange whose failure the dead-letter channel has already settled. */
    public static final String SETTLED = "SwitchboardSettled";

    /** Settles an event after its route ran. */
    public void settle(Claimed event, Exchange exchange, Inbox settings, long durationMs) {
        if (Boolean.TRUE.equals(exchange.getProperty(SETTLED, Boolean.class))) {
            return;
        }
        Throwable thrown = exchange.getException();
        if (thrown == null && ExchangeHelper.isFailureHandled(exchange)) {
            // Handled by an error handler that did not settle it: still a failure, never DONE.
            thrown = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            if (thrown == null) {
                thrown = new IllegalStateException("failure handled without settling the event");
            }
        }
        if (thrown == null) {
            store.complete(event, durationMs);
            return;
        }
        settleFailure(event, thrown, exchange.getFromRouteId(),
                exchange.getProperty(Failure.FAILED_CONNECTION, String.class), settings, durationMs);
    }

    /**
     * A failed attempt: another one later if it may help and attempts remain, else dead. A real
     * event's failure also counts against the incident of its cause; {@code connection} is the
     * connection whose call failed, if one did.
     */
    public void settleFailure(Claimed event, Throwable thrown, String routeId, String connection, Inbox settings,
            long durationMs) {
        boolean real = !event.test();
        AwaitingConnectionException awaiting = Failure.awaitedConnection(thrown);
        if (awaiting != null) {
            hold(event, awaiting, durationMs, real);
            if (real) {
                incidents.failed(event.eventId(), event.integration(),
                        Cause.of(thrown, event.integration(), routeId, connection), awaiting.getMessage());
            }
            return;
        }
        Failure failure = Failure.of(thrown);
        String reason = failure.category().label() + ": " + failure.message();
        if (real) {
            incidents.failed(event.eventId(), event.integration(),
                    Cause.of(thrown, event.integration(), routeId, connection), reason);
        }
        if (!failure.retryable() || event.attempt() >= settings.maxAttempts()) {
            String finalReason = failure.retryable()
                    ? reason + " (gave up after " + event.attempt() + " attempts)" : reason;
            log.warn("event {} of {} is dead after {} attempt(s): {}", event.eventId(), event.integration(),
                    event.attempt(), finalReason);
            String letter = store.bury(event, failure, thrown, routeId, finalReason, durationMs);
            if (!real) {
                return; // a test event's or a drill's dead letter is reported where it was sent from
            }
            alerts.raise(event.integration(), AlertChecks.deadLetterKey(event.integration()),
                    "Dead letter parked for " + event.integration(),
                    "Event " + event.eventId() + " could not be processed (" + finalReason + "). Dead letter "
                            + letter + ": look at it in the console, fix the cause, then replay or discard it.");
            return;
        }
        Instant notBefore = Instant.now(clock).plus(RetryPolicy.delayBefore(event.attempt() + 1, settings,
                failure.retryAfter()));
        store.retryLater(event, notBefore, reason, durationMs);
    }

    /**
     * The event waits for a person to connect the connection: no attempt used, nothing parked.
     * One alert per integration and outage (resolved when the connection is connected) tells the
     * card's owner where to reconnect.
     */
    private void hold(Claimed event, AwaitingConnectionException awaiting, long durationMs, boolean real) {
        String connection = awaiting.connection();
        store.holdFor(event, connection, "waiting for connection " + connection + ": " + awaiting.getMessage(),
                durationMs);
        if (!real) {
            return;
        }
        alerts.raise(event.integration(), waitingAlertKey(connection, event.integration()),
                "Connection " + connection + " needs connecting: " + event.integration() + " is waiting",
                awaiting.getMessage() + ". Events of " + event.integration() + " that call " + connection
                        + " wait in the inbox (nothing is lost). Connect it in the console: "
                        // Read now: its default follows the port the server got.
                        + environment.getProperty("switchboard.console.url", "/console")
                        + "#/connections ; the waiting events then run by themselves.");
    }

    /** The alert raised while an integration's events wait for a connection. */
    public static String waitingAlertKey(String connection, String integration) {
        return "connection:" + connection + ":waiting:" + integration;
    }
}

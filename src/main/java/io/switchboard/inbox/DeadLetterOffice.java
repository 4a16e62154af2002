package io.switchboard.inbox;

import io.switchboard.alerting.AlertChecks;
import io.switchboard.alerting.Alerts;
import io.switchboard.inbox.InboxStore.Claimed;
import io.switchboard.integration.InboxHeaders;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.reliability.Failure;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Where the shared dead-letter channel delivers a failed exchange. For an inbox event it
 * decides between another attempt later (persisted in the inbox) and parking the event as
 * a dead letter; a route with no inbox event behind it (a schedule, say) is parked at once,
 * or counted on the letter it already parked for the same failure.
 * Because the channel marks the failure handled, Camel's idempotent consumer removes the
 * key of the failed exchange, so a retry or a replay can run.
 */
@Component("deadLetterOffice")
public class DeadLetterOffice implements Processor {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterOffice.class);

    private final FailureHandling failures;
    private final DeadLetterStore deadLetters;
    private final IntegrationsProperties integrations;
    private final Alerts alerts;

    public DeadLetterOffice(FailureHandling failures, DeadLetterStore deadLetters, IntegrationsProperties integrations,
            Alerts alerts) {
        this.alerts = alerts;
        this.failures = failures;
        this.deadLetters = deadLetters;
        this.integrations = integrations;
    }

    @Override
    public void process(Exchange exchange) {
        Throwable thrown = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        String eventId = exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, String.class);
        long durationMs = exchange.getClock().elapsed();
        if (eventId != null) {
            String integration = exchange.getMessage().getHeader(InboxHeaders.INTEGRATION, String.class);
            int attempt = exchange.getMessage().getHeader(InboxHeaders.ATTEMPT, 1, Integer.class);
            Claimed event = new Claimed(eventId, integration,
                    exchange.getMessage().getHeader(InboxHeaders.DELIVERY_ID, String.class),
                    exchange.getMessage().getBody(String.class), attempt,
                    exchange.getMessage().getHeader(InboxHeaders.TEST, false, Boolean.class));
            IntegrationsProperties.Inbox settings = integrations.find(integration)
                    .map(IntegrationsProperties.Integration::inbox)
                    .orElse(IntegrationsProperties.Inbox.DEFAULT);
            failures.settleFailure(event, thrown, routeId,
                    exchange.getProperty(Failure.FAILED_CONNECTION, String.class), settings,
                    durationMs);
        } else {
            Failure failure = thrown == null ? Failure.fromStatus(500, "failed without an exception", null)
                    : Failure.of(thrown);
            String integration = integrations.ownerOfRoute(routeId).orElse(routeId == null ? "unknown" : routeId);
            String id = deadLetters.parkOrCount(integration, routeId, failure, thrown,
                    exchange.getMessage().getBody(String.class));
            log.warn("route {} failed ({}): parked as dead letter {}", routeId, failure.category().label(), id);
            alerts.raise(integration, AlertChecks.deadLetterKey(integration),
                    "Dead letter parked for " + integration, "Route " + routeId + " failed ("
                            + failure.category().label() + ": " + failure.message() + "). Dead letter " + id + ".");
        }
        exchange.setProperty(FailureHandling.SETTLED, true);
    }

}

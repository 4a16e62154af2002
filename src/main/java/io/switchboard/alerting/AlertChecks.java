package io.switchboard.alerting;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import io.switchboard.journal.EventQueries;
import io.switchboard.journal.IntegrationHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The alerts no single event raises: silence (no event within the card's expected
 * interval, the quiet failure no error reveals), SLA breach (an event waiting longer than
 * the latency budget), a failure rate over the threshold, and the clearing of dead-letter
 * alerts once nothing is parked any more.
 */
@Component
public class AlertChecks {

    private static final Logger log = LoggerFactory.getLogger(AlertChecks.class);

    private final IntegrationHealth health;
    private final EventQueries events;
    private final Alerts alerts;
    private final AlertingProperties properties;
    private final Clock clock;

    private final ObjectProvider<KnownCauses> knownCauses;

    public AlertChecks(IntegrationHealth health, EventQueries events, Alerts alerts, AlertingProperties properties,
            Clock clock, ObjectProvider<KnownCauses> knownCauses) {
        this.knownCauses = knownCauses;
        this.health = health;
        this.events = events;
        this.alerts = alerts;
        this.properties = properties;
        this.clock = clock;
    }

    public static String deadLetterKey(String integration) {
        return "dead-letter:" + integration;
    }

    @Scheduled(fixedDelayString = "${switchboard.alerting.check-interval:15s}",
            initialDelayString = "${switchboard.alerting.check-interval:15s}")
    public void check() {
        try {
            Map<String, IntegrationHealth.Health> now = health.all();
            Map<String, EventQueries.Attempts> rates = events.attemptsSince(Instant.now(clock)
                    .minus(properties.failureRate().window()));
            now.forEach((id, h) -> {
                toggle(id, "silence:" + id, "silent".equals(h.sla()), "No events for " + id,
                        h.slaReason() + ". Check the sender: is the form, the schedule or the upstream system "
                                + "still sending?");
                toggle(id, "sla:" + id, "late".equals(h.sla()), "SLA breach for " + id, h.slaReason());
                EventQueries.Attempts attempts = rates.getOrDefault(id, EventQueries.Attempts.NONE);
                long failures = attempts.failed();
                long total = attempts.failed() + attempts.succeeded();
                boolean tooMany = failures >= properties.failureRate().minFailures()
                        && (double) failures / total > properties.failureRate().threshold();
                // A known cause was paged once, as its incident: the rate would only page again.
                if (!tooMany || !explained(id)) {
                    toggle(id, "failure-rate:" + id, tooMany, "Failure rate over "
                            + Math.round(properties.failureRate().threshold() * 100) + "% for " + id,
                            failures + " of " + total + " attempts failed in the last "
                                    + properties.failureRate().window().toSeconds() + " s");
                }
                if (h.deadLetters() == 0) {
                    alerts.resolve(deadLetterKey(id));
                }
            });
        } catch (RuntimeException e) {
            log.warn("alert checks could not run: {}", e.toString());
        }
    }

    private boolean explained(String integration) {
        KnownCauses causes = knownCauses.getIfAvailable();
        return causes != null && causes.explains(integration);
    }

    private void toggle(String integration, String key, boolean firing, String title, String detail) {
        if (firing) {
            alerts.raise(integration, key, title, detail);
        } else {
            alerts.resolve(key);
        }
    }
}

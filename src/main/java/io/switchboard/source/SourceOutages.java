package io.switchboard.source;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.alerting.Alerts;
import org.springframework.stereotype.Component;

/**
 * One alert per outage of a source's store: the first item that cannot be stored raises it (sent
 * even though the database is the problem), the first stored afterwards resolves it. Later
 * failures of the same outage only count, so a paused source that retries is not an alert storm.
 */
@Component
public class SourceOutages {

    private final Alerts alerts;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    public SourceOutages(Alerts alerts) {
        this.alerts = alerts;
    }

    /** The alert of an outage of the integration's source store. */
    public static String alertKey(String integration) {
        return "source-not-stored:" + integration;
    }

    public void failed(String integration, RuntimeException cause) {
        if (failing.add(integration)) {
            alerts.raise(integration, alertKey(integration), "Events of " + integration + " cannot be stored",
                    "Its source is paused and keeps every item until the platform database takes it again: "
                            + cause);
        }
    }

    public void stored(String integration) {
        if (!failing.isEmpty() && failing.remove(integration)) {
            alerts.resolve(alertKey(integration));
        }
    }

    public boolean isFailing(String integration) {
        return failing.contains(integration);
    }
}

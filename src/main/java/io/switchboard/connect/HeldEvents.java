package io.switchboard.connect;

import java.util.Map;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionAuthorizations.Standing;
import io.switchboard.inbox.FailureHandling;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The events held while a connection needed connecting: released when it is connected, oldest
 * first, and the waiting alerts ended. Connect releases them at once; a sweep every few seconds
 * also releases any a node held just as another node's Connect went through, so none waits
 * for a connection that is connected.
 */
@Component
class HeldEvents {

    private static final Logger log = LoggerFactory.getLogger(HeldEvents.class);

    private final Connections connections;
    private final ConnectionAuthorizations authorizations;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final IntegrationsProperties integrations;
    private final Alerts alerts;

    HeldEvents(Connections connections, ConnectionAuthorizations authorizations, InboxStore inbox, InboxSignal signal,
            IntegrationsProperties integrations, Alerts alerts) {
        this.connections = connections;
        this.authorizations = authorizations;
        this.inbox = inbox;
        this.signal = signal;
        this.integrations = integrations;
        this.alerts = alerts;
    }

    /** The events waiting for {@code connection} run again; its waiting alerts end. */
    void release(String connection, String why) {
        Map<String, Integer> resumed = inbox.resumeWaiting(connection, why);
        integrations.all().keySet().forEach(id -> alerts.resolve(FailureHandling.waitingAlertKey(connection, id)));
        resumed.forEach((integration, count) -> {
            log.info("connection {}: {} waiting event(s) of {} run again", connection, count, integration);
            signal.wake(integration);
        });
    }

    @Scheduled(fixedDelayString = "${switchboard.connect.held-events-sweep:5s}")
    void sweep() {
        Map<String, Map<String, Long>> waiting = inbox.waitingByConnection();
        for (Connection connection : connections.all()) {
            if (connection.authorizationCode().isPresent() && waiting.containsKey(connection.name())
                    && authorizations.of(connection.name()).standing() == Standing.CONNECTED) {
                release(connection.name(), "connection " + connection.name() + " is connected");
            }
        }
    }
}

package io.switchboard.connect;

import io.switchboard.connect.ConnectionAuthorizations.Standing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * At start, says which "Connect account" connections still need a person, and where to
 * connect them: until then the steps that call them wait (nothing is lost), and a first
 * start of the demo should not leave anyone wondering why leads stop at the chat.
 */
@Component
class ConnectReminder {

    private static final Logger log = LoggerFactory.getLogger(ConnectReminder.class);

    private final Connections connections;
    private final ConnectionAuthorizations authorizations;
    private final Environment environment;

    ConnectReminder(Connections connections, ConnectionAuthorizations authorizations, Environment environment) {
        this.connections = connections;
        this.authorizations = authorizations;
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    void remind() {
        for (Connection connection : connections.all()) {
            if (connection.authorizationCode().isEmpty()) {
                continue;
            }
            var authorization = authorizations.of(connection.name());
            if (authorization.standing() == Standing.CONNECTED) {
                continue;
            }
            String why = "connection " + connection.name() + " is " + authorization.standing().label()
                    + (authorization.reason() == null ? "" : " (" + authorization.reason() + ")");
            connection.markNeedsConnecting(why);
            log.warn("""

                    ==========================================================================
                     {}: the steps that call it wait until it is connected.
                     An operator connects it here: {}#/connections (Connect)
                    ==========================================================================""",
                    why, environment.getProperty("switchboard.console.url", "/console"));
        }
    }
}

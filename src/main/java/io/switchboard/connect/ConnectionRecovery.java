package io.switchboard.connect;

import java.time.Instant;

import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.incident.SystemRecovery;
import org.springframework.stereotype.Component;

/**
 * Tells the incidents when a system serves calls again: a call succeeded after the incident's
 * last failure and the connection is in good standing (ok, or only rate-limited).
 */
@Component
class ConnectionRecovery implements SystemRecovery {

    private final Connections connections;
    private final ConnectionStates states;

    ConnectionRecovery(Connections connections, ConnectionStates states) {
        this.connections = connections;
        this.states = states;
    }

    @Override
    public boolean recoveredSince(String connection, Instant since) {
        Connection known = connections.find(connection).orElse(null);
        if (known == null) {
            return false;
        }
        Status status = states.get(connection).map(ConnectionState::status).orElse(Status.OK);
        Instant lastSuccess = known.availability().lastSuccessAt();
        return (status == Status.OK || status == Status.RATE_LIMITED) && lastSuccess != null
                && lastSuccess.isAfter(since);
    }
}

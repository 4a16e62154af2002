package io.switchboard.connect;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.connect.ConnectionState.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The live state of every connection on this node (ok, rate-limited, credentials rejected,
 * permission denied) and when it last changed. Calls through a connection keep it current.
 */
@Component
public class ConnectionStates {

    private static final Logger log = LoggerFactory.getLogger(ConnectionStates.class);

    private final Map<String, ConnectionState> states = new ConcurrentHashMap<>();
    private final Clock clock;
    private MeterRegistry meters;

    public ConnectionStates(Clock clock) {
        this.clock = clock;
    }

    public Optional<ConnectionState> get(String connection) {
        return Optional.ofNullable(states.get(connection));
    }

    /** Every known connection, by name. */
    public List<ConnectionState> all() {
        return states.values().stream().sorted(Comparator.comparing(ConnectionState::connection)).toList();
    }

    void register(String connection) {
        states.putIfAbsent(connection, new ConnectionState(connection, Status.OK, Instant.now(clock), null));
        if (meters != null) {
            // One gauge per state, 1 for the current one: an alert rule can ask for
            // switchboard_connection_state{state="credentials-rejected"} == 1.
            for (Status status : Status.values()) {
                Gauge.builder("switchboard.connection.state", states,
                                all -> all.get(connection) != null && all.get(connection).status() == status ? 1 : 0)
                        .description("1 for the connection's current state").tag("connection", connection)
                        .tag("state", status.label()).register(meters);
            }
        }
    }

    /** Publishes the states as gauges, when there is a registry (not in unit tests). */
    @Autowired(required = false)
    void setMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Sets the status; {@code since} moves only when the status changes. */
    void record(String connection, Status status, String detail) {
        states.compute(connection, (name, current) -> {
            if (current != null && current.status() == status) {
                return detail == null || detail.equals(current.detail()) ? current
                        : new ConnectionState(name, status, current.since(), detail);
            }
            log.info("connection {} is now {}{}", name, status.label(), detail == null ? "" : ": " + detail);
            return new ConnectionState(name, status, Instant.now(clock), detail);
        });
    }
}

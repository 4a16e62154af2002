package io.switchboard.connect;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps the state of every connection that is not HTTP (brokers, databases, mail servers,
 * folders) current with a cheap probe at {@code switchboard.connection-probes.interval}
 * (default 30 s), since nothing else would notice such a system is gone until an event is late.
 * A state other than ok raises one alert per outage ({@code connection:<name>:<state>}),
 * resolved when the probe succeeds again. Probes run on a thread of their own, so a slow system
 * holds up nothing else. {@code switchboard.connection-probes.enabled: false} turns them off (the
 * shared test profile, whose broker connections point at systems only some tests create).
 */
@Component
class SystemProbes implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SystemProbes.class);

    private final Map<String, ConnectionsProperties.Connection> probed = new LinkedHashMap<>();
    private final ConnectionStates states;
    private final Alerts alerts;
    private final Duration interval;
    private final boolean enabled;
    private ScheduledExecutorService prober;

    SystemProbes(ConnectionsProperties properties, ConnectionStates states, Alerts alerts,
            @Value("${switchboard.connection-probes.interval:30s}") Duration interval,
            @Value("${switchboard.connection-probes.enabled:true}") boolean enabled) {
        this.states = states;
        this.alerts = alerts;
        this.interval = interval;
        this.enabled = enabled;
        properties.connections().forEach((name, connection) -> {
            if (connection.kind() != ConnectionKind.HTTP) {
                probed.put(name, connection);
            }
        });
    }

    /** Probes every connection now and records what it found. */
    void probeAll() {
        probed.forEach((name, connection) -> settle(name, SystemProbe.of(connection)));
    }

    private void settle(String name, SystemProbe.Finding finding) {
        Status before = states.get(name).map(ConnectionState::status).orElse(Status.OK);
        states.record(name, finding.status(), finding.detail());
        if (before != Status.OK && before != finding.status()) {
            alerts.resolve(alertKey(name, before));
        }
        if (finding.status() != Status.OK) {
            alerts.raise(alertKey(name, finding.status()), "Connection " + name + ": " + finding.status().label(),
                    finding.detail());
        }
    }

    static String alertKey(String name, Status status) {
        return "connection:" + name + ":" + status.label();
    }

    @Override
    public synchronized void start() {
        if (probed.isEmpty() || !enabled) {
            return;
        }
        probed.keySet().forEach(states::register);
        prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "connection-probes");
            thread.setDaemon(true);
            return thread;
        });
        prober.scheduleWithFixedDelay(this::probeAllQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAllQuietly() {
        try {
            probeAll();
        } catch (RuntimeException unexpected) {
            // The next round tries again; one bad probe must not end the schedule.
            log.warn("connection probes failed: {}", unexpected.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (prober != null) {
            prober.shutdownNow();
            prober = null;
        }
    }

    @Override
    public boolean isRunning() {
        return prober != null;
    }
}

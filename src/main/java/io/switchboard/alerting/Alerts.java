package io.switchboard.alerting;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Raises alerts so that one outage is one alert with a count, not a storm: the first
 * occurrence of a key goes to the sinks, later ones only count, until the key is resolved.
 * State is per node and in memory; after a restart an ongoing outage alerts once more.
 */
@Component
public class Alerts {

    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private final List<AlertSink> sinks;
    private final Clock clock;
    private final Map<String, Alert> active = new ConcurrentHashMap<>();

    public Alerts(List<AlertSink> sinks, Clock clock) {
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
    }

    /**
     * Records an occurrence. Returns {@code true} when it began a new outage (and was sent),
     * {@code false} when it only counted towards one already raised.
     */
    public boolean raise(String key, String title, String detail) {
        Instant now = Instant.now(clock);
        boolean[] isNew = {false};
        Alert alert = active.compute(key, (k, current) -> {
            if (current == null) {
                isNew[0] = true;
                return new Alert(key, title, detail, now, now, 1);
            }
            return new Alert(key, current.title(), current.detail(), current.firstAt(), now, current.count() + 1);
        });
        if (isNew[0]) {
            sinks.forEach(sink -> deliver(() -> sink.raised(alert), sink));
        }
        return isNew[0];
    }

    /** Ends the outage of {@code key}, if there is one; the next occurrence alerts again. */
    public void resolve(String key) {
        Alert alert = active.remove(key);
        if (alert != null) {
            sinks.forEach(sink -> deliver(() -> sink.resolved(alert), sink));
        }
    }

    /** Ongoing outages, oldest first. */
    public List<Alert> active() {
        return active.values().stream().sorted(Comparator.comparing(Alert::firstAt)).toList();
    }

    private static void deliver(Runnable send, AlertSink sink) {
        try {
            send.run();
        } catch (RuntimeException e) {
            // One broken channel must not hide the alert from the others.
            log.warn("alert sink {} failed: {}", sink.getClass().getSimpleName(), e.toString());
        }
    }
}

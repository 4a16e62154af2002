package io.switchboard.alerting;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

/** Remembers the alerts sent, so a test can count them (one per outage, not one per event). */
@Component
public class RecordingAlertSink implements AlertSink {

    private final List<Alert> raised = new CopyOnWriteArrayList<>();
    private final List<Alert> resolved = new CopyOnWriteArrayList<>();

    /** Hears every alert: the log channel goes to every sink that listens to it. */
    @Override
    public String channel() {
        return "log";
    }

    @Override
    public void raised(Alert alert) {
        raised.add(alert);
    }

    @Override
    public void resolved(Alert alert) {
        resolved.add(alert);
    }

    public List<Alert> raised(String key) {
        return raised.stream().filter(a -> a.key().equals(key)).toList();
    }

    public List<Alert> resolved(String key) {
        return resolved.stream().filter(a -> a.key().equals(key)).toList();
    }

    public void clear() {
        raised.clear();
        resolved.clear();
    }
}

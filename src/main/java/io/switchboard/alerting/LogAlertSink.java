package io.switchboard.alerting;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Writes alerts to the log under {@code switchboard.alert}, the channel that is always there. */
@Component
class LogAlertSink implements AlertSink {

    private static final Logger log = LoggerFactory.getLogger("switchboard.alert");

    @Override
    public String channel() {
        return "log";
    }

    @Override
    public void raised(Alert alert) {
        log.error("ALERT {}: {} ({})", alert.key(), alert.title(), alert.detail());
    }

    @Override
    public void reminded(Alert alert) {
        log.error("STILL {}: {} ({} occurrence(s) since {})", alert.key(), alert.title(), alert.count(),
                alert.firstAt());
    }

    @Override
    public void resolved(Alert alert) {
        log.info("RESOLVED {}: {} after {} occurrence(s) since {}", alert.key(), alert.title(), alert.count(),
                alert.firstAt());
    }
}

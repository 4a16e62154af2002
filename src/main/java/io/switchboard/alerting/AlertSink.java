package io.switchboard.alerting;

/**
 * Where alerts go (the log, a chat channel, e-mail). {@link Alerts} calls every sink once
 * when an outage begins and once when it is resolved, never per occurrence.
 */
public interface AlertSink {

    /** A new outage began. */
    void raised(Alert alert);

    /** The outage is over; {@code alert.count()} says how often it happened meanwhile. */
    default void resolved(Alert alert) {
    }
}

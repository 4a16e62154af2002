package io.switchboard.alerting;

/**
 * Where alerts go (the log, a chat channel, e-mail). {@link Alerts} calls a sink when an
 * outage begins, at the reminder interval while it lasts, and when it clears; never per
 * occurrence. Calls come from a delivery thread, never from event processing.
 */
public interface AlertSink {

    /** The channel name an integration's card names in {@code alert-channel}: log, chat or email. */
    String channel();

    /** A new outage began. */
    void raised(Alert alert);

    /** The outage goes on; {@code alert.count()} says how often it happened so far. */
    default void reminded(Alert alert) {
        raised(alert);
    }

    /** The outage is over; {@code alert.count()} says how often it happened meanwhile. */
    default void resolved(Alert alert) {
    }
}

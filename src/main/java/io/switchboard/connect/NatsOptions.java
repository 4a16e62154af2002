package io.switchboard.connect;

import io.nats.client.Connection;
import io.nats.client.Options;

/**
 * The NATS options every client of a {@code nats} connection starts from (the trigger's
 * consumer, the publisher, the probe, a drill's double): the server, the connect timeout, a
 * name the server's monitoring shows, and the credentials. Each caller sets how it reconnects.
 * And how each of them closes.
 */
public final class NatsOptions {

    private NatsOptions() {
    }

    /** Options for the connection's settings, to {@code url} (its own, or a double's in front of it). */
    public static Options.Builder of(ConnectionsProperties.Connection settings, String url, String clientName) {
        Options.Builder options = new Options.Builder().server(url)
                .connectionTimeout(settings.connectTimeout()).connectionName(clientName);
        if (settings.username() != null && !settings.username().isBlank()) {
            options.userInfo(settings.username(), settings.password() == null ? "" : settings.password());
        }
        return options;
    }

    /** Closes the connection, if any; an interrupt while it drains is kept for the caller. */
    public static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

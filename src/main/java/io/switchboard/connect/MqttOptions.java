package io.switchboard.connect;

import java.nio.charset.StandardCharsets;

import io.switchboard.connect.ConnectionsProperties.Connection;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * The MQTT 5 options every client of an {@code mqtt} connection starts from (the trigger's
 * consumer, the publisher, the probe): its connect timeout and credentials, and no automatic
 * reconnect, since each client reconnects on its own terms. Each caller sets its session.
 */
public final class MqttOptions {

    private MqttOptions() {
    }

    public static MqttConnectionOptions of(Connection connection) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) Math.max(1, connection.connectTimeout().toSeconds()));
        if (connection.username() != null && !connection.username().isBlank()) {
            options.setUserName(connection.username());
        }
        if (connection.password() != null) {
            options.setPassword(connection.password().getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }
}

package io.switchboard.connect;

import java.nio.charset.StandardCharsets;

import io.switchboard.connect.ConnectionsProperties.Connection;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The MQTT 5 options every client of an {@code mqtt} connection starts from (the trigger's
 * consumer, the publisher, the probe): its connect timeout and credentials, and no automatic
 * reconnect, since each client reconnects on its own terms. Each caller sets its session.
 * And how each of them closes.
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

    /** Disconnects and closes the client; one the broker already dropped is closed all the same. */
    public static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException closing) {
            // already gone
        }
    }
}

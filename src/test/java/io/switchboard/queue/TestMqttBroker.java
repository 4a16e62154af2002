package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * A topic prefix of its own on the Mosquitto at 127.0.0.1:1883, so tests never see each other's
 * messages; {@link #endSession} removes a consumer's persistent session when the test is done.
 */
final class TestMqttBroker {

    static final String URL = "tcp://127.0.0.1:1883";

    final String prefix = "sb-test/" + UUID.randomUUID().toString().substring(0, 8) + "/";

    /** Publishes at QoS 1 and waits for the broker's PUBACK; {@code messageId} (a user property) may be null. */
    void publish(String topic, String messageId, String body) throws Exception {
        publish(topic, messageId == null ? List.of() : List.of(new UserProperty(MqttDeliveryIds.MESSAGE_ID, messageId)),
                body);
    }

    /** Publishes at QoS 1 with these user properties and waits for the broker's PUBACK. */
    void publish(String topic, List<UserProperty> userProperties, String body) throws Exception {
        MqttClient client = new MqttClient(URL, "sb-test-publisher-" + UUID.randomUUID(), new MemoryPersistence());
        client.connect();
        try {
            MqttProperties properties = new MqttProperties();
            properties.setContentType("application/json");
            properties.setUserProperties(userProperties);
            MqttMessage message = new MqttMessage(body.getBytes(StandardCharsets.UTF_8), 1, false, properties);
            client.publish(topic, message);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    /** Connects once more as the consumer with clean start and no expiry: the broker drops its session. */
    static void endSession(String clientId) throws Exception {
        MqttClient client = new MqttClient(URL, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        client.connect(options);
        client.disconnect();
        client.close();
    }
}

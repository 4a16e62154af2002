package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The inbox de-duplication key of an MQTT message. MQTT has no message id that survives a
 * redelivery (the packet id is reused per connection), so: the publisher's {@code message-id}
 * user property when it set one, else a SHA-256 digest of topic and payload. Without that
 * property two identical payloads on the same topic are one event, as two AMQP messages with
 * the same body and routing key and no message id are; a publisher that sends the same
 * reading twice on purpose sets {@code message-id}.
 */
final class MqttDeliveryIds {

    /** The user property a publisher sets to name its message (MQTT 5: {@code -D publish user-property message-id 42}). */
    static final String MESSAGE_ID = "message-id";

    private MqttDeliveryIds() {
    }

    static String of(String topic, MqttMessage message) {
        String messageId = messageId(message);
        if (messageId != null && !messageId.isBlank()) {
            return messageId;
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(topic.getBytes(StandardCharsets.UTF_8));
            // A topic never holds a NUL, so ("a", "bc") and ("ab", "c") stay apart.
            sha256.update((byte) 0);
            sha256.update(message.getPayload() == null ? new byte[0] : message.getPayload());
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }

    static String messageId(MqttMessage message) {
        if (message.getProperties() == null || message.getProperties().getUserProperties() == null) {
            return null;
        }
        for (UserProperty property : message.getProperties().getUserProperties()) {
            if (MESSAGE_ID.equalsIgnoreCase(property.getKey())) {
                return property.getValue();
            }
        }
        return null;
    }
}

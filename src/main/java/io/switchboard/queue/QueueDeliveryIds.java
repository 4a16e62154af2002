package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/**
 * The inbox de-duplication key of a broker message: its AMQP {@code message-id} when the
 * publisher set one, else a SHA-256 digest of body, exchange and routing key. A message the
 * broker delivers again (after a nack, a lost channel, a restart) gets the same id and is a
 * duplicate; a message without an id is never treated as a duplicate just for lacking one.
 */
final class QueueDeliveryIds {

    private QueueDeliveryIds() {
    }

    static String of(Message message) {
        MessageProperties properties = message.getMessageProperties();
        String messageId = properties.getMessageId();
        if (messageId != null && !messageId.isBlank()) {
            return messageId;
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(message.getBody() == null ? new byte[0] : message.getBody());
            // Separators keep ("ab", "c") and ("a", "bc") apart.
            sha256.update((byte) 0);
            sha256.update(nullToEmpty(properties.getReceivedExchange()).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(nullToEmpty(properties.getReceivedRoutingKey()).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}

package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;

/**
 * A subject prefix and a stream of their own on the NATS server at 127.0.0.1:4222 (JetStream
 * on), deleted on close with whatever stream the consumer under test made.
 */
final class TestNatsServer implements AutoCloseable {

    static final String URL = "nats://127.0.0.1:4222";

    final String prefix = "sbtest" + UUID.randomUUID().toString().substring(0, 8);
    final String stream = prefix.toUpperCase();
    private final Connection connection;

    TestNatsServer() throws Exception {
        connection = Nats.connect(URL);
    }

    /**
     * A stream on file storage capturing {@code <prefix>.>}, with a short duplicate window so a
     * test can publish the same {@code Nats-Msg-Id} again and reach the inbox with it.
     */
    void createStream() throws Exception {
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream)
                .subjects(prefix + ".>").storageType(StorageType.File).duplicateWindow(Duration.ofMillis(100)).build());
    }

    /** Publishes through JetStream and waits for the stream's ack; {@code messageId} may be null. */
    void publish(String subject, String messageId, String body) throws Exception {
        Headers headers = new Headers().add("Content-Type", "application/json");
        if (messageId != null) {
            headers.add(NatsDeliveryIds.MSG_ID, messageId);
        }
        connection.jetStream().publish(NatsMessage.builder().subject(subject).headers(headers)
                .data(body.getBytes(StandardCharsets.UTF_8)).build());
    }

    /** The durable consumer the platform would make, made first with a short ack wait so a test need not wait 30 s. */
    void createDurable(String durable, String subject, Duration ackWait) throws Exception {
        connection.jetStreamManagement().addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable(durable)
                .ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All).filterSubject(subject).ackWait(ackWait)
                .build());
    }

    boolean streamExists(String name) throws Exception {
        try {
            connection.jetStreamManagement().getStreamInfo(name);
            return true;
        } catch (JetStreamApiException missing) {
            return false;
        }
    }

    /** Messages the durable consumer has been given and not yet acknowledged. */
    long unacknowledged(String streamName, String durable) throws Exception {
        return connection.jetStreamManagement().getConsumerInfo(streamName, durable).getNumAckPending();
    }

    /** Messages not yet delivered to the durable consumer. */
    long pending(String streamName, String durable) throws Exception {
        return connection.jetStreamManagement().getConsumerInfo(streamName, durable).getNumPending();
    }

    void deleteStream(String name) throws Exception {
        if (streamExists(name)) {
            connection.jetStreamManagement().deleteStream(name);
        }
    }

    @Override
    public void close() throws Exception {
        deleteStream(stream);
        connection.close();
    }
}

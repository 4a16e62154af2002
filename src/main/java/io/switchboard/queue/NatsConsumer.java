package io.switchboard.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.NatsOptions;
import io.switchboard.ingress.HeaderMask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one NATS JetStream subject for one integration through a durable pull consumer
 * ({@code switchboard-<integration>}, explicit acknowledgement): a message is fetched, stored in
 * the integration's inbox, and acknowledged only once that commit returned. When the store fails
 * the message is negatively acknowledged (JetStream offers it again) and this consumer stops
 * fetching for the back-off, so an outage is a slow retry; a node that dies before its ack
 * leaves the message to JetStream, which delivers it again after the consumer's ack wait.
 * Several nodes pulling from the same durable consumer share its messages.
 *
 * <p>The stream is the one that already captures the subject (operators usually own it); when
 * none does, one named {@code switchboard-<integration>} is made for it, on file storage.
 *
 * <p>Why jnats rather than Camel's {@code nats} consumer: in Camel 4.17 its JetStream consumer
 * subscribes with jnats' auto-acknowledgement, which acks once the handler returns, and the
 * handler returns normally even when the exchange failed (the error goes to the exception
 * handler): a message that could not be stored would be acknowledged and lost. (Manual
 * acknowledgement came to that component later, CAMEL-23483.)
 *
 * @see <a href="https://docs.nats.io/nats-concepts/jetstream/consumers">JetStream consumers</a>
 */
final class NatsConsumer implements BrokerConsumer {

    private static final Logger log = LoggerFactory.getLogger(NatsConsumer.class);

    /** How long one pull waits for a message; also how soon a stop is noticed. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private final String integration;
    private final ConnectionsProperties.Connection connection;
    private final String subject;
    private final QueueConsumer.Store store;
    private final Runnable stored;
    private final Duration backOff;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Thread worker;
    private volatile Connection nats;
    private volatile boolean consuming;
    private JetStreamSubscription consumer;
    /**
     * Set when the connection came back after a loss: the pull subscription is made again.
     * jnats's simplified consumer context from before a loss sometimes never answered again
     * while messages waited (1 of 3 runs of the cut test): they stayed in the stream, none taken.
     */
    private final AtomicBoolean reconnected = new AtomicBoolean();
    private String stream;
    private long streamCreated;
    /** Whether the current trouble was already logged: one warning per outage of the broker, not one per retry. */
    private boolean troubleLogged;

    /**
     * @param stored  called after each commit (wakes the integration's inbox consumers)
     * @param backOff how long the consumer stops fetching after a failed commit or a broker error
     */
    NatsConsumer(String integration, ConnectionsProperties.Connection connection, String subject,
            QueueConsumer.Store store, Runnable stored, Duration backOff) {
        this.integration = integration;
        this.connection = connection;
        this.subject = subject;
        this.store = store;
        this.stored = stored;
        this.backOff = backOff;
    }

    /** The durable consumer's name, and the stream's when the platform has to make one. */
    static String durableName(String integration) {
        return "switchboard-" + integration;
    }

    @Override
    public void start() {
        Thread thread = new Thread(this::run, "nats-" + integration);
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    /** Waits for a message being stored to finish (never interrupts a commit), then closes the connection. */
    @Override
    public void stop() {
        stopping.countDown();
        Thread thread = worker;
        if (thread != null) {
            try {
                thread.join(POLL.plusSeconds(30).toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    @Override
    public boolean isConsuming() {
        Connection current = nats;
        return consuming && current != null && current.getStatus() == Connection.Status.CONNECTED;
    }

    private boolean running() {
        return stopping.getCount() > 0;
    }

    private void run() {
        while (running()) {
            try {
                if (consumer == null || reconnected.getAndSet(false)) {
                    bind();
                    troubleLogged = false;
                }
                consuming = true;
                // A fetch asks anew each time and returns after POLL at the latest, connected or not.
                for (Message message : consumer.fetch(1, POLL)) {
                    take(message);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception brokerTrouble) {
                consuming = false;
                if (!running()) {
                    return;
                }
                if (!troubleLogged) {
                    log.warn("NATS subject {} for integration {}: {}; trying again every {}", subject, integration,
                            brokerTrouble.toString(), backOff);
                }
                troubleLogged = true;
                // A consumer or stream deleted meanwhile is looked up (or made) again.
                consumer = null;
                waitBackOff();
            }
        }
    }

    private void take(Message message) {
        NatsJetStreamMetaData meta = message.metaData();
        String deliveryId = NatsDeliveryIds.of(message.getHeaders(), stream, streamCreated, meta.streamSequence());
        try {
            store.accept(integration, deliveryId, message.getData(), contentType(message), headers(message, meta));
        } catch (RuntimeException notStored) {
            consuming = false;
            message.nak();
            log.warn("NATS subject {} for integration {}: message {} not stored ({}); returned to the stream, consumer "
                    + "paused for {}", subject, integration, deliveryId, notStored.toString(), backOff);
            waitBackOff();
            return;
        }
        // Lost on the way, the ack's absence only brings the message back after the ack wait: a duplicate.
        message.ack();
        stored.run();
    }

    private void waitBackOff() {
        try {
            stopping.await(backOff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Connects, finds (or makes) the stream holding the subject and the durable consumer on it. */
    private void bind() throws IOException, InterruptedException, JetStreamApiException {
        if (nats == null || nats.getStatus() == Connection.Status.CLOSED) {
            Options.Builder options = NatsOptions.of(connection, connection.url(), durableName(integration))
                    .maxReconnects(-1).reconnectWait(Duration.ofSeconds(1))
                    .connectionListener((link, event) -> {
                        if (event == ConnectionListener.Events.RECONNECTED) {
                            reconnected.set(true);
                        }
                    });
            nats = Nats.connect(options.build());
        }
        JetStreamManagement management = nats.jetStreamManagement();
        StreamInfo info = streamFor(management);
        stream = info.getConfiguration().getName();
        streamCreated = info.getCreateTime().toInstant().toEpochMilli();
        String durable = durableName(integration);
        ConsumerInfo existing = consumerInfo(management, stream, durable);
        if (existing == null) {
            management.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable(durable)
                    .ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All).filterSubject(subject).build());
        } else if (existing.getConsumerConfiguration().getAckPolicy() != AckPolicy.Explicit) {
            throw new IllegalStateException("the consumer " + durable + " on stream " + stream
                    + " does not acknowledge explicitly; delete it or set ack policy explicit");
        }
        if (consumer != null && consumer.isActive()) {
            consumer.unsubscribe();
        }
        consumer = nats.jetStream().subscribe(subject, PullSubscribeOptions.bind(stream, durable));
    }

    private StreamInfo streamFor(JetStreamManagement management) throws IOException, JetStreamApiException {
        List<String> streams = management.getStreamNames(subject);
        if (!streams.isEmpty()) {
            if (streams.size() > 1) {
                log.warn("NATS subject {} for integration {}: streams {} all capture it; consuming from {}", subject,
                        integration, streams, streams.get(0));
            }
            return management.getStreamInfo(streams.get(0));
        }
        log.info("NATS subject {} for integration {}: no stream captures it; making stream {} on file storage",
                subject, integration, durableName(integration));
        return management.addStream(StreamConfiguration.builder().name(durableName(integration)).subjects(subject)
                .storageType(StorageType.File).build());
    }

    private static ConsumerInfo consumerInfo(JetStreamManagement management, String stream, String durable)
            throws IOException, JetStreamApiException {
        try {
            return management.getConsumerInfo(stream, durable);
        } catch (JetStreamApiException missing) {
            if (missing.getErrorCode() == 404) {
                return null;
            }
            throw missing;
        }
    }

    private void close() {
        consuming = false;
        Connection current = nats;
        nats = null;
        NatsOptions.closeQuietly(current);
    }

    private static String contentType(Message message) {
        String type = message.getHeaders() == null ? null : message.getHeaders().getFirst("Content-Type");
        return type == null || type.isBlank() ? "application/octet-stream" : type;
    }

    /**
     * What the route sees besides the body: the subject, stream and sequence, and the
     * publisher's headers (first value each), those named like a credential masked.
     */
    static String headers(Message message, NatsJetStreamMetaData meta) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (message.getHeaders() != null) {
            message.getHeaders().entrySet().forEach(header -> {
                if (!header.getValue().isEmpty()) {
                    headers.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), header.getValue().get(0));
                }
            });
        }
        headers.put("nats-subject", message.getSubject());
        headers.put("nats-stream", meta.getStream());
        headers.put("nats-sequence", Long.toString(meta.streamSequence()));
        return HeaderMask.toJson(headers, null);
    }
}

package io.switchboard.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Channel;
import io.switchboard.inbox.InboxStore.Delivery;
import io.switchboard.ingress.HeaderMask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;

/**
 * Consumes one queue for one integration: every message is stored in the integration's inbox
 * and acknowledged only once that commit returned. The messages waiting when the consumer asks
 * (at most a batch) are stored in one commit and acknowledged with one ack, so a busy queue is
 * not held to one commit's latency per message; a single message is stored at once. When the
 * store fails (the database is down) the batch is nacked back to the queue and this consumer
 * pauses for a back-off before it takes messages again, so an outage is a slow retry rather
 * than a redelivery storm.
 *
 * @see <a href="https://www.rabbitmq.com/docs/confirms">RabbitMQ consumer acknowledgements</a>
 */
final class QueueConsumer implements BrokerConsumer, ChannelAwareBatchMessageListener {

    /** Where an accepted message goes: the inbox ({@code InboxStore.accept}) in the server. */
    @FunctionalInterface
    interface Store {
        /** Commits the message, or throws; a repeated delivery id is a duplicate, not an error. */
        void accept(String integration, String deliveryId, byte[] body, String contentType, String headers);

        /** Commits all the messages, or none and throws; by default one after the other. */
        default void acceptAll(String integration, List<Delivery> deliveries) {
            deliveries.forEach(d -> accept(integration, d.deliveryId(), d.payload(), d.contentType(),
                    d.maskedHeaders()));
        }
    }

    /** How long the consumer waits for more messages to fill a batch once it has one. */
    private static final long GATHER_MILLIS = 10;

    /** Hears how each store went: in the server, wakes the inbox consumers and keeps the outage alert. */
    interface Outcomes {
        /** After each commit, the message not yet acknowledged. */
        void stored();

        /** A message could not be stored; it went back to the queue and the consumer pauses. */
        void notStored(RuntimeException cause);
    }

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    private final String integration;
    private final String queue;
    private final Store store;
    private final Outcomes outcomes;
    private final Duration backOff;
    private final ScheduledExecutorService scheduler;
    private final SimpleMessageListenerContainer container;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong pauses = new AtomicLong();
    private volatile boolean running;

    /**
     * @param batch     the most messages stored in one commit (and held unacknowledged)
     * @param outcomes  told of each commit and each failed store
     * @param backOff   how long the consumer pauses after a failed commit
     * @param scheduler runs the pause and the resume off the listener thread
     */
    QueueConsumer(String integration, ConnectionFactory broker, String queue, int batch, Store store,
            Outcomes outcomes, Duration backOff, ScheduledExecutorService scheduler) {
        this.integration = integration;
        this.queue = queue;
        this.store = store;
        this.outcomes = outcomes;
        this.backOff = backOff;
        this.scheduler = scheduler;
        this.container = new SimpleMessageListenerContainer(broker);
        container.setQueueNames(queue);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        // One consumer, so the queue's order is the inbox's. It holds at most a batch unacknowledged
        // (the prefetch follows the batch size); they go back to the queue when it stops or pauses.
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(batch);
        // A batch is what is already waiting: the consumer gathers for a few milliseconds at most,
        // so a lone message is not held back for the batch to fill.
        container.setReceiveTimeout(GATHER_MILLIS);
        container.setBatchReceiveTimeout(GATHER_MILLIS);
        // A queue missing at start is retried, not fatal: the broker may be set up after the server.
        container.setMissingQueuesFatal(false);
        // So is a refused login: the server starts, the connection's state says credentials-rejected,
        // and the consumer connects once the password is fixed (by default Spring AMQP stops the start).
        container.setPossibleAuthenticationFailureFatal(false);
        container.setMessageListener(this);
        container.setListenerId("queue-" + integration);
        container.afterPropertiesSet();
    }

    @Override
    public void start() {
        running = true;
        container.start();
    }

    @Override
    public void stop() {
        running = false;
        container.stop();
    }

    /** Taking messages now: started, and not paused after a failed store. */
    @Override
    public boolean isConsuming() {
        return container.isRunning() && !paused.get();
    }

    /** How often this consumer paused after a failed store (each pause ends by itself after the back-off). */
    long pauses() {
        return pauses.get();
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        long lastTag = messages.get(messages.size() - 1).getMessageProperties().getDeliveryTag();
        if (paused.get()) {
            // Delivered before the pause took effect: back to the queue untouched.
            settle(() -> channel.basicNack(lastTag, true, true));
            return;
        }
        List<Delivery> deliveries = new ArrayList<>(messages.size());
        for (Message message : messages) {
            deliveries.add(new Delivery(QueueDeliveryIds.of(message), message.getBody(),
                    contentType(message.getMessageProperties()), headers(message.getMessageProperties())));
        }
        try {
            store.acceptAll(integration, deliveries);
        } catch (RuntimeException notStored) {
            settle(() -> channel.basicNack(lastTag, true, true));
            log.warn("Queue {} for integration {}: {} not stored ({}); returned to the queue, consumer paused for {}",
                    queue, integration, deliveries.size() == 1 ? "message " + deliveries.get(0).deliveryId()
                            : deliveries.size() + " messages from " + deliveries.get(0).deliveryId(),
                    notStored.toString(), backOff);
            pause();
            // After the nack: raising the alert may itself wait for the database.
            outcomes.notStored(notStored);
            return;
        }
        // Acknowledges every message of the batch: the ones before lastTag on this channel too.
        settle(() -> channel.basicAck(lastTag, true));
        outcomes.stored();
    }

    /** An ack or a nack on the consumer's channel. */
    @FunctionalInterface
    private interface Settlement {
        void send() throws IOException;
    }

    /** Sends it; a channel that broke meanwhile gives the messages back to the queue by itself. */
    private static void settle(Settlement settlement) {
        try {
            settlement.send();
        } catch (IOException channelBroken) {
            throw new AmqpIOException(channelBroken);
        }
    }

    /** Stops taking messages for the back-off, then resumes; the container is stopped off its own thread. */
    private void pause() {
        if (!paused.compareAndSet(false, true)) {
            return;
        }
        pauses.incrementAndGet();
        scheduler.execute(() -> {
            container.stop();
            scheduler.schedule(() -> {
                paused.set(false);
                if (running) {
                    container.start();
                }
            }, backOff.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private static String contentType(MessageProperties properties) {
        String type = properties.getContentType();
        // Spring AMQP reports application/octet-stream when the publisher set nothing.
        return type == null || type.isBlank() ? MessageProperties.CONTENT_TYPE_BYTES : type;
    }

    /**
     * What the route sees besides the body: the AMQP routing facts and the publisher's simple
     * headers, those named like a credential masked as a webhook's are (they are stored and shown).
     */
    static String headers(MessageProperties properties) {
        Map<String, String> headers = new LinkedHashMap<>();
        properties.getHeaders().forEach((name, value) -> {
            if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
                headers.put(name.toLowerCase(Locale.ROOT), value.toString());
            }
        });
        putIfSet(headers, "amqp-exchange", properties.getReceivedExchange());
        putIfSet(headers, "amqp-routing-key", properties.getReceivedRoutingKey());
        putIfSet(headers, "amqp-message-id", properties.getMessageId());
        return HeaderMask.toJson(headers, null);
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null && !value.isEmpty()) {
            headers.put(name, value);
        }
    }
}

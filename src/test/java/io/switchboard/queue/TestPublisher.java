package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * Publishes orders to a queue at a steady pace, as a shop keeps doing whatever happens to the
 * server: {@code <prefix>-<n>} is both the message id and the body's {@code orderId}, persistent,
 * and counted as published only once the broker confirmed it.
 */
final class TestPublisher implements AutoCloseable {

    private final String queue;
    private final String prefix;
    private final int limit;
    private final Connection connection;
    private final Channel channel;
    private final Map<String, Boolean> published = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "test-publisher");
        thread.setDaemon(true);
        return thread;
    });

    /** @param limit how many to publish at most ({@link Integer#MAX_VALUE}: until closed) */
    TestPublisher(TestBroker broker, String queue, String prefix, int limit) throws Exception {
        this.queue = queue;
        this.prefix = prefix;
        this.limit = limit;
        this.connection = broker.connect();
        this.channel = connection.createChannel();
        channel.confirmSelect();
    }

    /** Publishes one message every {@code everyMillis} from now on. */
    TestPublisher start(long everyMillis) {
        scheduler.scheduleWithFixedDelay(this::publishOne, 0, everyMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The ids the broker confirmed. */
    Set<String> published() {
        return published.keySet();
    }

    int count() {
        return published.size();
    }

    boolean finished() {
        return next.get() >= limit;
    }

    private void publishOne() {
        if (next.get() >= limit) {
            return;
        }
        String id = prefix + "-" + next.getAndIncrement();
        try {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
                    .contentType("application/json").deliveryMode(2).build();
            channel.basicPublish("", queue, properties,
                    ("{\"orderId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
            published.put(id, true);
        } catch (Exception notConfirmed) {
            // not confirmed by the broker: not counted as published
        }
    }

    /** Stops publishing; what was confirmed stays counted. */
    @Override
    public void close() throws Exception {
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        connection.close();
    }
}

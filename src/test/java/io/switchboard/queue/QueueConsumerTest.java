package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxStore.Delivery;
import io.switchboard.integration.IntegrationsProperties.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The consumer alone against the real RabbitMQ, with a store that fails on demand: a message
 * is acknowledged only after the store returned, and one the store refused comes back after
 * the consumer's pause and is stored once.
 */
class QueueConsumerTest {

    private static final String QUEUE = "orders";
    private static final Duration BACK_OFF = Duration.ofMillis(500);

    private TestBroker broker;
    private CachingConnectionFactory connectionFactory;
    private ScheduledExecutorService pauses;
    private QueueConsumer consumer;

    /** What the fake store was asked, in order, and what it committed. */
    private final List<Long> attemptsAt = new CopyOnWriteArrayList<>();
    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final List<RuntimeException> notStored = new CopyOnWriteArrayList<>();
    private volatile int failuresLeft;

    @BeforeEach
    void startConsumer() throws Exception {
        broker = new TestBroker("sb-test-queue-consumer-" + UUID.randomUUID().toString().substring(0, 8));
        broker.declareQueue(QUEUE);
        connectionFactory = QueueTriggers.broker(new ConnectionsProperties.Connection(ConnectionKind.AMQP, null, null,
                null, null, 0, 0, null, broker.url(), "guest", "guest", null));
        pauses = Executors.newSingleThreadScheduledExecutor();
        consumer = new QueueConsumer("orders-in", connectionFactory, QUEUE, Source.DEFAULT_BATCH, (integration, deliveryId, body, type,
                headers) -> {
            attemptsAt.add(System.nanoTime());
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new IllegalStateException("database unavailable");
            }
            stored.merge(deliveryId, new String(body), (first, again) -> first);
        }, new QueueConsumer.Outcomes() {
            @Override
            public void stored() {
            }

            @Override
            public void notStored(RuntimeException cause) {
                notStored.add(cause);
            }
        }, BACK_OFF, pauses);
        consumer.start();
    }

    @AfterEach
    void stopConsumer() {
        consumer.stop();
        connectionFactory.destroy();
        pauses.shutdownNow();
        broker.close();
    }

    @Test
    void aMessageTheStoreRefusedIsNotAckedAndIsStoredOnceAfterThePause() throws Exception {
        failuresLeft = 1;
        broker.publish(QUEUE, "order-1", "{\"order\":1}");

        await().atMost(Duration.ofSeconds(20)).until(() -> stored.containsKey("order-1"));
        assertThat(attemptsAt).hasSize(2);
        assertThat(Duration.ofNanos(attemptsAt.get(1) - attemptsAt.get(0)))
                .as("the consumer paused instead of taking the message back at once")
                .isGreaterThanOrEqualTo(BACK_OFF.minusMillis(50));
        assertThat(stored).containsExactly(Map.entry("order-1", "{\"order\":1}"));
        assertThat(notStored).as("the failed store was reported once").hasSize(1);
        assertThat(consumer.pauses()).isOne();

        // Acked: stopping the consumer gives nothing back to the queue.
        await().atMost(Duration.ofSeconds(5)).until(consumer::isConsuming);
        consumer.stop();
        assertThat(broker.ready(QUEUE)).isZero();
    }

    @Test
    void aStoredMessageIsAckedAndTheConsumerGoesOn() throws Exception {
        broker.publish(QUEUE, "order-2", "{\"order\":2}");
        broker.publish(QUEUE, null, "{\"order\":3}");

        await().atMost(Duration.ofSeconds(20)).until(() -> stored.size() == 2);
        assertThat(stored).containsKey("order-2");
        assertThat(stored.keySet()).anyMatch(id -> id.startsWith("sha256:"));
        assertThat(attemptsAt).hasSize(2);
        consumer.stop();
        assertThat(broker.ready(QUEUE)).isZero();
    }

    @Test
    void messagesWaitingInTheQueueAreStoredInOneCommitAndAckedTogether() throws Exception {
        consumer.stop();
        List<Integer> commits = new CopyOnWriteArrayList<>();
        QueueConsumer.Store batches = new QueueConsumer.Store() {
            @Override
            public void accept(String integration, String deliveryId, byte[] body, String type, String headers) {
                acceptAll(integration, List.of(new Delivery(deliveryId, body, type, headers)));
            }

            @Override
            public void acceptAll(String integration, List<Delivery> deliveries) {
                commits.add(deliveries.size());
                deliveries.forEach(d -> stored.put(d.deliveryId(), new String(d.payload())));
            }
        };
        QueueConsumer batching = new QueueConsumer("orders-batched", connectionFactory, QUEUE, 8, batches,
                new QueueConsumer.Outcomes() {
                    @Override
                    public void stored() {
                    }

                    @Override
                    public void notStored(RuntimeException cause) {
                        notStored.add(cause);
                    }
                }, BACK_OFF, pauses);
        try {
            for (int i = 0; i < 20; i++) {
                broker.publish(QUEUE, "order-b" + i, "{\"order\":" + i + "}");
            }
            batching.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> stored.size() == 20);
            assertThat(commits.stream().mapToInt(Integer::intValue).sum()).as("each message stored once").isEqualTo(20);
            assertThat(commits).as("the waiting messages shared commits, none larger than the batch")
                    .hasSizeLessThan(20).allSatisfy(size -> assertThat(size).isBetween(1, 8));
            assertThat(notStored).isEmpty();
            batching.stop();
            assertThat(broker.ready(QUEUE)).as("every batch was acknowledged").isZero();
        } finally {
            batching.stop();
        }
    }

    @Test
    void aRefusedLoginAtStartLeavesTheMessageOnTheQueueAndDoesNotStopTheStart() throws Exception {
        consumer.stop();
        broker.publish(QUEUE, "order-4", "{\"order\":4}");
        CachingConnectionFactory refused = QueueTriggers.broker(new ConnectionsProperties.Connection(
                ConnectionKind.AMQP, null, null, null, null, 0, 0, null, broker.url(), "guest", "not-the-password",
                null));
        QueueConsumer locked = new QueueConsumer("orders-locked", refused, QUEUE, Source.DEFAULT_BATCH, (integration, deliveryId, body, type,
                headers) -> stored.put(deliveryId, "by the locked-out consumer"), new QueueConsumer.Outcomes() {
                    @Override
                    public void stored() {
                    }

                    @Override
                    public void notStored(RuntimeException cause) {
                    }
                }, BACK_OFF, pauses);
        try {
            // Spring AMQP's default would throw FatalListenerStartupException here and fail the server's start.
            locked.start();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(stored::isEmpty);
            assertThat(stored).isEmpty();
            assertThat(broker.ready(QUEUE)).as("the message waits for a consumer that may log in").isOne();
        } finally {
            locked.stop();
            refused.destroy();
        }
    }
}

package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.source.SourceOutages;
import io.switchboard.support.TcpFaultProxy;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MQTT consumer alone against the real Mosquitto (a topic prefix of its own), with a store
 * that fails on demand: a message is acknowledged only after the store returned, one the store
 * refused comes back after the consumer's pause and is stored once, and messages published
 * while the consumer is away wait in its persistent session; two nodes share the messages.
 */
class MqttConsumerTest {

    private static final Duration BACK_OFF = Duration.ofMillis(700);

    private final TestMqttBroker broker = new TestMqttBroker();
    private final String integration = "mqtt-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final FlakyStore store = new FlakyStore();
    private final Alerts alerts = mock(Alerts.class);
    private final SourceOutages outages = new SourceOutages(alerts);
    private ScheduledExecutorService pauses;
    private MqttConsumer consumer;
    private MqttConsumer otherNode;

    @BeforeEach
    void startConsumer() {
        pauses = Executors.newSingleThreadScheduledExecutor();
        consumer = newConsumer();
        consumer.start();
        await().atMost(Duration.ofSeconds(20)).until(consumer::isConsuming);
    }

    @AfterEach
    void endSession() throws Exception {
        consumer.stop();
        if (otherNode != null) {
            otherNode.stop();
            TestMqttBroker.endSession(MqttConsumer.clientId(integration, "node-b"));
        }
        pauses.shutdownNow();
        TestMqttBroker.endSession(MqttConsumer.clientId(integration, "node-a"));
    }

    private MqttConsumer newConsumer() {
        return newConsumer(TestMqttBroker.URL);
    }

    private MqttConsumer newConsumer(String url) {
        return newConsumer(url, "node-a", QueueTriggers.reportingOutages(store, outages));
    }

    private MqttConsumer newConsumer(String url, String node, QueueConsumer.Store to) {
        ConnectionsProperties.Connection connection = new ConnectionsProperties.Connection(ConnectionKind.MQTT, null,
                null, null, null, 0, 0, null, url, null, null, null);
        return new MqttConsumer(integration, MqttConsumer.clientId(integration, node), connection,
                broker.prefix + "orders/#", to, () -> { }, BACK_OFF, Duration.ofMinutes(5), pauses);
    }

    @Test
    void twoNodesStayConnectedAndShareTheMessagesEachStoredOnce() throws Exception {
        Map<String, AtomicInteger> takenBy = new ConcurrentHashMap<>();
        otherNode = newConsumer(TestMqttBroker.URL, "node-b", (integration, deliveryId, body, type, headers) -> {
            takenBy.computeIfAbsent("node-b", node -> new AtomicInteger()).incrementAndGet();
            store.accept(integration, deliveryId, body, type, headers);
        });
        otherNode.start();
        await().atMost(Duration.ofSeconds(20)).until(otherNode::isConsuming);
        int messages = 20;

        for (int i = 1; i <= messages; i++) {
            broker.publish(broker.prefix + "orders/" + i, "shared-" + i, "{\"order\":" + i + "}");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> store.stored.size() == messages);
        // Both sessions alive all along: with one client id the second connect would have cut the first off.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> consumer.isConsuming() && otherNode.isConsuming());
        assertThat(store.attemptsAt).as("each message went to one node of the shared subscription").hasSize(messages);
        assertThat(store.deliveries.values()).allMatch(count -> count.get() == 1);
        assertThat(takenBy.get("node-b")).as("the broker shares the messages between the nodes").isNotNull()
                .satisfies(taken -> assertThat(taken.get()).isBetween(1, messages - 1));
    }

    @Test
    void messagesTheStoreRefusedStayAtTheBrokerAndAreStoredOnceAfterThePauseWithOneAlert() throws Exception {
        store.failNext(3);
        broker.publish(broker.prefix + "orders/1", "order-1", "{\"order\":1}");
        broker.publish(broker.prefix + "orders/2", "order-2", "{\"order\":2}");
        broker.publish(broker.prefix + "orders/3", "order-3", "{\"order\":3}");

        await().atMost(Duration.ofSeconds(30)).until(() -> store.stored.size() == 3);
        assertThat(store.stored).containsKeys("order-1", "order-2", "order-3");
        assertThat(store.deliveries.values()).allMatch(count -> count.get() == 1);
        assertThat(store.attemptsAt).as("three refused, then three stored").hasSize(6);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(Duration.ofNanos(store.attemptsAt.get(attempt) - store.attemptsAt.get(attempt - 1)))
                    .as("the consumer paused before it took the refused message back")
                    .isGreaterThanOrEqualTo(BACK_OFF.minusMillis(50));
        }
        verify(alerts, times(1)).raise(eq(integration), anyString(), anyString(), anyString());
        verify(alerts, times(1)).resolve(anyString());
        await().atMost(Duration.ofSeconds(10)).until(consumer::isConsuming);
    }

    @Test
    void aStoredMessageIsAcknowledgedSoTheResumedSessionDoesNotBringItBack() throws Exception {
        broker.publish(broker.prefix + "orders/4", "order-4", "{\"order\":4}");
        await().atMost(Duration.ofSeconds(20)).until(() -> store.stored.containsKey("order-4"));

        consumer.stop();
        consumer = newConsumer();
        consumer.start();
        broker.publish(broker.prefix + "orders/5", "order-5", "{\"order\":5}");

        await().atMost(Duration.ofSeconds(20)).until(() -> store.stored.containsKey("order-5"));
        assertThat(store.attemptsAt).as("order-4 was acknowledged, so it was not delivered again").hasSize(2);
    }

    @Test
    void aConnectionLostBetweenTheCommitAndTheAckBringsTheMessageBackAsADuplicateNotALoss() throws Exception {
        consumer.stop();
        try (TcpFaultProxy network = new TcpFaultProxy("127.0.0.1", 1883)) {
            consumer = newConsumer("tcp://127.0.0.1:" + network.port());
            consumer.start();
            await().atMost(Duration.ofSeconds(20)).until(consumer::isConsuming);
            // Committed, then the node is cut off before its PUBACK leaves: what a kill -9 there does.
            store.afterNextCommit(network::cut);
            broker.publish(broker.prefix + "orders/9", "order-9", "{\"order\":9}");
            await().atMost(Duration.ofSeconds(20)).until(() -> store.stored.containsKey("order-9"));

            network.restore();

            await().atMost(Duration.ofSeconds(30)).until(() -> store.deliveries.get("order-9").get() == 2);
            assertThat(store.stored).containsOnlyKeys("order-9");
            await().atMost(Duration.ofSeconds(20)).until(consumer::isConsuming);
            broker.publish(broker.prefix + "orders/10", "order-10", "{\"order\":10}");
            await().atMost(Duration.ofSeconds(20)).until(() -> store.stored.containsKey("order-10"));
            assertThat(store.deliveries.get("order-9").get()).as("acknowledged the second time").isEqualTo(2);
        }
    }

    @Test
    void messagesPublishedWhileTheConsumerIsAwayWaitInItsSession() throws Exception {
        consumer.stop();
        broker.publish(broker.prefix + "orders/6", "order-6", "{\"order\":6}");
        broker.publish(broker.prefix + "orders/7", (String) null, "{\"order\":7}");

        consumer = newConsumer();
        consumer.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> store.stored.size() == 2);
        assertThat(store.stored).containsEntry("order-6", "{\"order\":6}");
        assertThat(store.idOf("{\"order\":7}")).as("no message-id: a digest of topic and payload")
                .startsWith("sha256:");
    }

    @Test
    void theRouteSeesTheTopicAndThePublishersPropertiesNotItsSecrets() throws Exception {
        broker.publish(broker.prefix + "orders/8", List.of(new UserProperty("message-id", "order-8"),
                new UserProperty("Api-Key", "live-key-123"), new UserProperty("shop", "berlin")), "{\"order\":8}");

        await().atMost(Duration.ofSeconds(20)).until(() -> store.headers.containsKey("order-8"));
        assertThat(store.headers.get("order-8")).contains("\"mqtt-topic\":\"" + broker.prefix + "orders/8\"")
                .contains("\"mqtt-qos\":\"1\"").contains("\"message-id\":\"order-8\"")
                .contains("\"shop\":\"berlin\"").contains("\"api-key\":\"***\"").doesNotContain("live-key-123");
    }
}

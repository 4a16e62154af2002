package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.switchboard.integration.CardReload;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The MQTT 5 and NATS JetStream queue examples of {@code src/docs/writing-integrations.md}
 * against the machine's Mosquitto and NATS, under a topic prefix and a stream of their own: each
 * message becomes one event that ends DONE, the same message id again is a duplicate, and
 * messages without an id are told apart (MQTT by topic and payload, NATS by stream sequence).
 * An MQTT card saved while the server runs starts its consumer; deleting it stops it.
 */
@TestPropertySource(properties = {"switchboard.queue.enabled=true", "switchboard.queue.mqtt-session-expiry=5m"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerIntakeExamplesTest extends IntegrationTestSupport {

    private static final TestMqttBroker mqtt = new TestMqttBroker();
    private static TestNatsServer nats;
    private static TestBroker amqp;

    @DynamicPropertySource
    static void ownTopicsAndStream(DynamicPropertyRegistry registry) throws Exception {
        nats = new TestNatsServer();
        nats.createStream();
        // The queue example's AMQP consumer starts too: on a vhost of its own, not one that may be gone.
        amqp = new TestBroker("sb-test-broker-examples-" + UUID.randomUUID().toString().substring(0, 8));
        registry.add("switchboard.connections.orders-broker.url", amqp::url);
        registry.add("switchboard.connections.sensors.url", () -> TestMqttBroker.URL);
        registry.add("switchboard.integrations.mqtt-intake.source.topic", () -> mqtt.prefix + "shop/orders/#");
        registry.add("switchboard.connections.events.url", () -> TestNatsServer.URL);
        registry.add("switchboard.integrations.nats-intake.source.topic", () -> nats.prefix + ".orders.created");
    }

    @Autowired
    private QueueTriggers triggers;

    @Autowired
    private CardReload cards;

    /** Consumers stopped first, so none makes its session or a stream again while they are deleted. */
    @AfterAll
    void deleteSessionAndStream() throws Exception {
        triggers.stop();
        TestMqttBroker.endSession(triggers.mqttClientId("mqtt-intake"));
        nats.deleteStream(NatsConsumer.durableName("nats-intake"));
        nats.close();
        amqp.close();
    }

    @Test
    void anMqttMessageBecomesOneEventUnderItsMessageId() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        mqtt.publish(mqtt.prefix + "shop/orders/berlin", messageId, "{\"orderId\":\"" + messageId + "\"}");

        String eventId = awaitEvent("mqtt-intake", messageId);
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select payload from event where id = ?", String.class, eventId))
                .isEqualTo("{\"orderId\":\"" + messageId + "\"}");
        assertThat(jdbc.queryForObject("select headers from event where id = ?", String.class, eventId))
                .contains("\"mqtt-topic\":\"" + mqtt.prefix + "shop/orders/berlin\"");
    }

    @Test
    void theSameMqttMessageIdAgainIsADuplicate() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        mqtt.publish(mqtt.prefix + "shop/orders/berlin", messageId, "{\"n\":1}");
        mqtt.publish(mqtt.prefix + "shop/orders/berlin", messageId, "{\"n\":1}");

        String eventId = awaitEvent("mqtt-intake", messageId);
        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events("mqtt-intake", messageId)).hasSize(1);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void twoDifferentMqttMessagesWithoutAnIdAreTwoEvents() throws Exception {
        String order = UUID.randomUUID().toString();
        mqtt.publish(mqtt.prefix + "shop/orders/hamburg", (String) null, "{\"order\":\"" + order + "\",\"line\":1}");
        mqtt.publish(mqtt.prefix + "shop/orders/hamburg", (String) null, "{\"order\":\"" + order + "\",\"line\":2}");

        List<String> ids = awaitEvents("mqtt-intake", order, 2);
        assertThat(ids).allMatch(id -> id.startsWith("sha256:")).doesNotHaveDuplicates();
        awaitAllDone("mqtt-intake", order);
    }

    @Test
    void aNatsMessageBecomesOneEventUnderItsMsgId() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        nats.publish(nats.prefix + ".orders.created", messageId, "{\"orderId\":\"" + messageId + "\"}");

        String eventId = awaitEvent("nats-intake", messageId);
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select payload from event where id = ?", String.class, eventId))
                .isEqualTo("{\"orderId\":\"" + messageId + "\"}");
    }

    @Test
    void theSameNatsMsgIdPublishedAgainAfterTheStreamsDuplicateWindowIsADuplicate() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        nats.publish(nats.prefix + ".orders.created", messageId, "{\"n\":1}");
        String eventId = awaitEvent("nats-intake", messageId);
        // The test stream forgets publish ids after 100 ms, so this one reaches the inbox.
        nats.publish(nats.prefix + ".orders.created", messageId, "{\"n\":1}");

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events("nats-intake", messageId)).hasSize(1);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void twoNatsMessagesWithoutAnIdAreTwoEventsUnderTheirStreamSequence() throws Exception {
        String order = UUID.randomUUID().toString();
        nats.publish(nats.prefix + ".orders.created", null, "{\"order\":\"" + order + "\",\"line\":1}");
        nats.publish(nats.prefix + ".orders.created", null, "{\"order\":\"" + order + "\",\"line\":2}");

        List<String> ids = awaitEvents("nats-intake", order, 2);
        assertThat(ids).allMatch(id -> id.startsWith(nats.stream + "@")).doesNotHaveDuplicates();
        awaitAllDone("nats-intake", order);
    }

    @Test
    void theDocsShowTheseRoutes() throws Exception {
        assertDocsShowRouteFile("mqtt-intake.camel.yaml");
        assertDocsShowRouteFile("nats-intake.camel.yaml");
    }

    @Test
    void anMqttCardSavedWhileTheServerRunsConsumesAndDeletingItStopsTheConsumer(@TempDir Path routes)
            throws Exception {
        Path card = Files.writeString(routes.resolve("mqtt-probe.card.yaml"), """
                trigger: queue
                source:
                  connection: sensors
                  topic: "%sprobe/#"
                card:
                  description: MQTT messages of a card saved while the test runs
                  owner: tests
                """.formatted(mqtt.prefix));
        try {
            assertThat(cards.reload(card, "file:" + card)).contains("mqtt-probe");
            await().atMost(Duration.ofSeconds(20)).until(() -> triggers.isConsuming("mqtt-probe"));
            String messageId = "probe-" + UUID.randomUUID();
            mqtt.publish(mqtt.prefix + "probe/1", messageId, "{\"probe\":1}");
            awaitEvent("mqtt-probe", messageId);

            Files.delete(card);
            assertThat(cards.reload(card, "file:" + card)).contains("mqtt-probe");
            assertThat(triggers.isConsuming("mqtt-probe")).as("stopped with its card").isFalse();
        } finally {
            TestMqttBroker.endSession(triggers.mqttClientId("mqtt-probe"));
        }
    }

    private String awaitEvent(String integration, String deliveryId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events(integration, deliveryId).size() == 1);
        return events(integration, deliveryId).get(0);
    }

    private List<String> events(String integration, String deliveryId) {
        return jdbc.queryForList("select id from event where integration = ? and delivery_id = ?", String.class,
                integration, deliveryId);
    }

    /** The delivery ids of the events whose payload mentions {@code text}, once there are {@code count}. */
    private List<String> awaitEvents(String integration, String text, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveryIds(integration, text).size() == count);
        return deliveryIds(integration, text);
    }

    private List<String> deliveryIds(String integration, String text) {
        return jdbc.queryForList("select delivery_id from event where integration = ? and payload like ?",
                String.class, integration, "%" + text + "%");
    }

    private void awaitAllDone(String integration, String text) {
        for (String eventId : jdbc.queryForList("select id from event where integration = ? and payload like ?",
                String.class, integration, "%" + text + "%")) {
            awaitStatus(eventId, "DONE");
        }
    }
}

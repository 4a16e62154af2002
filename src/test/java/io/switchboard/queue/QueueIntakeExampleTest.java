package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The queue example of {@code src/docs/writing-integrations.md} against the real RabbitMQ, in a
 * vhost of its own: each message on the queue becomes one event, a redelivered message is a
 * duplicate, and messages without an id are told apart by their content.
 */
@TestPropertySource(properties = {"switchboard.queue.enabled=true", "switchboard.connection-probes.enabled=true"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class QueueIntakeExampleTest extends IntegrationTestSupport {

    private static final String QUEUE = "orders";
    private static TestBroker broker;

    @DynamicPropertySource
    static void ownVhost(DynamicPropertyRegistry registry) throws Exception {
        broker = new TestBroker("sb-test-queue-intake-" + UUID.randomUUID().toString().substring(0, 8));
        broker.declareQueue(QUEUE);
        registry.add("switchboard.connections.orders-broker.url", broker::url);
    }

    @AfterAll
    static void deleteVhost() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPublishedMessageBecomesOneEventUnderItsMessageId() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        broker.publish(QUEUE, messageId, "{\"orderId\":\"" + messageId + "\"}");

        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select payload from event where id = ?", String.class, eventId))
                .isEqualTo("{\"orderId\":\"" + messageId + "\"}");
        assertThat(broker.ready(QUEUE)).isZero();
    }

    @Test
    void theSameMessageIdAgainIsADuplicate() throws Exception {
        String messageId = "order-" + UUID.randomUUID();
        broker.publish(QUEUE, messageId, "{\"n\":1}");
        broker.publish(QUEUE, messageId, "{\"n\":1}");

        String eventId = awaitEvent(messageId);
        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events(messageId)).hasSize(1);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void twoMessagesWithoutAnIdAndDifferentBodiesAreTwoEvents() throws Exception {
        String order = UUID.randomUUID().toString();
        broker.publish(QUEUE, null, "{\"order\":\"" + order + "\",\"line\":1}");
        broker.publish(QUEUE, null, "{\"order\":\"" + order + "\",\"line\":2}");

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForList("select id from event where "
                + "integration = 'queue-intake' and payload like ?", String.class, "%" + order + "%").size() == 2);
        List<String> ids = jdbc.queryForList("select delivery_id from event where integration = 'queue-intake' "
                + "and payload like ?", String.class, "%" + order + "%");
        assertThat(ids).allMatch(id -> id.startsWith("sha256:")).doesNotHaveDuplicates();
        for (String eventId : jdbc.queryForList("select id from event where integration = 'queue-intake' and "
                + "payload like ?", String.class, "%" + order + "%")) {
            awaitStatus(eventId, "DONE");
        }
    }

    @Test
    void theDocsShowThisRoute() throws Exception {
        assertDocsShowRouteFile("queue-intake.camel.yaml");
    }

    private String awaitEvent(String deliveryId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(deliveryId).size() == 1);
        return events(deliveryId).get(0);
    }

    private List<String> events(String deliveryId) {
        return jdbc.queryForList("select id from event where integration = 'queue-intake' and delivery_id = ?",
                String.class, deliveryId);
    }

    @Test
    void theBrokerIsAConnectionWithItsStateAndNoPassword() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode broker = null;
            for (JsonNode connection : asAdmin("GET", "/api/connections", null)) {
                if (connection.path("name").asText().equals("orders-broker")) {
                    broker = connection;
                }
            }
            assertThat(broker).isNotNull();
            assertThat(broker.path("kind").asText()).isEqualTo("amqp");
            assertThat(broker.path("address").asText()).startsWith("amqp://127.0.0.1:5672/");
            assertThat(broker.path("state").asText()).as(broker.path("detail").asText()).isEqualTo("ok");
            assertThat(broker.toString()).doesNotContain("guest\"", "password");
        });
        JsonNode card = null;
        for (JsonNode integration : asAdmin("GET", "/api/integrations", null)) {
            if (integration.path("id").asText().equals("queue-intake")) {
                card = integration;
            }
        }
        assertThat(card).isNotNull();
        assertThat(card.path("connections").toString()).contains("orders-broker");
    }
}

package io.switchboard.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The outbox example of {@code src/docs/writing-integrations.md} ({@code outbox-intake}) against a
 * real database, one subclass per database, each in a database of its own: a committed row becomes
 * one event under {@code outbox:outbox:<row id>}, is marked processed, and the same row id again is
 * a duplicate.
 */
@TestPropertySource(properties = {"switchboard.outbox.enabled=true", "switchboard.outbox.delay=100ms"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class OutboxIntakeContract extends IntegrationTestSupport {

    abstract ShopDatabase shop();

    @Test
    void aCommittedRowBecomesOneEventUnderItsRowIdAndIsMarkedProcessed() throws Exception {
        String id = UUID.randomUUID().toString();
        shop().insert(id, "order", "o-1001", "order.placed", "{\"orderId\": \"o-1001\", \"total\": 42}");

        String eventId = awaitEvent("outbox:outbox:" + id);
        awaitStatus(eventId, "DONE");
        assertThat(json.readTree(jdbc.queryForObject("select payload from event where id = ?", String.class, eventId)))
                .isEqualTo(json.readTree("{\"orderId\": \"o-1001\", \"total\": 42}"));
        assertThat(json.readTree(jdbc.queryForObject("select headers from event where id = ?", String.class, eventId)))
                .isEqualTo(json.readTree("{\"aggregatetype\":\"order\",\"aggregateid\":\"o-1001\","
                        + "\"type\":\"order.placed\"}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> shop().processed(id));
    }

    @Test
    void theSameRowIdAgainIsADuplicate() throws Exception {
        String id = UUID.randomUUID().toString();
        shop().insert(id, "order", "o-2002", "order.placed", "{\"orderId\": \"o-2002\"}");
        String eventId = awaitEvent("outbox:outbox:" + id);
        await().atMost(Duration.ofSeconds(20)).until(() -> shop().processed(id));

        // The application writes the same event again (a retried transaction, a restored backup).
        shop().delete(id);
        shop().insert(id, "order", "o-2002", "order.placed", "{\"orderId\": \"o-2002\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> shop().processed(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events("outbox:outbox:" + id)).hasSize(1);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void twoRowsAreTwoEvents() throws Exception {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        shop().insert(first, "order", "o-3003", "order.placed", "{\"line\": 1}");
        shop().insert(second, "order", "o-3003", "order.paid", "{\"line\": 2}");

        String firstEvent = awaitEvent("outbox:outbox:" + first);
        String secondEvent = awaitEvent("outbox:outbox:" + second);
        assertThat(firstEvent).isNotEqualTo(secondEvent);
        awaitStatus(firstEvent, "DONE");
        awaitStatus(secondEvent, "DONE");
        await().atMost(Duration.ofSeconds(20)).until(() -> shop().processed(first) && shop().processed(second));
    }

    String awaitEvent(String deliveryId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(deliveryId).size() == 1);
        return events(deliveryId).get(0);
    }

    List<String> events(String deliveryId) {
        return jdbc.queryForList("select id from event where integration = 'outbox-intake' and delivery_id = ?",
                String.class, deliveryId);
    }
}

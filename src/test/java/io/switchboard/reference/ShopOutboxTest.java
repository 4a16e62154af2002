package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * shop-outbox end to end against the sandbox's shop database (H2 in the server, a database of
 * this test's own), the way the demo runs it: an order the shop commits with its outbox row
 * becomes one event and one chat line, and the row is marked processed; the same row read again
 * and the same order in a second row post nothing more.
 */
@TestPropertySource(properties = {
        "switchboard.outbox.enabled=true",
        "switchboard.outbox.delay=200ms",
        "switchboard.outbox.back-off=1s",
        "switchboard.sandbox.stand-ins.shop-db.enabled=true",
        "switchboard.sandbox.stand-ins.shop-db.url=" + ShopOutboxTest.SHOP,
        "switchboard.connections.sandbox-shop-db.url=" + ShopOutboxTest.SHOP,
        // The test profile's outbox-intake example reads shop-db, which config/ points at the stand-in:
        // elsewhere here (an empty database), or it would take half of the rows.
        "switchboard.connections.shop-db.url=jdbc:h2:mem:shop-outbox-test-examples"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ShopOutboxTest extends IntegrationTestSupport {

    static final String SHOP = "jdbc:h2:mem:shop-outbox-test;DB_CLOSE_DELAY=-1";

    @Autowired
    private ConnectionsProperties connections;

    @Test
    void anOrderCommittedWithItsOutboxRowBecomesOneChatLineAndTheRowIsMarkedProcessed() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String outboxId = place(orderId, "ada." + orderId + "@analytical-engines.co.uk", 4250);

        String eventId = awaitEvent(outboxId);
        awaitStatus(eventId, "DONE");

        await().atMost(Duration.ofSeconds(20)).until(() -> processed(outboxId));
        assertThat(chatsContaining(orderId)).containsExactly("Order " + orderId + " placed: 42.50 EUR by ada."
                + orderId + "@analytical-engines.co.uk");
    }

    @Test
    void theSameRowReadAgainIsADuplicateWithNoSecondMessage() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String outboxId = place(orderId, "grace." + orderId + "@difference-works.io", 1999);
        String eventId = awaitEvent(outboxId);
        awaitStatus(eventId, "DONE");
        await().atMost(Duration.ofSeconds(20)).until(() -> processed(outboxId));

        // As if the node died between the inbox commit and the mark: the row is read again.
        update("update outbox set processed_at = null where id = ?", outboxId);

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        await().atMost(Duration.ofSeconds(20)).until(() -> processed(outboxId));
        assertThat(events(outboxId)).hasSize(1);
        assertThat(chatsContaining(orderId)).containsExactly("Order " + orderId + " placed: 19.99 EUR by grace."
                + orderId + "@difference-works.io");
    }

    @Test
    void theSameOrderInASecondRowPostsNothingTwice() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String first = place(orderId, "alan." + orderId + "@bletchley.example", 700);
        awaitStatus(awaitEvent(first), "DONE");

        String again = UUID.randomUUID().toString();
        insert(again, orderId, "{\"orderId\":\"" + orderId + "\",\"totalCents\":700,\"currency\":\"EUR\"}");

        awaitStatus(awaitEvent(again), "DONE");
        await().atMost(Duration.ofSeconds(20)).until(() -> processed(again));
        assertThat(chatsContaining(orderId)).hasSize(1);
    }

    @Test
    void aRowWithoutAnOrderIdIsParkedForReviewAndPostsNothing() throws Exception {
        String marker = "no-order-" + UUID.randomUUID().toString().substring(0, 8);
        String outboxId = UUID.randomUUID().toString();
        insert(outboxId, marker, "{\"totalCents\":100,\"email\":\"" + marker + "@example.com\"}");

        String eventId = awaitEvent(outboxId);
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
        await().atMost(Duration.ofSeconds(20)).until(() -> processed(outboxId));
        assertThat(chatsContaining(marker)).isEmpty();
    }

    @Test
    void theWritingGuideListsThisIntegration() throws Exception {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        assertThat(doc).contains("`shop-outbox`").contains("routes/shop-outbox.camel.yaml");
    }

    /** Places the order as the shop does (the order and its outbox row in one transaction); its outbox row's id. */
    private String place(String orderId, String email, long totalCents) throws Exception {
        HttpResponse<String> placed = operator().post("/sandbox/shop-db/orders", "{\"orderId\":\"" + orderId
                + "\",\"email\":\"" + email + "\",\"totalCents\":" + totalCents + "}");
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        return json.readTree(placed.body()).get("outboxId").asText();
    }

    private String awaitEvent(String outboxId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(outboxId).size() == 1);
        return events(outboxId).get(0);
    }

    private List<String> events(String outboxId) {
        return jdbc.queryForList("select id from event where integration = 'shop-outbox' and delivery_id = ?",
                String.class, "outbox:outbox:" + outboxId);
    }

    private boolean processed(String outboxId) throws SQLException {
        try (Connection db = shop();
             PreparedStatement select = db.prepareStatement("select processed_at from outbox where id = ?")) {
            select.setString(1, outboxId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getTimestamp(1) != null;
            }
        }
    }

    private void insert(String id, String aggregateId, String payload) throws SQLException {
        try (Connection db = shop(); PreparedStatement insert = db.prepareStatement("insert into outbox (id, "
                + "aggregatetype, aggregateid, type, payload, created_at) values (?, 'order', ?, 'order.placed', ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, aggregateId);
            insert.setString(3, payload);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private void update(String sql, String id) throws SQLException {
        try (Connection db = shop(); PreparedStatement update = db.prepareStatement(sql)) {
            update.setString(1, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private Connection shop() throws SQLException {
        ConnectionsProperties.Connection shopDb = connections.connections().get("sandbox-shop-db");
        return DriverManager.getConnection(shopDb.url(), shopDb.username(), shopDb.password());
    }
}

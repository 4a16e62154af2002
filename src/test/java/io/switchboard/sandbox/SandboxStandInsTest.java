package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.support.IntegrationTestSupport;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The sandbox's stand-ins speak their real protocols to the connections that name them: the mail
 * server takes the mailbox connection's generated password over IMAP and nothing else, the shop
 * database takes the jdbc connection's and commits an order with its outbox row or neither, and a
 * dropped file lands whole in its folder. Their API answers the server's operators only.
 */
@TestPropertySource(properties = {
        "switchboard.sandbox.stand-ins.mail-server.enabled=true",
        "switchboard.sandbox.stand-ins.mail-server.smtp-port=0",
        "switchboard.sandbox.stand-ins.mail-server.imap-port=0",
        "switchboard.sandbox.stand-ins.shop-db.enabled=true",
        "switchboard.sandbox.stand-ins.shop-db.url=jdbc:h2:mem:stand-ins-test-shop;DB_CLOSE_DELAY=-1",
        "switchboard.sandbox.stand-ins.drop.enabled=true",
        "switchboard.sandbox.stand-ins.drop.directory=" + SandboxStandInsTest.DROP})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SandboxStandInsTest extends IntegrationTestSupport {

    static final String DROP = "target/sandbox-stand-ins-test-drop";

    @Autowired
    ConnectionsProperties connections;

    @AfterAll
    static void removeDropFolder() {
        FileSystemUtils.deleteRecursively(Path.of(DROP).toFile());
    }

    @Test
    void aMailSentThroughTheApiArrivesInTheDemoMailboxOverImap() throws Exception {
        String subject = "Where is my order " + UUID.randomUUID();
        HttpResponse<String> sent = operator().post("/sandbox/mail-server/messages",
                "{\"from\":\"ada@analytical-engines.co.uk\",\"subject\":\"" + subject + "\",\"text\":\"Order o-1 has not arrived.\"}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        assertThat(json.readTree(sent.body()).get("to").asText()).isEqualTo("support@shop.example");

        JsonNode received = operator().json("GET", "/sandbox/mail-server/messages", null);
        assertThat(received.findValuesAsText("subject")).contains(subject);

        ConnectionsProperties.Connection mailbox = connections.connections().get("shop-mailbox");
        assertThat(mailbox.password()).isNotBlank();
        try (Store store = imap(mailbox)) {
            store.connect(mailbox.username(), mailbox.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessages()).extracting(Message::getSubject).contains(subject);
            inbox.close(false);
        }
        try (Store store = imap(mailbox)) {
            assertThatThrownBy(() -> store.connect(mailbox.username(), "not-the-password"))
                    .isInstanceOf(AuthenticationFailedException.class);
        }
    }

    @Test
    void anOrderAndItsOutboxRowCommitTogetherOrNotAtAll() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String order = "{\"orderId\":\"" + orderId + "\",\"email\":\"ada@analytical-engines.co.uk\",\"totalCents\":4200}";
        HttpResponse<String> placed = operator().post("/sandbox/shop-db/orders", order);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        String outboxId = json.readTree(placed.body()).get("outboxId").asText();

        ConnectionsProperties.Connection shopDb = connections.connections().get("shop-db");
        try (Connection db = DriverManager.getConnection(shopDb.url(), shopDb.username(), shopDb.password())) {
            assertThat(count(db, "select count(*) from orders where id = '" + orderId + "'")).isEqualTo(1);
            try (ResultSet row = db.createStatement().executeQuery("select id, aggregatetype, type, payload, "
                    + "created_at, processed_at from outbox where aggregateid = '" + orderId + "'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString("id")).isEqualTo(outboxId);
                assertThat(row.getString("aggregatetype")).isEqualTo("order");
                assertThat(row.getString("type")).isEqualTo("order.placed");
                assertThat(json.readTree(row.getString("payload")).get("orderId").asText()).isEqualTo(orderId);
                assertThat(row.getTimestamp("created_at")).isNotNull();
                assertThat(row.getTimestamp("processed_at")).isNull();
            }

            HttpResponse<String> again = operator().post("/sandbox/shop-db/orders", order);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(count(db, "select count(*) from outbox where aggregateid = '" + orderId + "'")).isEqualTo(1);
        }
        assertThatThrownBy(() -> DriverManager.getConnection(shopDb.url(), shopDb.username(), "not-the-password"))
                .isInstanceOf(SQLException.class);
        assertThat(operator().json("GET", "/sandbox/shop-db/outbox", null).findValuesAsText("aggregateid"))
                .contains(orderId);
    }

    @Test
    void aDroppedFileLandsWholeInItsFolder() throws Exception {
        String name = "orders-" + UUID.randomUUID().toString().substring(0, 8) + ".csv";
        HttpResponse<String> dropped = operator().post("/sandbox/drop/partner/files/" + name, "sku,qty\nSB-1,2\n");
        assertThat(dropped.statusCode()).as(dropped.body()).isEqualTo(201);

        Path folder = Path.of(connections.connections().get("shop-drop").path(), "partner");
        assertThat(Files.readString(folder.resolve(name))).isEqualTo("sku,qty\nSB-1,2\n");
        try (var files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("."));
        }
        assertThat(operator().json("GET", "/sandbox/drop/partner/files", null).findValuesAsText("name")).contains(name);
        assertThat(operator().post("/sandbox/drop/partner/files/.hidden", "x").statusCode()).isEqualTo(400);
        assertThat(operator().post("/sandbox/drop/..%2Fescape/files/x.csv", "x").statusCode()).isEqualTo(400);
    }

    @Test
    void theStandInsAnswerTheServersOperatorsOnly() throws Exception {
        String order = "{\"email\":\"nobody@example.com\"}";
        assertThat(viewer().post("/sandbox/shop-db/orders", order).statusCode()).isEqualTo(403);
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(baseUrl() + "/sandbox/shop-db/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(viewer().get("/sandbox/mail-server/messages").statusCode()).isEqualTo(403);
        // The broker is off in this context: its API says so rather than failing.
        assertThat(operator().post("/sandbox/broker/queues/orders/messages", "{}").statusCode()).isEqualTo(404);
    }

    private static Store imap(ConnectionsProperties.Connection mailbox) throws Exception {
        URI url = URI.create(mailbox.url());
        Properties properties = new Properties();
        properties.put("mail.imap.host", url.getHost());
        properties.put("mail.imap.port", Integer.toString(url.getPort()));
        properties.put("mail.imap.connectiontimeout", "5000");
        properties.put("mail.imap.timeout", "5000");
        return Session.getInstance(properties).getStore("imap");
    }

    private static int count(Connection db, String sql) throws SQLException {
        try (ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

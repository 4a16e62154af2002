package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * partner-orders end to end against the sandbox's stand-ins (a drop folder, a shop database, a
 * mail server and a broker of this test's own, on free ports), the way the demo runs it: a
 * partner's order file becomes one event, a row per order in the shop's orders table, one
 * orders.accepted message, one mail to the order desk over SMTP and one chat line naming each
 * order, and only then moves to .done; the same batch in a second file does nothing more, a
 * replay after a failure repeats no effect, a re-run repeats what the docs say, and a file that
 * is not JSON is parked for review.
 */
@TestPropertySource(properties = {
        "switchboard.files.enabled=true",
        "switchboard.files.delay=200ms",
        "switchboard.files.back-off=1s",
        "switchboard.files.read-lock-check-interval=100ms",
        "switchboard.sandbox.stand-ins.drop.directory=" + PartnerOrdersTest.DROP,
        // The test profile's file-intake example reads the same way: its folder here too, empty.
        "switchboard.sandbox.stand-ins.drop.folders=partner-orders,orders",
        "switchboard.connections.partner-drop.path=" + PartnerOrdersTest.DROP,
        // The systems the route writes to: the stand-ins, as in the demo (the test profile points
        // shop-db at the outbox examples' PostgreSQL; no outbox trigger runs here).
        "switchboard.sandbox.stand-ins.shop-db.enabled=true",
        "switchboard.sandbox.stand-ins.shop-db.url=" + PartnerOrdersTest.SHOP,
        "switchboard.connections.shop-db.url=" + PartnerOrdersTest.SHOP,
        "switchboard.connections.shop-db.username=shop",
        "switchboard.sandbox.stand-ins.mail-server.enabled=true",
        "switchboard.sandbox.stand-ins.mail-server.smtp-port=0",
        "switchboard.sandbox.stand-ins.mail-server.imap-port=0",
        "switchboard.sandbox.stand-ins.broker.enabled=true",
        "switchboard.sandbox.stand-ins.broker.port=0"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PartnerOrdersTest extends IntegrationTestSupport {

    static final String DROP = "target/partner-orders-test-drop";
    static final String SHOP = "jdbc:h2:mem:partner-orders-test;DB_CLOSE_DELAY=-1";
    private static final Path FOLDER = Path.of(DROP, "partner-orders");
    private static final String ACCEPTED = "orders.accepted";

    @AfterAll
    static void removeDropFolder() {
        FileSystemUtils.deleteRecursively(Path.of(DROP).toFile());
    }

    @Test
    void aDroppedOrderFileBecomesRowsAMessageAMailAndAChatLineAndIsThenMovedToDone() throws Exception {
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        String name = batch + ".json";
        long acceptedBefore = ready(ACCEPTED);
        drop(name, batchFile(batch));

        String eventId = awaitEvent(name);
        awaitStatus(eventId, "DONE");

        assertThat(orders(batch)).extracting(o -> o.get("id").asText() + " " + o.get("customerEmail").asText() + " "
                        + o.get("totalCents").asLong() + " " + o.get("currency").asText() + " " + o.get("status").asText())
                .containsExactlyInAnyOrder(batch + "-1 ada@analytical-engines.co.uk 4200 EUR accepted",
                        batch + "-2 grace@difference-works.io 990 GBP accepted");
        assertThat(ready(ACCEPTED) - acceptedBefore).as("one orders.accepted message").isEqualTo(1);
        assertThat(mails(batch)).singleElement().satisfies(mail -> {
            assertThat(mail.get("to").toString()).contains("orders@shop.example");
            assertThat(mail.get("subject").asText()).isEqualTo("Partner batch " + batch
                    + " from Acme Resellers: 2 order(s) accepted");
            assertThat(mail.get("text").asText()).contains("- " + batch + "-1 for ada@analytical-engines.co.uk");
        });
        assertThat(chatsContaining(batch)).containsExactly("Partner Acme Resellers, batch " + batch
                + ": 2 orders: " + batch + "-1 (ada@analytical-engines.co.uk), " + batch + "-2 (grace@difference-works.io)");
        assertThat(steps(eventId)).containsSubsequence("shop-orders", "accepted-message", "order-desk-mail", "team-chat");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(FOLDER.resolve(".done").resolve(name)));
        assertThat(FOLDER.resolve(name)).doesNotExist();
    }

    @Test
    void theSameBatchInASecondFileDoesNothingTwice() throws Exception {
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        long acceptedBefore = ready(ACCEPTED);
        drop(batch + ".json", batchFile(batch));
        awaitStatus(awaitEvent(batch + ".json"), "DONE");

        // The partner exports the batch again under another name: a new file, the same batch.
        drop(batch + "-again.json", batchFile(batch));

        awaitStatus(awaitEvent(batch + "-again.json"), "DONE");
        assertThat(chatsContaining(batch)).hasSize(1);
        assertThat(orders(batch)).hasSize(2);
        assertThat(mails(batch)).hasSize(1);
        assertThat(ready(ACCEPTED) - acceptedBefore).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(FOLDER.resolve(".done").resolve(batch + "-again.json")));
    }

    @Test
    void aReplayAfterTheChatFailedRepeatsNoEffectAndAReRunRepeatsAllButTheRows() throws Exception {
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        long acceptedBefore = ready(ACCEPTED);
        String eventId;
        // The chat, the last step, refuses the line: the rows, the message and the mail are done by then.
        try (AutoCloseable refused = fault("{\"system\":\"chat\",\"status\":422,\"match\":\"" + batch + "\"}")) {
            drop(batch + ".json", batchFile(batch));
            eventId = awaitEvent(batch + ".json");
            awaitStatus(eventId, "DEAD");
        }
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
        String letter = (String) deadLetter(eventId).get("id");

        HttpResponse<String> replayed = callAs("operator", "POST", "/api/dead-letters/" + letter + "/replay", null);
        assertThat(replayed.statusCode()).as(replayed.body()).isLessThan(300);
        awaitStatus(eventId, "DONE");

        // Replayed: each effect once, the chat line now too.
        assertThat(orders(batch)).hasSize(2);
        assertThat(ready(ACCEPTED) - acceptedBefore).isEqualTo(1);
        assertThat(mails(batch)).hasSize(1);
        assertThat(chatsContaining(batch)).hasSize(1);
        assertThat(stepOutcomes(eventId, "shop-orders")).containsExactly("ok");
        assertThat(stepOutcomes(eventId, "order-desk-mail")).containsExactly("ok");

        // A re-run does every step again: the rows stay two and unchanged, the rest is sent again.
        HttpResponse<String> rerun = callAs("operator", "POST", "/api/events/" + eventId + "/rerun", null);
        assertThat(rerun.statusCode()).as(rerun.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> stepOutcomes(eventId, "team-chat").size() == 2);
        awaitStatus(eventId, "DONE");
        assertThat(orders(batch)).hasSize(2).allSatisfy(o -> assertThat(o.get("status").asText()).isEqualTo("accepted"));
        assertThat(ready(ACCEPTED) - acceptedBefore).as("the message again, under the same message id").isEqualTo(2);
        assertThat(mails(batch)).hasSize(2);
        assertThat(chatsContaining(batch)).hasSize(2);
    }

    @Test
    void aFileThatIsNotJsonIsParkedForReviewAndPostsNothing() throws Exception {
        String name = "broken-" + UUID.randomUUID().toString().substring(0, 8) + ".json";
        drop(name, "orderId;email\no-1;ada@analytical-engines.co.uk\n");

        String eventId = awaitEvent(name);
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(FOLDER.resolve(".done").resolve(name)));
    }

    @Test
    void theWritingGuideListsThisIntegration() throws Exception {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        assertThat(doc).contains("`partner-orders`").contains("routes/partner-orders.camel.yaml");
    }

    @Test
    void theWritingGuideShowsItsRowAndMailStepsAsTheRouteHasThem() throws Exception {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        String route = Files.readString(Path.of("routes/partner-orders.camel.yaml"));
        String rows = route.substring(route.indexOf("              # 1. The orders"), route.indexOf("              # 2."));
        String mail = route.substring(route.indexOf("              # 3. The order desk"), route.indexOf("              # 4."));
        assertThat(doc).contains(rows).contains(mail);
    }

    private static String batchFile(String batch) {
        return "{\"partner\":\"Acme Resellers\",\"batchId\":\"" + batch + "\",\"orders\":["
                + "{\"orderId\":\"" + batch + "-1\",\"email\":\"ada@analytical-engines.co.uk\",\"totalCents\":4200},"
                + "{\"orderId\":\"" + batch + "-2\",\"email\":\"grace@difference-works.io\",\"totalCents\":990,"
                + "\"currency\":\"GBP\"}]}";
    }

    /** The batch's rows in the shop's orders table (their ids start with the batch). */
    private List<JsonNode> orders(String batch) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        asAdmin("GET", "/sandbox/shop-db/orders", null).forEach(o -> {
            if (o.get("id").asText().startsWith(batch + "-")) {
                rows.add(o);
            }
        });
        return rows;
    }

    /** The mails the sandbox's mail server received about the batch. */
    private List<JsonNode> mails(String batch) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        asAdmin("GET", "/sandbox/mail-server/messages", null).forEach(m -> {
            if (m.path("subject").asText().contains(batch)) {
                found.add(m);
            }
        });
        return found;
    }

    /** Messages waiting on a queue of the sandbox's broker (nothing here consumes orders.accepted). */
    private long ready(String queue) throws Exception {
        return asAdmin("GET", "/sandbox/broker/queues/" + queue, null).get("ready").asLong();
    }

    private List<String> stepOutcomes(String eventId, String step) {
        return jdbc.queryForList("select outcome from event_step where event_id = ? and step = ? order by id",
                String.class, eventId, step);
    }

    private void drop(String name, String content) throws Exception {
        HttpResponse<String> dropped = operator().post("/sandbox/drop/partner-orders/files/" + name, content);
        assertThat(dropped.statusCode()).as(dropped.body()).isEqualTo(201);
    }

    private String awaitEvent(String name) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(name).size() == 1);
        return events(name).get(0);
    }

    private List<String> events(String name) {
        return jdbc.queryForList("select id from event where integration = 'partner-orders' and delivery_id like ?",
                String.class, "file:" + name + ":%");
    }
}

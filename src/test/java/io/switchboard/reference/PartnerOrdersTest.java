package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * partner-orders end to end against the sandbox's drop folders (a folder of this test's own), the
 * way the demo runs it: a partner's order file becomes one event and one chat line naming each
 * order, and only then moves to .done; the same batch in a second file posts nothing more, and a
 * file that is not JSON is parked for review.
 */
@TestPropertySource(properties = {
        "switchboard.files.enabled=true",
        "switchboard.files.delay=200ms",
        "switchboard.files.back-off=1s",
        "switchboard.files.read-lock-check-interval=100ms",
        "switchboard.sandbox.stand-ins.drop.directory=" + PartnerOrdersTest.DROP,
        // The test profile's file-intake example reads the same way: its folder here too, empty.
        "switchboard.sandbox.stand-ins.drop.folders=partner-orders,orders",
        "switchboard.connections.partner-drop.path=" + PartnerOrdersTest.DROP})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PartnerOrdersTest extends IntegrationTestSupport {

    static final String DROP = "target/partner-orders-test-drop";
    private static final Path FOLDER = Path.of(DROP, "partner-orders");

    @AfterAll
    static void removeDropFolder() {
        FileSystemUtils.deleteRecursively(Path.of(DROP).toFile());
    }

    @Test
    void aDroppedOrderFileBecomesOneChatLineAndIsThenMovedToDone() throws Exception {
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        String name = batch + ".json";
        drop(name, batchFile(batch));

        String eventId = awaitEvent(name);
        awaitStatus(eventId, "DONE");

        assertThat(chatsContaining(batch)).containsExactly("Partner Acme Resellers, batch " + batch
                + ": 2 orders: " + batch + "-1 (ada@analytical-engines.co.uk), " + batch + "-2 (grace@difference-works.io)");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(FOLDER.resolve(".done").resolve(name)));
        assertThat(FOLDER.resolve(name)).doesNotExist();
    }

    @Test
    void theSameBatchInASecondFilePostsNothingTwice() throws Exception {
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        drop(batch + ".json", batchFile(batch));
        awaitStatus(awaitEvent(batch + ".json"), "DONE");

        // The partner exports the batch again under another name: a new file, the same batch.
        drop(batch + "-again.json", batchFile(batch));

        awaitStatus(awaitEvent(batch + "-again.json"), "DONE");
        assertThat(chatsContaining(batch)).hasSize(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(FOLDER.resolve(".done").resolve(batch + "-again.json")));
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

    private static String batchFile(String batch) {
        return "{\"partner\":\"Acme Resellers\",\"batchId\":\"" + batch + "\",\"orders\":["
                + "{\"orderId\":\"" + batch + "-1\",\"email\":\"ada@analytical-engines.co.uk\",\"totalCents\":4200},"
                + "{\"orderId\":\"" + batch + "-2\",\"email\":\"grace@difference-works.io\",\"totalCents\":990}]}";
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

package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * order-intake end to end against the sandbox's own AMQP broker (Qpid Broker-J in the server,
 * on a free port), the way the demo runs it: an order published on the shop's queue becomes one
 * event, one CRM contact, one fulfilment task and one confirmation e-mail; the broker delivering
 * the same message again and the shop publishing the same order again change nothing.
 */
@TestPropertySource(properties = {
        "switchboard.queue.enabled=true",
        "switchboard.sandbox.stand-ins.broker.enabled=true",
        "switchboard.sandbox.stand-ins.broker.port=0"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OrderIntakeTest extends IntegrationTestSupport {

    @Test
    void anOrderOnTheQueueBecomesOneContactTaskAndConfirmation() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String email = "ada." + orderId + "@analytical-engines.co.uk";
        publish(orderId, order(orderId, email));

        String eventId = awaitEvent(orderId);
        awaitStatus(eventId, "DONE");

        JsonNode contacts = asAdmin("GET", "/sandbox/crm/contacts?email=" + enc(email), null);
        assertThat(contacts).hasSize(1);
        assertThat(contacts.get(0).get("source").asText()).isEqualTo("shop");
        JsonNode tasks = asAdmin("GET", "/sandbox/crm/tasks?contactId=" + contacts.get(0).get("id").asText(), null);
        assertThat(tasks).hasSize(1);
        assertThat(tasks.get(0).get("title").asText()).isEqualTo("Ship order " + orderId);
        assertThat(tasks.get(0).get("notes").asText()).isEqualTo("2 x Patch cable");
        assertThat(mailsTo(email)).singleElement()
                .satisfies(mail -> assertThat(mail.get("subject").asText()).isEqualTo("Your order " + orderId));
        assertThat(queueReady()).isZero();
    }

    @Test
    void theSameMessageDeliveredAgainIsADuplicateWithNoSecondEffect() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String email = "grace." + orderId + "@difference-works.io";
        publish(orderId, order(orderId, email));
        String eventId = awaitEvent(orderId);
        awaitStatus(eventId, "DONE");

        publish(orderId, order(orderId, email));

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events(orderId)).hasSize(1);
        assertThat(mailsTo(email)).hasSize(1);
        assertThat(tasksFor(email)).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> queueReady() == 0);
    }

    @Test
    void theSameOrderPublishedAgainUnderANewMessageIdDoesNothingTwice() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        String email = "alan." + orderId + "@bletchley.example";
        String first = orderId + "-first";
        String again = orderId + "-again";
        publish(first, order(orderId, email));
        awaitStatus(awaitEvent(first), "DONE");

        publish(again, order(orderId, email));

        awaitStatus(awaitEvent(again), "DONE");
        assertThat(mailsTo(email)).hasSize(1);
        assertThat(tasksFor(email)).hasSize(1);
    }

    @Test
    void anOrderWithoutAnEmailIsParkedForReviewAndReachesNoSystem() throws Exception {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        publish(orderId, "{\"orderId\":\"" + orderId + "\",\"items\":[]}");

        String eventId = awaitEvent(orderId);
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
    }

    @Test
    void theWritingGuideShowsThisRouteAndCard() throws Exception {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        String route = Files.readString(Path.of("routes/order-intake.camel.yaml"));
        assertThat(doc).contains(route.substring(route.indexOf("- route:")).strip())
                .contains(Files.readString(Path.of("routes/order-intake.card.yaml")).strip());
    }

    private void publish(String messageId, String body) throws Exception {
        HttpResponse<String> published = operator().post("/sandbox/broker/queues/orders/messages?messageId="
                + enc(messageId), body);
        assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
        assertThat(json.readTree(published.body()).get("messageId").asText()).isEqualTo(messageId);
    }

    private static String order(String orderId, String email) {
        return "{\"orderId\":\"" + orderId + "\",\"email\":\"" + email + "\",\"firstName\":\"Ada\","
                + "\"lastName\":\"Lovelace\",\"totalCents\":4200,\"currency\":\"EUR\","
                + "\"items\":[{\"sku\":\"SB-1\",\"name\":\"Patch cable\",\"quantity\":2}]}";
    }

    private String awaitEvent(String messageId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(messageId).size() == 1);
        return events(messageId).get(0);
    }

    private List<String> events(String messageId) {
        return jdbc.queryForList("select id from event where integration = 'order-intake' and delivery_id = ?",
                String.class, messageId);
    }

    private List<JsonNode> mailsTo(String email) throws Exception {
        return List.copyOf(asAdmin("GET", "/sandbox/mail/messages?to=" + enc(email), null).findParents("id"));
    }

    private List<JsonNode> tasksFor(String email) throws Exception {
        JsonNode contacts = asAdmin("GET", "/sandbox/crm/contacts?email=" + enc(email), null);
        assertThat(contacts).hasSize(1);
        return List.copyOf(asAdmin("GET", "/sandbox/crm/tasks?contactId=" + contacts.get(0).get("id").asText(), null)
                .findParents("id"));
    }

    private long queueReady() throws Exception {
        return operator().json("GET", "/sandbox/broker/queues/orders", null).get("ready").asLong();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Trying an integration before it goes live (test events) and running a stored event again
 * through the current route (re-runs), as an operator does from the console or the API.
 */
class TestEventsAndRerunTest extends IntegrationTestSupport {

    @AfterEach
    void cleanUp() throws Exception {
        clearFaults();
    }

    @Test
    void aWebhookTestEventIsCheckedStoredAsATestAndRunThroughTheRoute() throws Exception {
        String ticket = "T-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> sent = callAs("operator", "POST", "/api/integrations/ticket-alert/test-events",
                json.writeValueAsString(Map.of("ticketId", ticket, "email", "ada@analytical-engines.co.uk",
                        "subject", "Test of the alert")));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String eventId = json.readTree(sent.body()).get("eventId").asText();
        awaitStatus(eventId, "DONE");
        JsonNode event = json.readTree(callAs("viewer", "GET", "/api/events/" + eventId, null).body()).get("event");
        assertThat(event.get("test").asBoolean()).isTrue();
        assertThat(event.get("deliveryId").asText()).startsWith("test-");
        assertThat(steps(eventId)).contains("oncall-email", "team-chat", "done");
        assertThat(chatsContaining(ticket)).hasSize(1);
    }

    @Test
    void aTestEventThatFailsTheSchemaIsRefusedNamingTheFieldAndNothingIsStored() throws Exception {
        Integer before = jdbc.queryForObject("select count(*) from event where integration = 'ticket-alert'", Integer.class);
        HttpResponse<String> sent = callAs("operator", "POST", "/api/integrations/ticket-alert/test-events",
                "{\"ticketId\":\"T-x\",\"subject\":\"no e-mail\"}");
        assertThat(sent.statusCode()).isEqualTo(400);
        assertThat(sent.body()).contains("email");
        assertThat(jdbc.queryForObject("select count(*) from event where integration = 'ticket-alert'", Integer.class))
                .isEqualTo(before);
    }

    @Test
    void anEventIntegrationTakesATestEventToo() throws Exception {
        JsonNode contact = asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of(
                "email", "trial." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io")));
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> sent = callAs("operator", "POST", "/api/integrations/deal-won/test-events",
                json.writeValueAsString(Map.of("dealId", deal, "contactId", contact.get("id").asText(),
                        "ownerId", "u_ada", "title", deal, "amountCents", 500, "currency", "EUR")));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        awaitStatus(json.readTree(sent.body()).get("eventId").asText(), "DONE");
        assertThat(chatsContaining("Deal won: " + deal)).hasSize(1);
    }

    @Test
    void anApiIntegrationsTestCallShowsTheAnswer() throws Exception {
        String email = "trial." + UUID.randomUUID().toString().substring(0, 8) + "@analytical-engines.co.uk";
        asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of("email", email,
                "firstName", "Ada", "lastName", "Lovelace")));
        HttpResponse<String> sent = callAs("operator", "POST", "/api/integrations/contact-card/test-events",
                json.writeValueAsString(Map.of("email", email)));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        JsonNode answer = json.readTree(sent.body());
        assertThat(answer.get("status").asInt()).isEqualTo(200);
        assertThat(answer.get("body").get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(answer.get("test").asBoolean()).isTrue();
    }

    @Test
    void aScheduleTakesNoTestEventAndAnUnknownIntegrationIsA404() throws Exception {
        HttpResponse<String> schedule = callAs("operator", "POST", "/api/integrations/billing-digest/test-events", "{}");
        assertThat(schedule.statusCode()).isEqualTo(400);
        assertThat(schedule.body()).contains("/runs");
        assertThat(callAs("operator", "POST", "/api/integrations/no-such/test-events", "{}").statusCode()).isEqualTo(404);
        assertThat(callAs("viewer", "POST", "/api/integrations/ticket-alert/test-events", "{}").statusCode())
                .isEqualTo(403);
    }

    @Test
    void aSampleIsTheLastRealPayloadWithoutItsMaskedFieldsElseTheSchemasExample() throws Exception {
        // probe-quiet never receives an event in the tests; its schema gives an example.
        JsonNode fromSchema = json.readTree(callAs("viewer", "GET", "/api/integrations/probe-quiet/test-events/sample",
                null).body());
        assertThat(fromSchema.get("source").asText()).isEqualTo("schema-example");
        assertThat(fromSchema.get("payload").get("heartbeat").asText()).isEqualTo("hb-1");

        String deal = "S-" + UUID.randomUUID().toString().substring(0, 8);
        String eventId = enqueue("deal-won", "s-" + deal, Map.of("dealId", deal, "contactId", "c_x", "ownerId", "u_ada",
                "title", deal, "amountCents", 1, "currency", "EUR", "apiKey", "not-for-a-test"));
        awaitStatus(eventId, "DONE");
        JsonNode fromLast = json.readTree(callAs("viewer", "GET", "/api/integrations/deal-won/test-events/sample",
                null).body());
        assertThat(fromLast.get("source").asText()).isEqualTo("last-event");
        assertThat(fromLast.get("payload").get("dealId").asText()).isEqualTo(deal);
        assertThat(fromLast.get("payload").has("apiKey")).as("a masked field is left out").isFalse();
    }

    @Test
    void aDoneEventIsRerunThroughTheRouteDoingItsStepsAgain() throws Exception {
        JsonNode contact = asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of(
                "email", "rerun." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io")));
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        String eventId = enqueue("deal-won", "r-" + deal, Map.of("dealId", deal, "contactId", contact.get("id").asText(),
                "ownerId", "u_ada", "title", deal, "amountCents", 700, "currency", "EUR"));
        awaitStatus(eventId, "DONE");

        HttpResponse<String> rerun = callAs("operator", "POST", "/api/events/" + eventId + "/rerun", null);
        assertThat(rerun.statusCode()).as(rerun.body()).isEqualTo(202);
        awaitStatus(eventId, "DONE");

        // The business key and the once-only steps were released for the re-run: the chat (no
        // idempotency key of its own) hears twice; the CRM task carries one, so it stays one.
        assertThat(chatsContaining("Deal won: " + deal)).hasSize(2);
        assertThat(steps(eventId)).containsSubsequence("team-chat", "done", "rerun", "contract-task", "team-chat",
                "done");
        assertThat(callAs("operator", "POST", "/api/events/no-such-event/rerun", null).statusCode()).isEqualTo(404);
        assertThat(callAs("viewer", "POST", "/api/events/" + eventId + "/rerun", null).statusCode()).isEqualTo(403);
    }

    @Test
    void aBulkRerunSaysFirstHowManyItWouldTouch() throws Exception {
        JsonNode contact = asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of(
                "email", "bulk." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io")));
        String since = Instant.now().minusMillis(1).toString();
        String first = enqueue("deal-won", "b1-" + UUID.randomUUID(), Map.of("dealId", "B1-" + UUID.randomUUID(),
                "contactId", contact.get("id").asText(), "ownerId", "u_ada", "title", "one", "amountCents", 1,
                "currency", "EUR"));
        String second = enqueue("deal-won", "b2-" + UUID.randomUUID(), Map.of("dealId", "B2-" + UUID.randomUUID(),
                "contactId", contact.get("id").asText(), "ownerId", "u_ada", "title", "two", "amountCents", 2,
                "currency", "EUR"));
        awaitStatus(first, "DONE");
        awaitStatus(second, "DONE");
        String filter = "/api/events/rerun?integration=deal-won&status=DONE&since=" + since;
        HttpResponse<String> dryRun = callAs("operator", "POST", filter + "&dryRun=true", null);
        assertThat(json.readTree(dryRun.body()).get("matching").asInt()).isEqualTo(2);
        HttpResponse<String> rerun = callAs("operator", "POST", filter, null);
        assertThat(json.readTree(rerun.body()).get("rerun").asInt()).isEqualTo(2);
        awaitStatus(first, "DONE");
        awaitStatus(second, "DONE");
        assertThat(steps(first)).contains("rerun");
        assertThat(callAs("operator", "POST", "/api/events/rerun", null).statusCode()).isEqualTo(400);
    }
}

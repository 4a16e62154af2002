package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.inbox.InternalEvents;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The internal-event example of {@code src/docs/writing-integrations.md}: deal.won gives the
 * deal's owner one task and the team one message, whatever is emitted twice or fails once.
 */
class DealWonExampleTest extends IntegrationTestSupport {

    @Autowired
    InternalEvents events;

    @Test
    void aWonDealMakesOneContractTaskAndOneChatMessage() throws Exception {
        JsonNode contact = newContact();
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> delivered = events.emit("deal.won", "test-" + deal, json.writeValueAsString(deal(deal, contact)));
        assertThat(delivered).hasSize(1);
        awaitStatus(delivered.get(0), "DONE");
        assertThat(contractTasks(contact, deal)).hasSize(1);
        assertThat(chatsContaining("Deal won: " + deal + " (12000 EUR)")).hasSize(1);
        assertThat(steps(delivered.get(0))).contains("contract-task", "team-chat", "done");
    }

    @Test
    void theSameDealUnderAnotherEventDoesNothingTwice() throws Exception {
        JsonNode contact = newContact();
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        String first = enqueue("deal-won", "a-" + deal, deal(deal, contact));
        String second = enqueue("deal-won", "b-" + deal, deal(deal, contact));
        awaitStatus(first, "DONE");
        awaitStatus(second, "DONE");
        assertThat(contractTasks(contact, deal)).hasSize(1);
        assertThat(chatsContaining("Deal won: " + deal)).hasSize(1);
    }

    @Test
    void aDealWithoutAnOwnerIsParkedAsInvalidDataAndReachesNoSystem() throws Exception {
        JsonNode contact = newContact();
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> payload = new HashMap<>(deal(deal, contact));
        payload.remove("ownerId");
        String eventId = enqueue("deal-won", "i-" + deal, payload);
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
        assertThat(contractTasks(contact, deal)).isEmpty();
        assertThat(chatsContaining(deal)).isEmpty();
    }

    @Test
    void aChatOutageIsRetriedWithoutASecondTask() throws Exception {
        JsonNode contact = newContact();
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        fault("{\"system\":\"chat\",\"status\":503,\"count\":1}");
        String eventId = enqueue("deal-won", "o-" + deal, deal(deal, contact));
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId))
                .isGreaterThan(1);
        assertThat(contractTasks(contact, deal)).hasSize(1);
        assertThat(chatsContaining("Deal won: " + deal)).hasSize(1);
        // The event ended DONE, but its card still shows the failed attempt.
        JsonNode health = null;
        for (JsonNode card : asAdmin("GET", "/api/integrations", null)) {
            if (card.get("id").asText().equals("deal-won")) {
                health = card.get("health");
            }
        }
        assertThat(health.get("failedAttempts1h").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(health.get("attemptFailureRate1h").asDouble()).isGreaterThan(0.0);
        assertThat(health.get("lastFailure").isNull()).isFalse();
    }

    @Test
    void aMissingTaskScopeIsParkedAsPermission() throws Exception {
        JsonNode contact = newContact();
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        fault("{\"system\":\"crm\",\"status\":403,\"count\":1,\"scope\":\"tasks:write\"}");
        String eventId = enqueue("deal-won", "p-" + deal, deal(deal, contact));
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("permission");
        assertThat(chatsContaining(deal)).isEmpty();
    }

    @Test
    void theRouteFileIsTheOneTheDocsShow() throws Exception {
        assertDocsShowRouteFile("deal-won.camel.yaml");
    }

    private JsonNode newContact() throws Exception {
        return asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of(
                "email", "deal." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io",
                "firstName", "Charles", "lastName", "Babbage")));
    }

    private static Map<String, Object> deal(String deal, JsonNode contact) {
        return Map.of("dealId", deal, "contactId", contact.get("id").asText(), "ownerId", "u_ada",
                "title", deal, "amountCents", 1200000, "currency", "EUR");
    }

    private List<String> contractTasks(JsonNode contact, String deal) throws Exception {
        List<String> titles = new ArrayList<>();
        asAdmin("GET", "/sandbox/crm/tasks?contactId=" + contact.get("id").asText(), null).forEach(task -> {
            if (task.get("title").asText().equals("Send the contract for " + deal)) {
                titles.add(task.get("title").asText());
            }
        });
        return titles;
    }
}

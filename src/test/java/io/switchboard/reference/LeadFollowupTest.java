package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** lead-followup on its own: lead.created events put straight into its inbox, the sandbox CRM behind it. */
class LeadFollowupTest extends IntegrationTestSupport {

    @AfterEach
    void cleanUp() throws Exception {
        clearFaults();
    }

    @Test
    void leadWithoutActivityGetsOneFollowUpTask() throws Exception {
        JsonNode contact = newContact();
        String eventId = enqueue("lead-followup", "src-" + UUID.randomUUID() + ":lead.created", leadCreated(contact));
        awaitStatus(eventId, "DONE");
        assertThat(titles(contact)).filteredOn(t -> t.startsWith("Follow up")).hasSize(1);
        assertThat(steps(eventId)).contains("follow-up", "done");
    }

    @Test
    void leadSomebodyAlreadyWorkedOnIsLeftAlone() throws Exception {
        JsonNode contact = newContact();
        asCrmClient("POST", "/sandbox/crm/tasks", json.writeValueAsString(Map.of("contactId", contact.get("id").asText(),
                "ownerId", "u_ada", "title", "Logged call: interested, wants a quote")));
        String eventId = enqueue("lead-followup", "src-" + UUID.randomUUID() + ":lead.created", leadCreated(contact));
        awaitStatus(eventId, "DONE");
        assertThat(titles(contact)).noneMatch(t -> t.startsWith("Follow up"));
        assertThat(jdbc.queryForObject("select outcome from event_step where event_id = ? and step = 'follow-up'",
                String.class, eventId)).isEqualTo("skipped");
    }

    @Test
    void sameLeadTwiceMakesOneFollowUp() throws Exception {
        JsonNode contact = newContact();
        String payload = leadCreated(contact);
        String first = enqueue("lead-followup", "a-" + UUID.randomUUID(), payload);
        String second = enqueue("lead-followup", "b-" + UUID.randomUUID(), payload);
        awaitStatus(first, "DONE");
        awaitStatus(second, "DONE");
        assertThat(titles(contact)).filteredOn(t -> t.startsWith("Follow up")).hasSize(1);
    }

    @Test
    void missingTaskScopeIsParkedAsPermission() throws Exception {
        JsonNode contact = newContact();
        fault("{\"system\":\"crm\",\"status\":403,\"count\":1,\"scope\":\"tasks:read\"}");
        String eventId = enqueue("lead-followup", "p-" + UUID.randomUUID(), leadCreated(contact));
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("permission");
    }

    @Test
    void eventWithoutAContactIsParkedAsInvalidData() throws Exception {
        String eventId = enqueue("lead-followup", "i-" + UUID.randomUUID(),
                Map.of("submissionId", "x-" + UUID.randomUUID(), "email", "nobody@lovelace-labs.io", "contactId",
                        "no-such-contact", "ownerId", "no-such-owner"));
        awaitStatus(eventId, "DEAD");
        assertThat(deadLetter(eventId).get("category")).isEqualTo("invalid-data");
    }

    private JsonNode newContact() throws Exception {
        return asAdminPostContact("follow." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io");
    }

    private JsonNode asAdminPostContact(String email) throws Exception {
        return asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of("email", email,
                "firstName", "Follow", "lastName", "Up")));
    }

    private String leadCreated(JsonNode contact) throws Exception {
        return json.writeValueAsString(Map.of("submissionId", "f-" + UUID.randomUUID(), "email",
                contact.get("email").asText(), "contactId", contact.get("id").asText(), "ownerId", "u_ada"));
    }

    private List<String> titles(JsonNode contact) throws Exception {
        return asAdmin("GET", "/sandbox/crm/tasks?contactId=" + contact.get("id").asText(), null).findValuesAsText("title");
    }
}

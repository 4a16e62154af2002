package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A test event and a re-run do real work against the configured systems, and say so: the
 * console's test panel warns before sending, and a re-run's trail shows a step the target had
 * done already (its Idempotency-Key record answered) as {@code already-done}, not {@code ok}.
 */
class WhatTestEventsAndRerunsDoTest extends IntegrationTestSupport {

    @Test
    void aRerunsTrailShowsTheTargetsAlreadyDoneAnswerAsSuch() throws Exception {
        JsonNode contact = asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of(
                "email", "again." + UUID.randomUUID().toString().substring(0, 8) + "@babbage-sons.io")));
        String deal = "D-" + UUID.randomUUID().toString().substring(0, 8);
        String eventId = enqueue("deal-won", "a-" + deal, Map.of("dealId", deal, "contactId", contact.get("id").asText(),
                "ownerId", "u_ada", "title", deal, "amountCents", 900, "currency", "EUR"));
        awaitStatus(eventId, "DONE");
        assertThat(outcomes(eventId, "contract-task")).containsExactly("ok");

        HttpResponse<String> rerun = callAs("operator", "POST", "/api/events/" + eventId + "/rerun", null);
        assertThat(rerun.statusCode()).as(rerun.body()).isEqualTo(202);
        awaitStatus(eventId, "DONE");
        Awaitility.await().until(() -> outcomes(eventId, "contract-task").size() == 2);

        // The CRM task carries an Idempotency-Key: the CRM answered with the first task.
        assertThat(outcomes(eventId, "contract-task")).containsExactly("ok", "already-done");
        assertThat(jdbc.queryForObject("select detail from event_step where event_id = ? and step = 'contract-task' "
                + "and outcome = 'already-done'", String.class, eventId)).contains("had done it already");
        // The chat keeps no key: it was posted again, and says ok.
        assertThat(outcomes(eventId, "team-chat")).containsExactly("ok", "ok");
        JsonNode trail = json.readTree(callAs("viewer", "GET", "/api/events/" + eventId, null).body()).path("steps");
        assertThat(trail.findValuesAsText("outcome")).contains("already-done");
    }

    @Test
    void theTestEventPanelSaysItRunsTheRealActions() throws Exception {
        HttpResponse<String> script = callAs("viewer", "GET", "/console/console.js", null);
        assertThat(script.statusCode()).isEqualTo(200);
        // The sentence as the browser shows it, wherever the source breaks its line.
        assertThat(script.body().replaceAll("'\\s*\\+\\s*'", "")).contains("Runs the route for real: its calls "
                + "reach the configured systems (the sandbox in the demo)");
    }

    private List<String> outcomes(String eventId, String step) {
        return jdbc.queryForList("select outcome from event_step where event_id = ? and step = ? order by id",
                String.class, eventId, step);
    }
}

package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A scheduled integration's runs are events of its inbox: started by the cron route
 * ({@code to: inbox:<id>}), by a person ({@code POST /api/integrations/<id>/runs}) or by a
 * replay; journaled with their steps, retried with backoff, one at a time.
 */
class ScheduledRunsTest extends IntegrationTestSupport {

    @Autowired
    ProducerTemplate camel;

    @BeforeEach
    void forgetTodaysDigest() {
        jdbc.update("delete from camel_messageprocessed where processor_name = 'billing-digest'");
    }

    @AfterEach
    void cleanUp() throws Exception {
        clearFaults();
    }

    @Test
    void runNowStartsARunThatIsAnEventOfTheJournal() throws Exception {
        int digests = chatsContaining("Billing today:").size();
        HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/billing-digest/runs", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String eventId = json.readTree(started.body()).get("runId").asText();
        assertThat(json.readTree(started.body()).get("eventId").asText()).isEqualTo(eventId);
        awaitStatus(eventId, "DONE");
        assertThat(chatsContaining("Billing today:")).hasSize(digests + 1);
        JsonNode event = json.readTree(callAs("viewer", "GET", "/api/events/" + eventId, null).body());
        assertThat(event.get("event").get("integration").asText()).isEqualTo("billing-digest");
        assertThat(steps(eventId)).containsSubsequence("received", "done");
    }

    @Test
    void aSecondRunWhileOneIsGoingIsA409NamingIt() throws Exception {
        fault("{\"system\":\"billing\",\"delayMs\":1500,\"count\":1}");
        HttpResponse<String> first = callAs("operator", "POST", "/api/integrations/billing-digest/runs", null);
        HttpResponse<String> second = callAs("operator", "POST", "/api/integrations/billing-digest/runs", null);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(409);
        String running = json.readTree(first.body()).get("eventId").asText();
        assertThat(json.readTree(second.body()).get("runningRunId").asText()).isEqualTo(running);
        // A cron tick meanwhile adds no run either.
        camel.sendBody("inbox:billing-digest", null);
        assertThat(jdbc.queryForObject("select count(*) from inbox where integration = 'billing-digest'",
                Integer.class)).isEqualTo(1);
        awaitStatus(running, "DONE");
    }

    @Test
    void aFailedRunIsRetriedWithBackoffUntilItSucceeds() throws Exception {
        int digests = chatsContaining("Billing today:").size();
        fault("{\"system\":\"billing\",\"status\":503,\"count\":1}");
        camel.sendBody("inbox:billing-digest", null);
        String eventId = jdbc.queryForObject("select id from event where integration = 'billing-digest' "
                + "order by received_at desc limit 1", String.class);
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId))
                .isEqualTo(2);
        assertThat(steps(eventId)).contains("attempt-failed");
        assertThat(chatsContaining("Billing today:")).hasSize(digests + 1);
    }

    @Test
    void aRunParkedAsADeadLetterRunsAgainWhenReplayed() throws Exception {
        int digests = chatsContaining("Billing today:").size();
        fault("{\"system\":\"billing\",\"status\":503,\"count\":3}");
        String eventId = json.readTree(callAs("operator", "POST", "/api/integrations/billing-digest/runs", null)
                .body()).get("eventId").asText();
        awaitStatus(eventId, "DEAD");
        String letter = jdbc.queryForObject("select id from dead_letter where event_id = ?", String.class, eventId);
        HttpResponse<String> replay = callAs("operator", "POST", "/api/dead-letters/" + letter + "/replay", null);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        awaitStatus(eventId, "DONE");
        assertThat(chatsContaining("Billing today:")).hasSize(digests + 1);
    }

    @Test
    void aWatermarkSyncsRunShowsItsPagesInTheTrail() throws Exception {
        HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/invoice-sync/runs", null);
        assertThat(started.statusCode()).as(started.body()).isIn(202, 409);
        String eventId = started.statusCode() == 202 ? json.readTree(started.body()).get("eventId").asText()
                : json.readTree(started.body()).get("runningEventId").asText();
        awaitStatus(eventId, "DONE");
        // The pages clear the headers between calls: the trail still gets every page and the end.
        assertThat(steps(eventId)).containsSubsequence("received", "sync", "page-1", "sync-done", "done");
        assertThat(jdbc.queryForObject("select detail from event_step where event_id = ? and step = 'sync-done'",
                String.class, eventId)).contains("watermark");
    }

    @Test
    void runNowRefusesWhatIsNoScheduleAndWhatIsUnknown() throws Exception {
        HttpResponse<String> webhook = callAs("operator", "POST", "/api/integrations/ticket-alert/runs", null);
        assertThat(webhook.statusCode()).isEqualTo(400);
        assertThat(webhook.body()).contains("test-events");
        assertThat(callAs("operator", "POST", "/api/integrations/no-such/runs", null).statusCode()).isEqualTo(404);
        assertThat(callAs("viewer", "POST", "/api/integrations/billing-digest/runs", null).statusCode()).isEqualTo(403);
    }
}

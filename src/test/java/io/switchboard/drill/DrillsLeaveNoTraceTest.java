package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Drills leave live health alone, including what they leave behind: after a drill of every
 * reference integration ({@code routes/*.card.yaml}) the live cards read exactly as before, and
 * nothing the drills sent or set off (lead-intake's leads schedule lead-followup events due in
 * two days) is left waiting or parked; a real event waiting beside them is untouched.
 */
// Follow-ups wait two days here, as in production (the shared test context makes it one second).
@TestPropertySource(properties = "switchboard.integrations.lead-followup.event.delay=2d")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DrillsLeaveNoTraceTest extends IntegrationTestSupport {

    @Test
    void drillsOfEveryReferenceIntegrationLeaveTheLiveCardsAsTheyWereAndNothingWaiting() throws Exception {
        List<String> reference = referenceIntegrations();
        assertThat(reference).contains("lead-intake", "lead-followup", "invoice-sync", "customer-lookup");
        // A real lead first: its follow-up waits two days beside the drills' and must still wait after them.
        String lead = "no-trace-" + UUID.randomUUID().toString().substring(0, 8);
        String realLead = deliverAccepted("lead-intake", Map.of("submissionId", lead, "email",
                lead + "@lovelace-labs.io", "firstName", "Real"));
        awaitStatus(realLead, "DONE");
        String realFollowUp = jdbc.queryForObject("select id from event where integration = 'lead-followup' "
                + "and delivery_id = ?", String.class, realLead + ":lead.created");
        Map<String, JsonNode> before = liveCards();
        Timestamp drillsStarted = Timestamp.from(Instant.now());

        for (String integration : reference) {
            JsonNode drill = drill(integration);
            System.out.println("drill " + integration + ": " + drill.get("status").asText());
            drill.get("cases").forEach(c -> System.out.printf("  %-19s %-12s %s%n", c.get("name").asText(),
                    c.get("outcome").asText(), c.get("reason").asText()));
        }

        assertThat(liveCards()).as("the live cards after the drills").isEqualTo(before);
        assertThat(jdbc.queryForObject("select count(*) from inbox i join event e on e.id = i.event_id "
                + "where e.test_event = true and e.received_at >= ?", Long.class, drillsStarted))
                .as("test events the drills left in the inbox").isZero();
        assertThat(jdbc.queryForObject("select count(*) from dead_letter d join event e on e.id = d.event_id "
                + "where d.status = 'PARKED' and e.test_event = true and e.received_at >= ?", Long.class,
                drillsStarted)).as("the drills' dead letters still parked").isZero();
        // The follow-ups the drill's leads scheduled were closed unrun, and their trails say why.
        List<Map<String, Object>> followUps = jdbc.queryForList("select id, status, last_error from event "
                + "where integration = 'lead-followup' and test_event = true and received_at >= ? "
                + "and delivery_id like '%:lead.created'", drillsStarted);
        assertThat(followUps).as("follow-ups the drill's leads scheduled").isNotEmpty();
        for (Map<String, Object> followUp : followUps) {
            assertThat(followUp.get("status")).isEqualTo("DEAD");
            assertThat(String.valueOf(followUp.get("last_error"))).startsWith("drill cleanup");
            assertThat(steps(String.valueOf(followUp.get("id")))).contains("drill-cleanup").doesNotContain("done");
        }
        // The real follow-up is untouched: still waiting, no cleanup on its trail.
        assertThat(status(realFollowUp)).isEqualTo("RECEIVED");
        assertThat(steps(realFollowUp)).doesNotContain("drill-cleanup");
        assertThat(jdbc.queryForObject("select count(*) from inbox where event_id = ?", Long.class, realFollowUp))
                .isEqualTo(1L);
    }

    /** The integrations with a card in routes/: the reference integrations. */
    private static List<String> referenceIntegrations() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".card.yaml"))
                    .map(f -> f.substring(0, f.length() - ".card.yaml".length())).sorted().toList();
        }
    }

    /**
     * What {@code GET /api/integrations} shows of each card's live state: its health (but the
     * age of its oldest waiting event and the SLA's wording, which say how long ago in seconds,
     * and silence, which time alone brings),
     * its open incidents and the state of each connection it calls.
     */
    private Map<String, JsonNode> liveCards() throws Exception {
        Map<String, JsonNode> cards = new TreeMap<>();
        for (JsonNode card : asAdmin("GET", "/api/integrations", null)) {
            ObjectNode live = json.createObjectNode();
            ObjectNode health = card.get("health").deepCopy();
            health.remove("oldestWaiting");
            health.remove("slaReason");
            if ("silent".equals(health.path("sla").asText())) {
                // A card with an expected interval turns silent as the minutes of the drills pass
                // with no traffic; whether the drills counted as traffic, lastReceived and
                // received1h say, and they are compared.
                health.put("sla", "ok");
            }
            live.set("health", health);
            live.set("incidents", card.get("incidents"));
            ObjectNode connections = live.putObject("connections");
            card.get("connections").forEach(c -> connections.set(c.get("connection").asText(), c.get("status")));
            cards.put(card.get("id").asText(), live);
        }
        return cards;
    }

    private JsonNode drill(String integration) throws Exception {
        HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/" + integration + "/drills", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = asAdmin("GET", "/api/integrations/" + integration + "/drills", null);
            return !last[0].get("status").asText().equals("running");
        });
        return last[0];
    }
}

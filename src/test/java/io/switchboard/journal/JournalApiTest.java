package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.Webhooks;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.support.EventStatus;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** The journal answers "what happened to this event?" for a viewer, with secrets masked. */
@SwitchboardTest
class JournalApiTest {

    static final String SECRET = "whsec_bmV3LXByb2JlLXNlY3JldA==";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EventQueries queries;

    @Autowired
    IntegrationsProperties integrations;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void eventIsFoundByPayloadValueAndShowsItsStepsWithSecretsMasked() throws Exception {
        String orderId = "o-" + UUID.randomUUID();
        var accepted = new Webhooks(port).postSigned("probe", SECRET,
                "{\"orderId\":\"" + orderId + "\",\"customer\":{\"email\":\"ada@example.com\",\"password\":\"hunter2\"}}");
        String eventId = json.readTree(accepted.body()).get("eventId").asText();
        EventStatus.await(jdbc, eventId, "DONE", Duration.ofSeconds(20));

        JsonNode found = get("/api/events?integration=probe&q=" + orderId);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("id").asText()).isEqualTo(eventId);
        assertThat(found.get(0).get("status").asText()).isEqualTo("DONE");
        assertThat(get("/api/events?q=" + eventId).get(0).get("id").asText()).isEqualTo(eventId);
        assertThat(get("/api/events?status=DEAD&q=" + orderId)).isEmpty();

        JsonNode detail = get("/api/events/" + eventId);
        assertThat(detail.get("event").get("attempts").asInt()).isEqualTo(1);
        assertThat(detail.get("event").get("nodeId").asText()).isNotBlank();
        assertThat(detail.get("payload").asText()).contains("ada@example.com").contains("***").doesNotContain("hunter2");
        assertThat(detail.get("headers").asText()).contains("webhook-signature").doesNotContain("v1,");
        assertThat(detail.get("steps")).extracting(step -> step.get("step").asText()).containsSubsequence("received", "done");
    }

    @Test
    void integrationsShowTheirCardAndLiveHealth() throws Exception {
        JsonNode integrations = get("/api/integrations");
        JsonNode lead = null;
        for (JsonNode integration : integrations) {
            if (integration.get("id").asText().equals("lead-intake")) {
                lead = integration;
            }
        }
        assertThat(lead).isNotNull();
        assertThat(lead.get("trigger").asText()).isEqualTo("webhook");
        assertThat(lead.get("card").get("owner").asText()).isNotBlank();
        assertThat(lead.get("health").get("sla").asText()).isIn("ok", "silent", "late");
        assertThat(lead.get("routes").get(0).get("id").asText()).isEqualTo("lead-intake");
        // Every connection the route calls is on the card, the ones without scopes too.
        JsonNode calls = lead.get("connectionScopes");
        assertThat(calls.fieldNames()).toIterable().containsExactlyInAnyOrder("crm", "mail", "chat");
        assertThat(calls.get("crm")).extracting(JsonNode::asText).contains("contacts:write");
        assertThat(calls.get("chat")).extracting(JsonNode::asText).containsExactly("chat:write");
        assertThat(calls.get("mail")).isEmpty();
        assertThat(lead.get("connections")).extracting(c -> c.get("connection").asText())
                .contains("crm", "mail", "chat");
    }

    @Test
    void metricsCountEventsPerIntegration() throws Exception {
        new Webhooks(port).postSigned("probe", SECRET, "{\"orderId\":\"m-" + UUID.randomUUID() + "\"}");
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/prometheus")).header("X-Api-Key", "scraper-test-key")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.body()).contains("switchboard_events_received_total{integration=\"probe\"}")
                .contains("switchboard_inbox_backlog{integration=\"lead-intake\"}")
                .contains("switchboard_sync_freshness_seconds{integration=\"invoice-sync\"}");
    }

    @Test
    void everyIntegrationsCountersExistFromTheStartSoAlertRulesSeeTheFirstEvents() throws Exception {
        // Prometheus sends its credentials as Authorization: Bearer <key>; no custom header needed.
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .header("Authorization", "Bearer scraper-test-key").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        for (String integration : integrations.all().keySet()) {
            for (String counter : List.of("received", "duplicates", "done", "failed")) {
                assertThat(scrape.body()).as(counter + " of " + integration)
                        .contains("switchboard_events_" + counter + "_total{integration=\"" + integration + "\"}");
            }
            assertThat(scrape.body()).contains("switchboard_events_latency_seconds_count{integration=\"" + integration
                    + "\"}");
        }
        assertThat(scrape.body()).containsPattern(
                "switchboard_connection_state\\{connection=\"mail\",state=\"ok\"\\} 1\\.0")
                .containsPattern("switchboard_connection_state\\{connection=\"mail\",state=\"credentials-rejected\"\\} 0\\.0");
        // Nothing is ever sent to probe-quiet: its counters are there, at zero, one per dead-letter category.
        for (String category : List.of("transient", "rate-limited", "credentials", "permission", "invalid-data", "bug")) {
            assertThat(scrape.body()).contains("switchboard_events_dead_total{category=\"" + category
                    + "\",integration=\"probe-quiet\"} 0.0");
        }
    }

    @Test
    void aWrongBearerKeyOnTheMetricsIsRefused() throws Exception {
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .header("Authorization", "Bearer not-a-key").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(401);
    }

    @Test
    void unknownEventIs404() throws Exception {
        HttpResponse<String> response = send("/api/events/no-such-event");
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void purgeRemovesFinishedEventsPastRetentionOnly() {
        String old = UUID.randomUUID().toString();
        String recent = UUID.randomUUID().toString();
        Timestamp longAgo = Timestamp.from(Instant.now().minus(Duration.ofDays(40)));
        Timestamp yesterday = Timestamp.from(Instant.now().minus(Duration.ofDays(1)));
        for (Object[] row : new Object[][] {{old, longAgo}, {recent, yesterday}}) {
            jdbc.update("insert into event (id, integration, status, attempts, payload, received_at, updated_at, "
                    + "finished_at) values (?, 'probe', 'DONE', 1, '{}', ?, ?, ?)", row[0], row[1], row[1], row[1]);
            jdbc.update("insert into event_step (event_id, at, step, outcome) values (?, ?, 'done', 'ok')", row[0], row[1]);
        }
        assertThat(queries.purgeExpired()).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from event where id = ?", Integer.class, old)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from event where id = ?", Integer.class, recent)).isOne();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return json.readTree(response.body());
    }

    private HttpResponse<String> send(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", TestUsers.basic(TestUsers.VIEWER)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.switchboard.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Each cause class opens its own incident saying what a person must do: a revoked grant
 * (reconnect), payloads that fail validation (fix the data, replay), a route's bug (deploy a
 * fix, re-run).
 */
class IncidentCausesTest extends IntegrationTestSupport {

    @Autowired
    Incidents incidents;

    @AfterEach
    void chatConnectedAndFaultsCleared() throws Exception {
        clearFaults();
        if (!"connected".equals(connection("chat").path("connect").path("standing").asText())) {
            reconnectChat();
        }
    }

    @Test
    void aRevokedChatGrantIsAnIncidentSayingReconnectThatResolvesItselfOnceReconnected() throws Exception {
        fault("{\"system\":\"oauth\",\"revokeGrants\":true}");
        String lead = postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "revoked-" + UUID.randomUUID(),
                "email", "revoked@analytical-engines.co.uk", "firstName", "Ada"));
        awaitStatus(lead, "WAITING");

        JsonNode incident = await().atMost(Duration.ofSeconds(30)).until(() -> unresolved("chat needs connecting"),
                found -> found != null);
        assertThat(incident.get("kind").asText()).isEqualTo("credentials");
        assertThat(incident.get("retriesByItself").asBoolean()).isFalse();
        assertThat(incident.get("nextStep").asText()).startsWith("Reconnect chat").contains("run by themselves");
        assertThat(incident.get("nextAttemptAt").isNull()).as("a held event waits for the connection, not a time")
                .isTrue();

        reconnectChat();
        awaitStatus(lead, "DONE");
        String id = incident.get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "RESOLVED".equals(
                asAdmin("GET", "/api/incidents/" + id, null).get("incident").get("status").asText()));
    }

    @Test
    void payloadsThatFailValidationAreAnIncidentSayingFixTheDataAndReplay() throws Exception {
        String lead = postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "typo-" + UUID.randomUUID(),
                "email", "ada@gmial.com", "firstName", "Ada"));
        awaitStatus(lead, "DEAD");

        JsonNode incident = unresolved("lead-intake: payloads fail validation");
        assertThat(incident).isNotNull();
        assertThat(incident.get("kind").asText()).isEqualTo("data");
        assertThat(incident.get("parked").asLong()).isPositive();
        assertThat(incident.get("nextStep").asText()).startsWith("Fix the data").contains("replay the");
        assertThat(incident.get("lastError").asText()).contains("gmial.com");

        // Fixed by a person: resolved by hand, and the next bad payload opens a new incident.
        String id = incident.get("id").asText();
        assertThat(callAs("operator", "POST", "/api/incidents/" + id + "/resolve", null).statusCode()).isEqualTo(200);
        assertThat(callAs("operator", "POST", "/api/incidents/" + id + "/resolve", null).statusCode()).isEqualTo(409);
        assertThat(callAs("viewer", "POST", "/api/incidents/" + id + "/acknowledge", null).statusCode())
                .as("a viewer reads, an operator acts").isEqualTo(403);
    }

    @Test
    void aRoutesBugIsAnIncidentSayingDeployAFixThenReRun() throws Exception {
        String eventId = enqueue("probe", "bug-" + UUID.randomUUID(), Map.of("orderId", "bug"));
        incidents.failed(eventId, "probe", Cause.of(new NullPointerException(), "probe", "probe", null),
                "bug: NullPointerException");

        JsonNode incident = unresolved("route probe: bug NullPointerException");
        assertThat(incident).isNotNull();
        assertThat(incident.get("kind").asText()).isEqualTo("bug");
        assertThat(incident.get("nextStep").asText()).startsWith("A bug in the route: deploy a fix, then re-run");
        JsonNode detail = asAdmin("GET", "/api/incidents/" + incident.get("id").asText(), null);
        assertThat(detail.get("events")).extracting(e -> e.get("eventId").asText()).contains(eventId);
        callAs("operator", "POST", "/api/incidents/" + incident.get("id").asText() + "/resolve", null);
    }

    private JsonNode unresolved(String title) throws Exception {
        for (JsonNode open : asAdmin("GET", "/api/incidents", null)) {
            if (open.get("title").asText().equals(title)) {
                return open;
            }
        }
        return null;
    }

    private JsonNode connection(String name) throws Exception {
        for (JsonNode connection : asAdmin("GET", "/api/connections", null)) {
            if (connection.get("name").asText().equals(name)) {
                return connection;
            }
        }
        throw new AssertionError("no connection " + name);
    }
}

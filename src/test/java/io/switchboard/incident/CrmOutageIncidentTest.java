package io.switchboard.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The on-call story of a CRM outage: the CRM answers 503 to every call while leads arrive. One
 * incident names the CRM, one alert pages for it, the connection says it is failing, every
 * card that depends on the CRM links to the incident; once the CRM is back, what it parked is
 * replayed from the incident, every lead finishes and the incident resolves itself.
 */
class CrmOutageIncidentTest extends IntegrationTestSupport {

    @AfterEach
    void crmBack() throws Exception {
        clearFaults();
    }

    @Test
    void aCrmOutageIsOneIncidentWithOneAlertThatResolvesItselfWhenTheCrmIsBack() throws Exception {
        // Other tests of this shared server make the CRM fail too: start from no open CRM incident.
        for (JsonNode open : asAdmin("GET", "/api/incidents", null)) {
            if ("crm".equals(open.path("connection").asText())) {
                callAs("operator", "POST", "/api/incidents/" + open.get("id").asText() + "/resolve", null);
            }
        }
        fault("{\"system\":\"crm\",\"status\":503,\"count\":100000}");
        List<String> leads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leads.add(postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "outage-" + UUID.randomUUID(),
                    "email", "outage" + i + "@analytical-engines.co.uk", "firstName", "Ada")));
        }

        JsonNode incident = await().atMost(Duration.ofSeconds(30)).until(() -> crmIncident(), found -> found != null
                && found.get("events").asLong() == leads.size());
        String id = incident.get("id").asText();
        assertThat(incident.get("kind").asText()).isEqualTo("system-down");
        assertThat(incident.get("connection").asText()).isEqualTo("crm");
        assertThat(incident.get("status").asText()).isEqualTo("OPEN");
        assertThat(incident.get("integrations")).extracting(JsonNode::asText).containsExactly("lead-intake");
        assertThat(incident.get("retriesByItself").asBoolean()).isTrue();
        assertThat(incident.get("nextStep").asText()).contains("crm");
        long crmIncidents = 0;
        for (JsonNode open : asAdmin("GET", "/api/incidents", null)) {
            if (open.get("title").asText().startsWith("crm answers")) {
                crmIncidents++;
            }
        }
        assertThat(crmIncidents).as("one outage, one incident").isOne();
        long pages = 0;
        for (JsonNode alert : asAdmin("GET", "/api/alerts", null)) {
            if (alert.get("key").asText().equals("incident:" + id)) {
                pages++;
                assertThat(alert.get("title").asText()).isEqualTo("Incident: crm answers 503");
            }
        }
        assertThat(pages).as("one alert for the incident").isOne();
        await().atMost(Duration.ofSeconds(30)).until(() -> "failing".equals(connection("crm").get("state").asText()));
        assertThat(connection("crm").get("calls").get("lastError").asText()).contains("answered 503");
        assertThat(cardIncidents("lead-intake")).contains(id);
        assertThat(cardIncidents("invoice-sync")).as("invoice-sync calls the CRM too").contains(id);

        // A person takes it, and is named.
        JsonNode taken = json.readTree(callAs("operator", "POST", "/api/incidents/" + id + "/acknowledge", null).body());
        assertThat(taken.get("status").asText()).isEqualTo("ACKNOWLEDGED");
        assertThat(taken.get("acknowledgedBy").asText()).isEqualTo("operator");

        // The CRM is back: the leads still retrying finish by themselves; those that gave up are
        // replayed from the incident (counted first), and every lead finishes.
        clearFaults();
        int parked = jdbc.queryForObject("select count(*) from dead_letter where status = 'PARKED' and event_id in "
                + "(select event_id from incident_event where incident_id = ?)", Integer.class, id);
        JsonNode dryRun = json.readTree(callAs("operator", "POST", "/api/dead-letters/replay?incident=" + id
                + "&dryRun=true", null).body());
        assertThat(dryRun.get("matching").asInt()).isEqualTo(parked);
        callAs("operator", "POST", "/api/dead-letters/replay?incident=" + id, null);
        leads.forEach(lead -> awaitStatus(lead, "DONE"));

        await().atMost(Duration.ofSeconds(30)).until(() -> "RESOLVED".equals(
                asAdmin("GET", "/api/incidents/" + id, null).get("incident").get("status").asText()));
        JsonNode resolved = asAdmin("GET", "/api/incidents/" + id, null);
        assertThat(resolved.get("incident").get("resolvedBy").asText()).contains("calls to crm succeed again");
        assertThat(resolved.get("events")).hasSize(leads.size());
        assertThat(connection("crm").get("state").asText()).isEqualTo("ok");
        assertThat(cardIncidents("lead-intake")).doesNotContain(id);
    }

    @Test
    void aTestEventsFailureOpensNoIncidentAndPagesNobody() throws Exception {
        fault("{\"system\":\"crm\",\"status\":503,\"count\":100000}");
        var sent = callAs("operator", "POST", "/api/integrations/lead-intake/test-events", json.writeValueAsString(Map.of(
                "submissionId", "test-outage-" + UUID.randomUUID(), "email", "test@analytical-engines.co.uk")));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String eventId = json.readTree(sent.body()).get("eventId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> steps(eventId).contains("attempt-failed"));

        Integer linked = jdbc.queryForObject("select count(*) from incident_event where event_id = ?", Integer.class,
                eventId);
        assertThat(linked).isZero();
        Integer pages = jdbc.queryForObject("select count(*) from alert where detail like ?", Integer.class,
                "%" + eventId + "%");
        assertThat(pages).isZero();
    }

    private JsonNode crmIncident() throws Exception {
        for (JsonNode open : asAdmin("GET", "/api/incidents", null)) {
            if (open.get("title").asText().equals("crm answers 503")) {
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

    private List<String> cardIncidents(String integration) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode card : asAdmin("GET", "/api/integrations", null)) {
            if (card.get("id").asText().equals(integration)) {
                card.get("incidents").forEach(incident -> ids.add(incident.get("id").asText()));
            }
        }
        return ids;
    }
}

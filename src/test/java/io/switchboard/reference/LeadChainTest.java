package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.alerting.Alerts;
import io.switchboard.ingress.Webhooks;
import io.switchboard.support.EventStatus;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The lead chain end to end against the sandbox: webhook, CRM contact, task for the
 * owning rep, welcome e-mail, team chat, lead.created and the follow-up. Assertions read
 * the sandbox's own state, the journal and the dead letters.
 */
@SwitchboardTest
class LeadChainTest {

    static final String SECRET = "whsec_dGVzdC1sZWFkLWludGFrZS1zZWNyZXQ=";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Alerts alerts;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void clearFaults() throws Exception {
        admin("DELETE", "/sandbox/faults", null);
    }

    @Test
    void leadBecomesContactTaskEmailChatMessageAndFollowUp() throws Exception {
        String email = "ada." + UUID.randomUUID().toString().substring(0, 8) + "@analytical-engines.co.uk";
        String submission = "form-" + UUID.randomUUID();
        String eventId = postLead(submission, email);
        awaitStatus(eventId, "DONE");

        JsonNode contacts = admin("GET", "/sandbox/crm/contacts?email=" + enc(email), null);
        assertThat(contacts).hasSize(1);
        String contactId = contacts.get(0).get("id").asText();
        JsonNode tasks = admin("GET", "/sandbox/crm/tasks?contactId=" + contactId, null);
        assertThat(tasks).hasSize(1);
        assertThat(tasks.get(0).get("title").asText()).startsWith("Call new lead Ada Lovelace");
        assertThat(messagesTo(email)).hasSize(1);
        assertThat(chatMentioning(email)).hasSize(1);
        assertThat(steps(eventId)).containsSubsequence("received", "crm-contact", "owner", "crm-task",
                "welcome-email", "team-chat", "done");

        // lead.created reached lead-followup through the inbox; nobody acted, so it made a follow-up task.
        String followup = jdbc.queryForObject("select id from event where integration = 'lead-followup' "
                + "and delivery_id = ?", String.class, eventId + ":lead.created");
        awaitStatus(followup, "DONE");
        assertThat(admin("GET", "/sandbox/crm/tasks?contactId=" + contactId, null))
                .extracting(task -> task.get("title").asText())
                .anySatisfy(title -> assertThat(title).startsWith("Follow up"));
    }

    @Test
    void submittingTwiceMakesOneContactTaskEmailAndMessage() throws Exception {
        String email = "twice." + UUID.randomUUID().toString().substring(0, 8) + "@difference-works.io";
        String submission = "form-" + UUID.randomUUID();
        String first = postLead(submission, email);
        String second = postLead(submission, email);
        awaitStatus(first, "DONE");
        awaitStatus(second, "DONE");
        JsonNode contacts = admin("GET", "/sandbox/crm/contacts?email=" + enc(email), null);
        assertThat(contacts).hasSize(1);
        assertThat(admin("GET", "/sandbox/crm/tasks?contactId=" + contacts.get(0).get("id").asText(), null)
                .findValuesAsText("title")).filteredOn(t -> t.startsWith("Call new lead")).hasSize(1);
        assertThat(messagesTo(email)).hasSize(1);
        assertThat(chatMentioning(email)).hasSize(1);
    }

    @Test
    void invalidLeadIsParkedForReviewAndNeverReachesTheCrm() throws Exception {
        String email = "someone@gmial.com";
        String eventId = postLead("form-" + UUID.randomUUID(), email);
        awaitStatus(eventId, "DEAD");
        Map<String, Object> letter = jdbc.queryForMap("select * from dead_letter where event_id = ?", eventId);
        assertThat(letter.get("category")).isEqualTo("invalid-data");
        assertThat((String) letter.get("exception_message")).contains("looks like a typo of gmail.com");
        assertThat(admin("GET", "/sandbox/crm/contacts?email=" + enc(email), null)).isEmpty();
        assertThat(alerts.active()).extracting(a -> a.key()).contains("dead-letter:lead-intake");
    }

    @Test
    void revokedCrmClientParksLeadsAsCredentialsWithOneAlert() throws Exception {
        alerts.syncActiveKeys();
        alerts.resolve("connection:crm:credentials-rejected");
        admin("POST", "/sandbox/faults", "{\"system\":\"crm\",\"revokeClient\":true}");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(postLead("form-" + UUID.randomUUID(),
                    "revoked" + i + "." + UUID.randomUUID().toString().substring(0, 6) + "@jacquard.io"));
        }
        for (String eventId : events) {
            awaitStatus(eventId, "DEAD");
            assertThat(jdbc.queryForObject("select category from dead_letter where event_id = ?", String.class, eventId))
                    .isEqualTo("credentials");
            assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId)).isOne();
        }
        assertThat(alerts.active()).filteredOn(a -> a.key().equals("connection:crm:credentials-rejected"))
                .singleElement().satisfies(a -> assertThat(a.count()).isGreaterThanOrEqualTo(3));

        // Renewed credentials: once the connection's cool-down (1 s in tests) is over, leads flow again.
        admin("DELETE", "/sandbox/faults", null);
        await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(() -> true);
        String after = postLead("form-" + UUID.randomUUID(), "renewed." + UUID.randomUUID().toString().substring(0, 6)
                + "@jacquard.io");
        awaitStatus(after, "DONE");
    }

    @Test
    void missingCrmScopeParksTheLeadAsPermissionNamingTheScope() throws Exception {
        // Enough refusals that other work still draining from earlier tests cannot use them all up.
        admin("POST", "/sandbox/faults", "{\"system\":\"crm\",\"status\":403,\"count\":1000,\"scope\":\"contacts:write\"}");
        String eventId = postLead("form-" + UUID.randomUUID(), "perm." + UUID.randomUUID().toString().substring(0, 6)
                + "@babbage.io");
        awaitStatus(eventId, "DEAD");
        Map<String, Object> letter = jdbc.queryForMap("select * from dead_letter where event_id = ?", eventId);
        assertThat(letter.get("category")).isEqualTo("permission");
        assertThat((String) letter.get("exception_message")).contains("contacts:write");
    }

    private String postLead(String submissionId, String email) throws Exception {
        String body = json.writeValueAsString(Map.of("submissionId", submissionId, "email", email, "firstName", "Ada",
                "lastName", "Lovelace", "company", "Analytical Engines", "source", "website",
                "message", "Please call me about the engine."));
        HttpResponse<String> response = new Webhooks(port).postSigned("lead-intake", SECRET, body);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
        return json.readTree(response.body()).get("eventId").asText();
    }

    private void awaitStatus(String eventId, String status) {
        EventStatus.await(jdbc, eventId, status, Duration.ofSeconds(30));
    }

    private List<String> steps(String eventId) {
        return jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId);
    }

    private List<JsonNode> messagesTo(String email) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        admin("GET", "/sandbox/mail/messages", null).forEach(m -> {
            if (email.equals(m.get("to").asText())) {
                found.add(m);
            }
        });
        return found;
    }

    private List<JsonNode> chatMentioning(String email) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        admin("GET", "/sandbox/chat/messages/test-chat-token", null).forEach(m -> {
            if (m.get("text").asText().contains(email)) {
                found.add(m);
            }
        });
        return found;
    }

    private JsonNode admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", TestUsers.basic(TestUsers.ADMIN))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isLessThan(300);
        return response.body().isBlank() ? json.nullNode() : json.readTree(response.body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.ingress.Webhooks;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.reliability.ErrorCategory;
import io.switchboard.reliability.Failure;
import io.switchboard.sandbox.SandboxClient;
import io.switchboard.support.EventStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Integrations calling the sandbox through their connections, end to end: webhook, inbox,
 * route, {@code connection:crm}, the sandbox's OAuth2 token endpoint and API, and back to
 * the event's outcome, the connection's state and the alerts.
 */
@SwitchboardTest
@ExtendWith(OutputCaptureExtension.class)
class ConnectionFlowTest {

    @Autowired
    IntegrationsProperties integrationsConfig;

    static final String CREDENTIALS_ALERT = "connection:crm:credentials-rejected";
    static final List<String> SECRETS = List.of("test-crm-client-secret", "test-mail-api-key", "test-billing-api-key",
            "test-chat-token");
    static final Pattern BEARER_TOKEN = Pattern.compile("Bearer [A-Za-z0-9_\\-]{20,}");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CamelContext camel;

    @Autowired
    ConnectionStates states;

    @Autowired
    RecordingAlertSink alerts;

    private final ObjectMapper json = new ObjectMapper();
    private SandboxClient sandbox;
    private ProducerTemplate template;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new SandboxClient(port);
        template = camel.createProducerTemplate();
        sandbox.clearFaults();
        awaitCrmWorks();
        alerts.clear();
    }

    @AfterEach
    void tearDown() throws Exception {
        sandbox.clearFaults();
        awaitCrmWorks();
    }

    @Test
    void manyCallsThroughTheSandboxShareOneToken() {
        int before = tokensIssued();
        for (int i = 0; i < 20; i++) {
            Exchange answer = crm("contacts", Map.of(Exchange.HTTP_QUERY, "email=nobody-" + i + "@example.com"));
            assertThat(answer.getException()).isNull();
            assertThat(answer.getMessage().getBody(String.class)).isEqualTo("[]");
        }
        assertThat(tokensIssued() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void expiredTokenIsRefreshedAndTheCallSucceeds() throws Exception {
        assertThat(crm("users", Map.of()).getException()).isNull();
        int before = tokensIssued();
        sandbox.fault("{\"system\":\"crm\",\"expireTokens\":true}");

        Exchange answer = crm("users", Map.of());

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody(String.class)).contains("u_ada");
        assertThat(tokensIssued()).isEqualTo(before + 1);
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.OK);
    }

    @Test
    void revokedClientDeadLettersEventsAsCredentialsWithOneAlert() throws Exception {
        sandbox.fault("{\"system\":\"crm\",\"revokeClient\":true}");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(postLead("revoked-" + i));
        }

        for (String event : events) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "DEAD".equals(status(event)));
            assertThat(lastError(event)).startsWith("credentials:").contains("refused the client");
        }
        // Alerts reach their channels on another thread.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(alerts.raised(CREDENTIALS_ALERT)).hasSize(1));
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.CREDENTIALS_REJECTED);
        JsonNode crm = connectionView("crm");
        assertThat(crm.get("state").asText()).isEqualTo("credentials-rejected");
        assertThat(crm.get("since").asText()).isNotBlank();
        // Other connections keep working.
        assertThat(template.request("connection:chat/chat.postMessage", e -> e.getMessage().setBody("{\"text\":\"still here\"}"))
                .getException()).isNull();

        sandbox.clearFaults();
        awaitCrmWorks();
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.OK);
        // Alerts reach their channels on another thread.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(alerts.resolved(CREDENTIALS_ALERT)).hasSize(1));
    }

    @Test
    void forbiddenCallDeadLettersAsPermissionNamingTheScope() throws Exception {
        sandbox.fault("{\"system\":\"crm\",\"status\":403,\"scope\":\"contacts:write\",\"count\":1}");

        String denied = postLead("denied");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DEAD".equals(status(denied)));

        assertThat(lastError(denied)).startsWith("permission:").contains("missing scope contacts:write");
        ConnectionState state = states.get("crm").orElseThrow();
        assertThat(state.status()).isEqualTo(Status.PERMISSION_DENIED);
        assertThat(state.detail()).contains("contacts:write");

        String allowed = postLead("allowed");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(allowed)));
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.OK);
    }

    @Test
    void rateLimitedCallCarriesRetryAfterAndShowsInTheState() throws Exception {
        assertThat(crm("users", Map.of()).getException()).isNull();
        sandbox.fault("{\"system\":\"crm\",\"rateLimit\":1}");

        Failure limited = null;
        for (int i = 0; i < 5 && limited == null; i++) {
            Exchange answer = crm("users", Map.of());
            if (answer.getException() != null) {
                limited = Failure.of(answer.getException());
            }
        }

        assertThat(limited).isNotNull();
        assertThat(limited.category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(limited.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.RATE_LIMITED);
        assertThat(connectionView("crm").get("state").asText()).isEqualTo("rate-limited");
    }

    @Test
    void mailBillingAndChatConnectionsReachTheSandbox() throws Exception {
        String to = "welcome-" + UUID.randomUUID() + "@example.com";
        Exchange mail = template.request("connection:mail/messages?method=POST", e -> e.getMessage().setBody(
                Map.of("to", to, "subject", "Welcome", "text", "Hello")));
        assertThat(mail.getException()).isNull();
        assertThat(mail.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(202);

        Exchange invoices = template.request("connection:billing/invoices", e ->
                e.getMessage().setHeader(Exchange.HTTP_QUERY, "limit=5"));
        assertThat(invoices.getException()).isNull();
        assertThat(json.readTree(invoices.getMessage().getBody(String.class))).hasSize(5);
        assertThat(invoices.getMessage().getHeader("X-Next-Cursor", String.class)).isNotBlank();

        Exchange customer = template.request("connection:billing/customers", e ->
                e.getMessage().setHeader(Exchange.HTTP_PATH, "cus_001"));
        assertThat(json.readTree(customer.getMessage().getBody(String.class)).get("id").asText()).isEqualTo("cus_001");

        Exchange chat = template.request("connection:chat/chat.postMessage", e -> e.getMessage().setBody("{\"text\":\"New lead\"}"));
        assertThat(chat.getException()).isNull();
        assertThat(chat.getMessage().getBody(String.class)).contains("\"ok\":true");
    }

    @Test
    void secretsStayOutOfLogsJournalAndApiAnswers(CapturedOutput output) throws Exception {
        String done = postLead("secret-check");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(done)));
        template.request("connection:chat/chat.postMessage", e -> e.getMessage().setBody("{\"text\":\"hi\"}"));
        template.request("connection:billing/invoices", e -> e.getMessage().setHeader(Exchange.HTTP_QUERY, "limit=1"));
        sandbox.fault("{\"system\":\"billing\",\"status\":500,\"count\":1}");
        Exchange failed = template.request("connection:billing/invoices", e -> { });
        assertThat(failed.getException()).isNotNull();
        sandbox.fault("{\"system\":\"crm\",\"revokeClient\":true}");
        String dead = postLead("secret-check-dead");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DEAD".equals(status(dead)));

        String journal = jdbc.queryForList("select coalesce(headers, '') || ' ' || coalesce(last_error, '') || ' ' "
                + "|| payload from event where id in (?, ?)", String.class, done, dead) + " "
                + jdbc.queryForList("select detail from event_step where event_id in (?, ?)", String.class, done, dead);
        HttpResponse<String> api = sandbox.get("/api/connections", "Authorization",
                SandboxClient.basic("viewer", "viewer-test-password"));
        assertThat(api.statusCode()).isEqualTo(200);
        for (String text : List.of(output.getAll(), journal, api.body(), String.valueOf(failed.getException()))) {
            for (String secret : SECRETS) {
                assertThat(text).doesNotContain(secret);
            }
            assertThat(BEARER_TOKEN.matcher(text).find()).as("a bearer token in %s", text).isFalse();
        }
        assertThat(journal).contains("credentials:");
    }

    @Test
    void connectionsApiListsEveryConnectionForViewers() throws Exception {
        assertThat(sandbox.get("/api/connections").statusCode()).isEqualTo(401);
        HttpResponse<String> response = sandbox.get("/api/connections", "Authorization",
                SandboxClient.basic("viewer", "viewer-test-password"));
        JsonNode all = json.readTree(response.body());
        assertThat(all.findValuesAsText("name")).contains("crm", "mail", "billing", "chat");
        JsonNode crm = connectionView("crm");
        assertThat(crm.get("auth").asText()).isEqualTo("oauth2-client-credentials");
        assertThat(crm.get("baseUrl").asText()).isEqualTo("http://localhost:" + port + "/sandbox/crm");
        // Least privilege: the union of the cards' scopes, not everything the client may have.
        SortedSet<String> cardScopes = new TreeSet<>();
        integrationsConfig.all().values().forEach(integration -> {
            if (integration.card() != null) {
                cardScopes.addAll(integration.card().scopes().getOrDefault("crm", List.of()));
            }
        });
        assertThat(json.convertValue(crm.get("scopes"), List.class))
                .contains("contacts:read", "contacts:write", "tasks:write", "users:read")
                .containsExactlyElementsOf(cardScopes);
        // the test profile lifts the limit to 500/s (test-overrides.properties)
        assertThat(crm.get("rateLimit").asDouble()).isEqualTo(500.0);
    }

    // --- helpers

    private Exchange crm(String path, Map<String, Object> headers) {
        return template.request("connection:crm/" + path, e -> e.getMessage().getHeaders().putAll(headers));
    }

    private void awaitCrmWorks() {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> crm("users", Map.of()).getException() == null);
    }

    private String postLead(String name) throws Exception {
        String body = "{\"email\":\"" + name + "-" + UUID.randomUUID() + "@example.com\",\"firstName\":\"" + name + "\"}";
        HttpResponse<String> response = new Webhooks(port).send(new Webhooks(port).request("probe-connect", body)
                .header("X-Api-Key", "probe-connect-key"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json.readTree(response.body()).get("eventId").asText();
    }

    private JsonNode connectionView(String name) throws Exception {
        HttpResponse<String> response = sandbox.get("/api/connections", "Authorization",
                SandboxClient.basic("viewer", "viewer-test-password"));
        for (JsonNode connection : json.readTree(response.body())) {
            if (connection.get("name").asText().equals(name)) {
                return connection;
            }
        }
        throw new AssertionError("no connection " + name + " in " + response.body());
    }

    private int tokensIssued() {
        return jdbc.queryForObject("select count(*) from sandbox_token where client_id = 'switchboard-test'",
                Integer.class);
    }

    private String status(String eventId) {
        return EventStatus.of(jdbc, eventId);
    }

    private String lastError(String eventId) {
        return jdbc.queryForObject("select last_error from event where id = ?", String.class, eventId);
    }
}

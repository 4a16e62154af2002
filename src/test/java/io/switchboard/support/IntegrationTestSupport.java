package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.ingress.Webhooks;
import io.switchboard.integration.IntegrationsProperties;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What an integration's test needs, in one base class: the whole server with the real
 * {@code routes/} and {@code config/} folders and the sandbox (one Spring context shared by
 * every test), ways to send an event in ({@link #deliver} signs for the integration's own
 * webhook scheme), a client per role ({@link #viewer()}, {@link #operator()}, {@link #admin()}),
 * ways to read what happened ({@link #awaitStatus}, the journal, dead letters, the sandbox
 * systems' state), and sandbox faults that end with the test. Copy {@code LeadIntakeTemplateTest}
 * to start.
 */
@SwitchboardTest
public abstract class IntegrationTestSupport {

    /** The test profile's lead-intake secret (src/test/resources/application-test.yaml). */
    protected static final String LEAD_INTAKE_SECRET = "whsec_dGVzdC1sZWFkLWludGFrZS1zZWNyZXQ=";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected InboxStore inbox;

    @Autowired
    protected InboxSignal signal;

    @Autowired
    private IntegrationsProperties integrations;

    protected final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean faulted;

    /** Connects the team chat again as the operator (after a test revoked or disconnected it). */
    protected void reconnectChat() throws Exception {
        ChatConnect.connect("http://localhost:" + port, "chat", TestUsers.OPERATOR, TestUsers.password(TestUsers.OPERATOR));
    }

    /** The API as the test profile's viewer (read only). */
    protected ApiClient viewer() {
        return new ApiClient(baseUrl(), TestUsers.VIEWER);
    }

    /** The API as the test profile's operator (replay, discard, drills, connections). */
    protected ApiClient operator() {
        return new ApiClient(baseUrl(), TestUsers.OPERATOR);
    }

    /** The API and the sandbox as the test profile's admin. */
    protected ApiClient admin() {
        return new ApiClient(baseUrl(), TestUsers.ADMIN);
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    /**
     * Sends a new webhook delivery signed as the integration's card says (Standard Webhooks,
     * GitHub, Stripe or an API key) with its secret; returns the answer, whatever it is.
     */
    protected Deliveries.Delivery deliver(String integration, Object payload) throws Exception {
        return deliveries().send(integration, text(payload));
    }

    /** As {@link #deliver(String, Object)}, under a given delivery id: the same id again is a repeat. */
    protected Deliveries.Delivery deliver(String integration, String deliveryId, Object payload) throws Exception {
        return deliveries().send(integration, deliveryId, text(payload));
    }

    /** Sends a signed delivery that must be accepted (202); returns its event id. */
    protected String deliverAccepted(String integration, Object payload) throws Exception {
        Deliveries.Delivery delivery = deliver(integration, payload);
        assertThat(delivery.status()).as(delivery.body()).isEqualTo(202);
        return delivery.eventId();
    }

    protected Deliveries deliveries() {
        return new Deliveries(baseUrl(), integrations);
    }

    private String text(Object payload) throws Exception {
        return payload instanceof String text ? text : json.writeValueAsString(payload);
    }

    /** Posts a webhook signed the Standard Webhooks way; returns the event id (202 or duplicate 200). */
    protected String postSigned(String integration, String secret, Object payload) throws Exception {
        HttpResponse<String> response = new Webhooks(port).postSigned(integration, secret,
                payload instanceof String text ? text : json.writeValueAsString(payload));
        assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
        return json.readTree(response.body()).get("eventId").asText();
    }

    /** Puts an event straight into an integration's inbox, as an emitted internal event would. */
    protected String enqueue(String integration, String deliveryId, Object payload) throws Exception {
        String eventId = inbox.enqueue(integration, deliveryId,
                payload instanceof String text ? text : json.writeValueAsString(payload));
        signal.wake(integration);
        return eventId;
    }

    /** Waits until the event reaches a status (DONE, DEAD, ...), 30 s at most. */
    protected void awaitStatus(String eventId, String status) {
        awaitStatus(eventId, status, Duration.ofSeconds(30));
    }

    /** Waits until the event reaches a status; a timeout names the status it was left in. */
    protected void awaitStatus(String eventId, String status, Duration atMost) {
        EventStatus.await(jdbc, eventId, status, atMost);
    }

    /** The event's status now (RECEIVED, DONE, FAILED, WAITING, DEAD, ...); fails for no such event. */
    protected String status(String eventId) {
        return EventStatus.of(jdbc, eventId);
    }

    /** The event's step trail, in order. */
    protected List<String> steps(String eventId) {
        return jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId);
    }

    /** The event's dead letter (category, exception_message, payload, ...). */
    protected Map<String, Object> deadLetter(String eventId) {
        return jdbc.queryForMap("select * from dead_letter where event_id = ?", eventId);
    }

    /**
     * Calls the server's API as a user of the test profile ({@code "operator"},
     * {@code "viewer"}, {@code "admin"}; password {@code <user>-test-password}), whatever the answer.
     */
    protected HttpResponse<String> callAs(String user, String method, String path, String body) throws Exception {
        return new ApiClient(baseUrl(), user).send(method, path, body);
    }

    /** Reads the sandbox (or any admin-visible API) as the admin, e.g. {@code /sandbox/crm/contacts?email=...}. */
    protected JsonNode asAdmin(String method, String path, String body) throws Exception {
        return admin().json(method, path, body);
    }

    /**
     * Calls the sandbox CRM as a client of its own would (a token from its OAuth2 endpoint
     * with the test client), e.g. to set up a contact before a test.
     */
    protected JsonNode asCrmClient(String method, String path, String body) throws Exception {
        HttpRequest tokenRequest = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sandbox/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=switchboard-test"
                        + "&client_secret=test-crm-client-secret&scope=contacts:read%20contacts:write%20tasks:read%20tasks:write"))
                .build();
        HttpResponse<String> token = http.send(tokenRequest, HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + json.readTree(token.body()).get("access_token").asText())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isLessThan(300);
        return response.body().isBlank() ? json.nullNode() : json.readTree(response.body());
    }

    /**
     * Makes a sandbox system misbehave, e.g. {@code {"system":"crm","status":503,"count":2}}, until
     * the test ends (or the handle is closed, or {@link #clearFaults()}): the next test never meets it.
     */
    protected AutoCloseable fault(String json) throws Exception {
        faulted = true;
        asAdmin("POST", "/sandbox/faults", json);
        return this::clearFaults;
    }

    protected void clearFaults() throws Exception {
        asAdmin("DELETE", "/sandbox/faults", null);
    }

    @AfterEach
    void clearFaultsOfThisTest() throws Exception {
        if (faulted) {
            faulted = false;
            clearFaults();
        }
    }

    /**
     * Checks that {@code src/docs/writing-integrations.md} shows the route file word for word
     * (from its first {@code - route:}), so the docs' example is the one the test runs.
     */
    protected static void assertDocsShowRouteFile(String file) throws IOException {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        String route = Files.readString(Path.of("src/test/resources/test-routes", file));
        assertThat(doc).contains(route.substring(route.indexOf("- route:")).strip());
    }

    /** The team chat's messages (the sandbox's incoming webhook) whose text contains a string. */
    protected List<String> chatsContaining(String text) throws Exception {
        List<String> found = new ArrayList<>();
        asAdmin("GET", "/sandbox/chat/messages", null).forEach(chat -> {
            if (chat.toString().contains(text)) {
                found.add(chat.path("text").asText(chat.toString()));
            }
        });
        return found;
    }
}

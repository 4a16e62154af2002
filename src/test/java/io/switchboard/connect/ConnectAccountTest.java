package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardTest;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.security.Browserless;
import io.switchboard.support.ChatConnect;
import io.switchboard.support.IntegrationTestSupport;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * "Connect account" for the team chat, end to end against the sandbox's authorization server:
 * the callback's checks, events held while the chat needs connecting and flushed after, a
 * grant revoked mid-stream, Disconnect, and the tokens stored encrypted.
 */
@SwitchboardTest
@ExtendWith(OutputCaptureExtension.class)
class ConnectAccountTest extends IntegrationTestSupport {

    private static final String WAITING_ALERT = "connection:chat:waiting:lead-intake";

    @Autowired
    RecordingAlertSink alerts;

    @AfterEach
    void chatConnectedAgain() throws Exception {
        clearFaults();
        if (!"connected".equals(chat().path("connect").path("standing").asText())) {
            reconnectChat();
        }
    }

    @Test
    void leadsWaitAtTheChatStepWhileItIsDisconnectedAndRunOnceEachAfterConnect() throws Exception {
        HttpResponse<String> disconnected = callAs("operator", "DELETE", "/api/connections/chat/authorization", null);
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(200);
        assertThat(json.readTree(disconnected.body()).get("revokedAtProvider").asBoolean()).isTrue();
        alerts.clear();

        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(postSigned("lead-intake", LEAD_INTAKE_SECRET, lead("held-" + i)));
        }
        for (String event : events) {
            awaitStatus(event, "WAITING");
            assertThat(lastError(event)).startsWith("waiting for connection chat");
            // CRM contact, task and e-mail are done; only the chat step waits.
            assertThat(steps(event)).contains("waiting").doesNotContain("attempt-failed", "dead");
            assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, event)).isZero();
        }
        JsonNode chat = chat();
        assertThat(chat.path("connect").path("standing").asText()).isEqualTo("disconnected");
        assertThat(chat.path("connect").path("waiting").path("lead-intake").asLong()).isEqualTo(3);
        // Alerts reach their channels on another thread.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(alerts.raised(WAITING_ALERT)).hasSize(1));
        assertThat(alerts.raised(WAITING_ALERT).get(0).detail()).contains("/console#/connections");

        String back = ChatConnect.connect("http://localhost:" + port, "chat", "operator",
                "operator-test-password");

        assertThat(back).isEqualTo("/console#/connections?connection=chat&connected");
        for (int i = 0; i < events.size(); i++) {
            awaitStatus(events.get(i), "DONE");
            assertThat(steps(events.get(i))).contains("resumed", "done");
            assertThat(chatsContaining("held-" + i + "@jacquard.io")).hasSize(1);
        }
        // Alerts reach their channels on another thread.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(alerts.resolved(WAITING_ALERT)).hasSize(1));
        JsonNode connected = chat().path("connect");
        assertThat(connected.path("standing").asText()).isEqualTo("connected");
        assertThat(connected.path("connectedBy").asText()).isEqualTo("operator");
        assertThat(connected.path("scopesGranted").toString()).isEqualTo("[\"chat:write\"]");
        assertThat(connected.path("waiting").size()).isZero();
    }

    @Test
    void aGrantRevokedMidStreamHoldsTheRestWithOneAlertAndReconnectingDeliversEveryMessageOnce() throws Exception {
        alerts.clear();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(postSigned("lead-intake", LEAD_INTAKE_SECRET, lead("midstream-" + i)));
        }
        fault("{\"system\":\"oauth\",\"revokeGrants\":true}");
        for (int i = 4; i < 10; i++) {
            events.add(postSigned("lead-intake", LEAD_INTAKE_SECRET, lead("midstream-" + i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(event ->
                List.of("DONE", "WAITING").contains(status(event))));
        long waiting = events.stream().filter(event -> "WAITING".equals(status(event))).count();
        assertThat(waiting).isGreaterThanOrEqualTo(6);
        assertThat(chat().path("connect").path("standing").asText()).isEqualTo("needs-reconnect");
        assertThat(chat().path("connect").path("reason").asText()).contains("invalid_grant");
        assertThat(chat().path("state").asText()).isEqualTo("needs-connecting");
        // Alerts reach their channels on another thread.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(alerts.raised(WAITING_ALERT)).hasSize(1));

        reconnectChat();

        for (int i = 0; i < events.size(); i++) {
            awaitStatus(events.get(i), "DONE");
            assertThat(chatsContaining("midstream-" + i + "@jacquard.io")).as("lead " + i).hasSize(1);
        }
        // Still the one alert: reconnecting raised no second one.
        assertThat(alerts.raised(WAITING_ALERT)).hasSize(1);
    }

    @Test
    void theCallbackRefusesAMissingUsedOrForeignStateAndStoresNothing() throws Exception {
        Browserless operator = session();
        assertThat(operator.send(get(operator.uri("/oauth2/callback/chat?code=abc"))).statusCode()).isEqualTo(400);
        assertThat(operator.send(get(operator.uri("/oauth2/callback/chat?code=abc&state=made-up"))).statusCode())
                .isEqualTo(400);

        // A state started in another person's session does not count in this one.
        Browserless other = session();
        String state = stateOf(ChatConnect.start(other, "chat"));
        HttpResponse<String> foreign = operator.send(get(operator.uri("/oauth2/callback/chat?code=abc&state=" + state)));
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.body()).contains("Nothing was stored");

        // access_denied: back to the console, which says so; the connection stays as it was.
        String standing = chat().path("connect").path("connectedAt").asText();
        HttpResponse<String> denied = other.send(get(other.uri("/oauth2/callback/chat?error=access_denied&state="
                + state)));
        assertThat(ChatConnect.continueTo(denied)).endsWith("connection=chat&denied");
        assertThat(chat().path("connect").path("standing").asText()).isEqualTo("connected");
        assertThat(chat().path("connect").path("connectedAt").asText()).isEqualTo(standing);
        // ... and that state is used up.
        assertThat(other.send(get(other.uri("/oauth2/callback/chat?error=access_denied&state=" + state))).statusCode())
                .isEqualTo(400);
    }

    @Test
    void connectStartsOnlyFromTheConsolesPostWithItsCsrfTokenNeverFromAGet() throws Exception {
        Browserless operator = session();
        int pending = jdbc.queryForObject("select count(*) from connect_pending", Integer.class);

        // What a link or an <img> on another page (a same-site one on another port too) would send.
        HttpResponse<String> byGet = operator.send(get(operator.uri("/api/connections/chat/authorize")));
        HttpResponse<String> withoutToken = operator.send(get(operator.uri("/api/connections/chat/authorize"))
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(byGet.statusCode()).isEqualTo(405);
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        for (HttpResponse<String> refused : List.of(byGet, withoutToken)) {
            assertThat(refused.headers().firstValue("Location")).isEmpty();
            assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("switchboard-connect="));
        }
        assertThat(jdbc.queryForObject("select count(*) from connect_pending", Integer.class)).isEqualTo(pending);

        HttpResponse<String> started = ChatConnect.start(operator, "chat");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(started.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("switchboard-connect="));
        assertThat(jdbc.queryForObject("select count(*) from connect_pending where state = ?", Integer.class,
                UriUtils.decode(stateOf(started), StandardCharsets.UTF_8)))
                .isOne();
    }

    @Test
    void aProviderOnAnotherSiteSendsTheBrowserBackWithoutTheStrictSessionCookieAndConnectStillCompletes()
            throws Exception {
        Browserless operator = session();
        HttpResponse<String> start = ChatConnect.start(operator, "chat");
        String binding = start.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("switchboard-connect=")).findFirst().orElseThrow();
        assertThat(binding).contains("SameSite=Lax").contains("HttpOnly").contains("Path=/oauth2/callback");
        String callback = ChatConnect.approve(operator, ChatConnect.consentPage(start)).toString();

        // What a browser sends on a cross-site redirect: the Lax cookie, not the Strict session.
        HttpResponse<String> back = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(callback))
                .header("Cookie", binding.substring(0, binding.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        // Without the binding cookie, the same answer would be refused.
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(ChatConnect.continueTo(back)).endsWith("connection=chat&connected");
        assertThat(chat().path("connect").path("connectedBy").asText()).isEqualTo("operator");
    }

    @Test
    void anEventHeldJustAsAnotherNodeConnectedIsReleasedByTheSweep() throws Exception {
        // Stored not claimable, then held for the chat, as if a node held it right after another
        // node's Connect had released the rest.
        String event = inbox.accept("lead-intake", "sweep-" + System.nanoTime(), json.writeValueAsString(lead("sweep")),
                Instant.parse("9999-01-01T00:00:00Z")).eventId();
        assertThat(jdbc.update("update inbox set waiting_for = 'chat' where event_id = ?", event)).isEqualTo(1);
        assertThat(jdbc.update("update event set status = 'WAITING' where id = ?", event)).isEqualTo(1);

        held.sweep();
        signal.wake("lead-intake");

        awaitStatus(event, "DONE");
        assertThat(steps(event)).contains("resumed");
    }

    @Autowired
    HeldEvents held;

    @Test
    void theConsentRequestCarriesPkceS256AndOnlyTheScopesTheCardsAskFor() throws Exception {
        Browserless operator = session();
        String location = ChatConnect.consentPage(ChatConnect.start(operator, "chat")).toString();
        assertThat(location).startsWith("http://localhost:" + port + "/sandbox/oauth/authorize?")
                .contains("response_type=code", "client_id=switchboard-chat-app", "code_challenge_method=S256",
                        "code_challenge=", "state=", "scope=chat:write",
                        "redirect_uri=http://localhost:" + port + "/oauth2/callback/chat")
                .doesNotContain("channels:read");
    }

    @Test
    void aConsoleOpenedOn127001GetsTheSandboxsConsentPageAndCallbackOnThatHost() throws Exception {
        Browserless operator = new Browserless("http://127.0.0.1:" + port);
        assertThat(operator.logIn("operator", "operator-test-password")).isEqualTo(302);
        String location = ChatConnect.consentPage(ChatConnect.start(operator, "chat")).toString();
        assertThat(location).startsWith("http://127.0.0.1:" + port + "/sandbox/oauth/authorize?")
                .contains("redirect_uri=http://127.0.0.1:" + port + "/oauth2/callback/chat");
    }

    @Test
    void viewersCannotConnectOrDisconnectAndUnknownOrStaticConnectionsAreNamed() throws Exception {
        assertThat(callAs("viewer", "POST", "/api/connections/chat/authorize", null).statusCode()).isEqualTo(403);
        assertThat(callAs("viewer", "DELETE", "/api/connections/chat/authorization", null).statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = callAs("operator", "POST", "/api/connections/nope/authorize", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("No connection nope");
        HttpResponse<String> crm = callAs("operator", "POST", "/api/connections/crm/authorize", null);
        assertThat(crm.statusCode()).isEqualTo(400);
        assertThat(crm.body()).contains("oauth2-authorization-code");
        assertThat(chat().path("connect").path("standing").asText()).isEqualTo("connected");
    }

    @Test
    void theTokenTableHoldsNoTokenInClearAndNoAnswerOrLogShowsOne(CapturedOutput output) throws Exception {
        reconnectChat();
        Map<String, Object> row = jdbc.queryForMap("select access_token_value, refresh_token_value "
                + "from oauth2_authorized_client where client_registration_id = 'chat'");
        String storedAccess = (String) row.get("access_token_value");
        String storedRefresh = (String) row.get("refresh_token_value");
        assertThat(storedAccess).startsWith("v1:");
        assertThat(storedRefresh).startsWith("v1:");

        TokenCipher cipher = new TokenCipher(TEST_KEY, List.of());
        String access = cipher.decrypt(storedAccess, "chat/access_token");
        String refresh = cipher.decrypt(storedRefresh, "chat/refresh_token");
        // What decrypts is the token the sandbox issued (it keeps only hashes).
        assertThat(jdbc.queryForObject("select count(*) from sandbox_token where token_hash = ?", Integer.class,
                sha256(access))).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from sandbox_refresh_token where token_hash = ?", Integer.class,
                sha256(refresh))).isEqualTo(1);
        assertThat(storedAccess).doesNotContain(access);
        assertThat(storedRefresh).doesNotContain(refresh);
        // A ciphertext moved to the other column does not decrypt.
        Assertions.assertThatThrownBy(() -> cipher.decrypt(storedAccess, "chat/refresh_token"))
                .isInstanceOf(IllegalStateException.class);

        String answer = callAs("admin", "GET", "/api/connections", null).body();
        assertThat(answer).doesNotContain(access).doesNotContain(refresh).doesNotContain("test-chat-app-secret");
        assertThat(output.getAll()).doesNotContain(access).doesNotContain(refresh);
    }

    static final String TEST_KEY = "dGVzdC1vbmx5LXRva2VuLWtleS0zMi1ieXRlcy1vayE=";

    private Browserless session() throws Exception {
        Browserless session = new Browserless(port);
        assertThat(session.logIn("operator", "operator-test-password")).isEqualTo(302);
        return session;
    }

    private static String stateOf(HttpResponse<String> start) throws Exception {
        String location = ChatConnect.consentPage(start).toString();
        return UriComponentsBuilder.fromUriString(location).build().getQueryParams()
                .getFirst("state");
    }

    private static HttpRequest.Builder get(URI uri) {
        return HttpRequest.newBuilder(uri);
    }

    private JsonNode chat() throws Exception {
        for (JsonNode connection : asAdmin("GET", "/api/connections", null)) {
            if (connection.path("name").asText().equals("chat")) {
                return connection;
            }
        }
        throw new AssertionError("no chat connection");
    }

    private String lastError(String event) {
        return jdbc.queryForObject("select last_error from event where id = ?", String.class, event);
    }

    private static Map<String, Object> lead(String name) {
        return Map.of("submissionId", name + "-" + System.nanoTime(), "email", name + "@jacquard.io",
                "firstName", "Ada", "lastName", name);
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}

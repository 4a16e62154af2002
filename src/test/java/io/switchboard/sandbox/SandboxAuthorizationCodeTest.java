package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's authorization server, as a provider's is used for "Connect account": a
 * consent page, the authorization code with PKCE (S256), and refresh tokens rotated per use,
 * a reused one revoking its family (RFC 6749, RFC 7636, the OAuth 2.0 Security BCP).
 */
class SandboxAuthorizationCodeTest extends IntegrationTestSupport {

    private static final String CLIENT = "switchboard-chat-app";
    private static final String SECRET = "test-chat-app-secret";
    private static final String CALLBACK = "http://localhost/oauth2/callback/chat";

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void cleanUp() throws Exception {
        clearFaults();
    }

    @Test
    void anApprovedConsentGivesACodeThatTheRightVerifierRedeemsOnce() throws Exception {
        String verifier = "verifier-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        HttpResponse<String> page = get(authorizeUrl(SandboxGrants.s256(verifier), "state-1"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Switchboard (test) wants to use your account").contains("chat:write");

        Map<String, String> answer = approve(SandboxGrants.s256(verifier), "state-1");
        assertThat(answer.get("state")).isEqualTo("state-1");
        String code = answer.get("code");

        JsonNode wrong = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                "code_verifier", "not-the-verifier"));
        assertThat(wrong.get("error").asText()).isEqualTo("invalid_grant");
        assertThat(wrong.get("error_description").asText()).contains("PKCE");

        JsonNode tokens = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                "code_verifier", verifier));
        assertThat(tokens.get("access_token").asText()).isNotBlank();
        assertThat(tokens.get("refresh_token").asText()).isNotBlank();
        assertThat(tokens.get("expires_in").asLong()).isEqualTo(300);
        assertThat(tokens.get("scope").asText()).isEqualTo("chat:write");

        JsonNode again = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                "code_verifier", verifier));
        assertThat(again.get("error").asText()).isEqualTo("invalid_grant");
        // The second use of the code revokes what the first one granted.
        JsonNode refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token",
                tokens.get("refresh_token").asText()));
        assertThat(refreshed.get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void aRefreshTokenIsRotatedAndAReusedOneRevokesTheWholeFamily() throws Exception {
        JsonNode first = connect();
        JsonNode second = token(Map.of("grant_type", "refresh_token", "refresh_token",
                first.get("refresh_token").asText()));
        assertThat(second.get("refresh_token").asText()).isNotEqualTo(first.get("refresh_token").asText());
        assertThat(second.get("access_token").asText()).isNotBlank();

        JsonNode replayed = token(Map.of("grant_type", "refresh_token", "refresh_token",
                first.get("refresh_token").asText()));
        assertThat(replayed.get("error").asText()).isEqualTo("invalid_grant");
        JsonNode afterTheft = token(Map.of("grant_type", "refresh_token", "refresh_token",
                second.get("refresh_token").asText()));
        assertThat(afterTheft.get("error").asText()).as("the family is revoked").isEqualTo("invalid_grant");
    }

    @Test
    void theRevokeGrantsFaultMakesEveryRefreshAnInvalidGrant() throws Exception {
        JsonNode tokens = connect();
        fault("{\"system\":\"oauth\",\"revokeGrants\":true}");
        JsonNode refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token",
                tokens.get("refresh_token").asText()));
        assertThat(refreshed.get("error").asText()).isEqualTo("invalid_grant");
        assertThat(refreshed.get("error_description").asText()).contains("connect again");
        // The fault revoked the server's own chat grant as well; the other tests need it connected.
        reconnectChat();
    }

    @Test
    void aDeniedConsentAnAuthorizeWithoutPkceAndAnUnknownAppAreRefused() throws Exception {
        String challenge = SandboxGrants.s256("v-" + UUID.randomUUID());
        HttpResponse<String> denied = post("/sandbox/oauth/authorize", Map.of("client_id", CLIENT, "redirect_uri",
                CALLBACK, "scope", "chat:write", "state", "s-2", "code_challenge", challenge, "decision", "deny"));
        assertThat(denied.statusCode()).isEqualTo(302);
        assertThat(query(denied)).containsEntry("error", "access_denied").containsEntry("state", "s-2");

        HttpResponse<String> noPkce = get("/sandbox/oauth/authorize?response_type=code&client_id=" + CLIENT
                + "&redirect_uri=" + enc(CALLBACK) + "&scope=chat:write&state=s-3");
        assertThat(noPkce.statusCode()).isEqualTo(302);
        assertThat(query(noPkce)).containsEntry("error", "invalid_request");

        HttpResponse<String> elsewhere = get("/sandbox/oauth/authorize?response_type=code&client_id=" + CLIENT
                + "&redirect_uri=" + enc("https://evil.example/cb") + "&code_challenge=" + challenge
                + "&code_challenge_method=S256");
        assertThat(elsewhere.statusCode()).as("never redirected to an unregistered URI").isEqualTo(400);
    }

    @Test
    void theConnectedAppPostsToTheChatWithItsTokenAndItsScope() throws Exception {
        String text = "From the app " + UUID.randomUUID();
        HttpResponse<String> posted = chatPost(connect().get("access_token").asText(), text);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        assertThat(json.readTree(posted.body()).get("ok").asBoolean()).isTrue();
        assertThat(chatsContaining(text)).hasSize(1);

        assertThat(chatPost(null, "x").statusCode()).isEqualTo(401);
        assertThat(json.readTree(chatPost("not-a-token", "x").body()).get("error").asText()).isEqualTo("invalid_auth");
        HttpResponse<String> readOnly = chatPost(connect("channels:read").get("access_token").asText(), "x");
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(json.readTree(readOnly.body()).get("needed").asText()).isEqualTo("chat:write");
    }

    private HttpResponse<String> chatPost(String token, String text) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/sandbox/chat/api/chat.postMessage"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("channel", "#sales",
                        "text", text))));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode connect() throws Exception {
        return connect("chat:write");
    }

    private JsonNode connect(String scope) throws Exception {
        String verifier = "verifier-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        String code = approve(SandboxGrants.s256(verifier), "s", scope).get("code");
        return token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                "code_verifier", verifier));
    }

    private Map<String, String> approve(String challenge, String state) throws Exception {
        return approve(challenge, state, "chat:write");
    }

    private Map<String, String> approve(String challenge, String state, String scope) throws Exception {
        HttpResponse<String> approved = post("/sandbox/oauth/authorize", Map.of("client_id", CLIENT, "redirect_uri",
                CALLBACK, "scope", scope, "state", state, "code_challenge", challenge, "decision", "approve"));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(302);
        assertThat(approved.headers().firstValue("Location").orElseThrow()).startsWith(CALLBACK + "?");
        return query(approved);
    }

    private String authorizeUrl(String challenge, String state) {
        return "/sandbox/oauth/authorize?response_type=code&client_id=" + CLIENT + "&redirect_uri=" + enc(CALLBACK)
                + "&scope=chat:write&state=" + state + "&code_challenge=" + challenge + "&code_challenge_method=S256";
    }

    private JsonNode token(Map<String, String> form) throws Exception {
        Map<String, String> withClient = new LinkedHashMap<>(form);
        withClient.put("client_id", CLIENT);
        withClient.put("client_secret", SECRET);
        return json.readTree(post("/sandbox/oauth/token", withClient).body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> query(HttpResponse<String> redirect) {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

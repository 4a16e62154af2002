package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.support.TestUsers;

/** Talks to a running server's sandbox the way the integrations and a person would. */
public final class SandboxClient {

    public static final String ADMIN = TestUsers.basic(TestUsers.ADMIN);
    public static final String CRM_CLIENT = "switchboard-test";
    public static final String CRM_SECRET = "test-crm-client-secret";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;

    public SandboxClient(int port) {
        this.base = "http://localhost:" + port;
    }

    public HttpResponse<String> get(String path, String... headers) throws Exception {
        return send(request(path, headers).GET());
    }

    public HttpResponse<String> post(String path, String json, String... headers) throws Exception {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String path, String... headers) throws Exception {
        return send(request(path, headers).DELETE());
    }

    public HttpResponse<String> tokenRequest(String clientId, String secret, String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + encode(clientId) + "&client_secret=" + encode(secret)
                + (scope == null ? "" : "&scope=" + encode(scope));
        return send(request("/sandbox/oauth/token").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** A CRM access token with the given scopes (space-separated). */
    public String token(String scope) throws Exception {
        HttpResponse<String> response = tokenRequest(CRM_CLIENT, CRM_SECRET, scope);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    public void fault(String json) throws Exception {
        HttpResponse<String> response = post("/sandbox/faults", json, "Authorization", ADMIN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    public void clearFaults() throws Exception {
        assertThat(delete("/sandbox/faults", "Authorization", ADMIN).statusCode()).isEqualTo(204);
    }

    public static String basic(String user, String password) {
        return TestUsers.basic(user, password);
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

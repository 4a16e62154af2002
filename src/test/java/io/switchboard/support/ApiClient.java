package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Calls a running server's API as one person of the test profile (Basic auth with
 * {@link TestUsers}' password), e.g. {@code operator().post("/api/events/" + id + "/replay", null)}.
 * {@link #send} returns any answer; {@link #json} insists on a 2xx and reads it.
 */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String user;
    private final String authorization;

    public ApiClient(String baseUrl, String user) {
        this(baseUrl, user, TestUsers.password(user));
    }

    public ApiClient(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.authorization = TestUsers.basic(user, password);
    }

    public String user() {
        return user;
    }

    /** The request, whatever the answer; {@code body} is JSON or {@code null}. */
    public HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    public HttpResponse<String> put(String path, String body) throws Exception {
        return send("PUT", path, body);
    }

    public HttpResponse<String> delete(String path) throws Exception {
        return send("DELETE", path, null);
    }

    /** The answer's JSON (a null node when empty), failing the test on anything but 2xx. */
    public JsonNode json(String method, String path, String body) throws Exception {
        HttpResponse<String> response = send(method, path, body);
        assertThat(response.statusCode()).as(user + ": " + method + " " + path + ": " + response.body()).isBetween(200, 299);
        return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}

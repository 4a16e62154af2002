package io.switchboard.ingress;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.standardwebhooks.Webhook;

/** Sends webhooks to a running server the way real senders do, signed with Standard Webhooks. */
public final class Webhooks {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String baseUrl;

    public Webhooks(int port) {
        this.baseUrl = "http://localhost:" + port;
    }

    public static String sign(String secret, String id, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(id, timestamp, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> postSigned(String integration, String secret, String body) throws Exception {
        return postSigned(integration, secret, UUID.randomUUID().toString(), Instant.now().getEpochSecond(), body);
    }

    public HttpResponse<String> postSigned(String integration, String secret, String id, long timestamp, String body)
            throws Exception {
        return send(request(integration, body)
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", sign(secret, id, timestamp, body)));
    }

    public HttpRequest.Builder request(String integration, String body) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/webhooks/" + integration))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

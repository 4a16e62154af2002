package io.switchboard.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.standardwebhooks.Webhook;
import io.switchboard.integration.IntegrationsProperties;

/**
 * Webhook deliveries signed the way the integration's card says its sender signs
 * ({@code webhook.auth}), with the card's first secret, in one call:
 * <ul>
 * <li>{@code standard-webhooks}: {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature};</li>
 * <li>{@code github}: {@code X-Hub-Signature-256: sha256=<hex>}, {@code X-GitHub-Delivery},
 * {@code X-GitHub-Event} ({@value #GITHUB_EVENT});</li>
 * <li>{@code stripe}: {@code Stripe-Signature: t=<unix>,v1=<hex>}; the delivery id is the event's
 * {@code id}, which is added to a JSON object that has none;</li>
 * <li>{@code api-key}: the key in the card's {@code api-key-header}, the delivery id in
 * {@code Idempotency-Key}.</li>
 * </ul>
 * The card comes from the running server's settings (wherever it was written), so a test
 * need not know the scheme or the secret; {@link #signed} signs for a scheme given by hand.
 */
public final class Deliveries {

    public static final String GITHUB_EVENT = "push";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final IntegrationsProperties integrations;

    public Deliveries(String baseUrl, IntegrationsProperties integrations) {
        this.baseUrl = baseUrl;
        this.integrations = integrations;
    }

    /** What the server answered one delivery. */
    public record Delivery(String deliveryId, HttpResponse<String> response) {

        public int status() {
            return response.statusCode();
        }

        public String body() {
            return response.body();
        }

        /** The event id of an accepted (202) or repeated (200) delivery. */
        public String eventId() {
            try {
                return JSON.readTree(response.body()).path("eventId").asText(null);
            } catch (Exception notJson) {
                return null;
            }
        }
    }

    /** Sends a new delivery (a fresh delivery id). */
    public Delivery send(String integration, String body) throws Exception {
        return send(integration, "dlv_" + UUID.randomUUID(), body);
    }

    /** Sends a delivery under a given delivery id (the same id twice is a repeat). */
    public Delivery send(String integration, String deliveryId, String body) throws Exception {
        IntegrationsProperties.Webhook card = integrations.find(integration)
                .orElseThrow(() -> new IllegalArgumentException("no integration '" + integration + "' in this server"))
                .webhook();
        if (card.secret().isEmpty()) {
            throw new IllegalStateException("integration '" + integration + "' has no webhook secret");
        }
        String scheme = card.auth() == null ? "standard-webhooks" : card.auth().toLowerCase(Locale.ROOT);
        String sent = scheme.equals("stripe") ? withId(body, deliveryId) : body;
        HttpRequest.Builder request = signed(request(integration, sent), scheme, card.secret().get(0),
                card.apiKeyHeader(), deliveryId, sent);
        return new Delivery(deliveryId, HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Sends a request built by hand (e.g. {@link #signed} with another secret), whatever the answer. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST of the body to the integration's webhook, not signed yet. */
    public HttpRequest.Builder request(String integration, String body) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/webhooks/" + integration))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    /** Adds a scheme's signature headers to a request carrying {@code body}. */
    public static HttpRequest.Builder signed(HttpRequest.Builder request, String scheme, String secret,
            String apiKeyHeader, String deliveryId, String body) throws Exception {
        long now = Instant.now().getEpochSecond();
        return switch (scheme) {
            case "standard-webhooks" -> request.header("webhook-id", deliveryId)
                    .header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", new Webhook(secret).sign(deliveryId, now, body));
            case "github" -> request.header("X-Hub-Signature-256", "sha256=" + hmacHex(secret, body))
                    .header("X-GitHub-Delivery", deliveryId)
                    .header("X-GitHub-Event", GITHUB_EVENT);
            case "stripe" -> request.header("Stripe-Signature", "t=" + now + ",v1=" + hmacHex(secret, now + "." + body));
            case "api-key" -> request.header(apiKeyHeader == null ? "X-Api-Key" : apiKeyHeader, secret)
                    .header("Idempotency-Key", deliveryId);
            default -> throw new IllegalArgumentException("unknown webhook scheme '" + scheme + "'");
        };
    }

    /** Hex HMAC-SHA256 of the text with the secret's UTF-8 bytes as the key (GitHub, Stripe). */
    public static String hmacHex(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String withId(String body, String deliveryId) {
        try {
            JsonNode event = JSON.readTree(body);
            if (event instanceof ObjectNode object && !object.hasNonNull("id")) {
                ObjectNode withId = JSON.createObjectNode().put("id", deliveryId);
                withId.setAll(object);
                return JSON.writeValueAsString(withId);
            }
        } catch (Exception notJson) {
            // sent as it is: the server explains what is wrong with it
        }
        return body;
    }
}

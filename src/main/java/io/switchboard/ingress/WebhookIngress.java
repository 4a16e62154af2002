package io.switchboard.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.switchboard.inbox.InboxWriter;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The checks a webhook passes before it is stored, in the order that refuses bad input
 * cheapest first: known integration, inbound rate, size, content type, authentication on
 * the raw bytes, JSON, schema. Only then is the event committed to the inbox.
 */
@Component
public class WebhookIngress {

    /** Headers that authenticate the sender: never stored, never shown. */
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "cookie", "webhook-signature",
            "x-hub-signature-256", "x-hub-signature", "stripe-signature", "x-api-key", "proxy-authorization");

    private final Map<String, Receiver> receivers = new LinkedHashMap<>();
    private final InboxWriter writer;
    private final PayloadChecks payloads;
    private final ObjectMapper json;

    public WebhookIngress(IntegrationsProperties integrations, InboxWriter writer, ObjectMapper json,
            Clock clock, @Value("${switchboard.schemas.directories:config/schemas}") String[] schemas) {
        this.writer = writer;
        this.json = json;
        this.payloads = new PayloadChecks(json, java.util.Arrays.stream(schemas).map(String::trim).map(Path::of).toList());
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.WEBHOOK) {
                receivers.put(id, new Receiver(id, integration, clock));
            }
        });
        payloads.preload(receivers.keySet());
    }

    /** What the sender is told: the event id, and whether this delivery had been accepted before. */
    public record Receipt(String eventId, boolean duplicate) {
    }

    public Receipt receive(String integration, String contentType, long contentLength, Map<String, String> headers,
            InputStream body) throws IOException {
        Receiver receiver = receivers.get(integration);
        if (receiver == null) {
            throw new WebhookRejection(HttpStatus.NOT_FOUND, "Unknown integration",
                    "No integration '" + integration + "' receives webhooks here; check the URL.");
        }
        receiver.checkRate();
        byte[] raw = BoundedBody.read(body, contentLength, receiver.integration.webhook().maxBodySize().toBytes());
        if (!isJson(contentType)) {
            throw new WebhookRejection(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Not JSON",
                    "Send the body as JSON with 'Content-Type: application/json' (was '"
                            + (contentType == null ? "none" : contentType) + "').");
        }
        Map<String, String> lowerCaseHeaders = new TreeMap<>();
        headers.forEach((name, value) -> lowerCaseHeaders.put(name.toLowerCase(Locale.ROOT), value));
        String deliveryId = receiver.authenticator.authenticate(new SignedRequest(raw, lowerCaseHeaders),
                receiver.integration.webhook().secret());
        if (deliveryId == null || deliveryId.isBlank()) {
            deliveryId = lowerCaseHeaders.get("idempotency-key");
        }
        if (deliveryId != null && deliveryId.length() > 200) {
            throw WebhookRejection.badRequest("Delivery id too long", "The delivery id may be at most 200 characters.");
        }
        JsonNode document = payloads.parse(raw);
        payloads.validate(integration, document);
        InboxStore.Accepted accepted = writer.accept(integration, deliveryId, raw, contentType,
                maskedHeaders(lowerCaseHeaders));
        return new Receipt(accepted.eventId(), accepted.duplicate());
    }

    /** The headers as a JSON object, authentication headers masked (written by hand: this runs per request). */
    private static String maskedHeaders(Map<String, String> headers) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        StringBuilder out = new StringBuilder(512).append('{');
        headers.forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"');
            encoder.quoteAsString(name, out);
            out.append("\":\"");
            if (SECRET_HEADERS.contains(name)) {
                out.append("***");
            } else {
                encoder.quoteAsString(value == null ? "" : value, out);
            }
            out.append('"');
        });
        return out.append('}').toString();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** One webhook integration, ready to receive: its authenticator and its inbound rate limit. */
    private static final class Receiver {

        private final Integration integration;
        private final WebhookAuthenticator authenticator;
        private final Bucket bucket;

        Receiver(String id, Integration integration, Clock clock) {
            this.integration = integration;
            if (integration.webhook().secret().isEmpty()) {
                throw new IllegalStateException("switchboard.integrations." + id + ".webhook.secret is empty: "
                        + "set it from the environment (e.g. secret: ${" + id.toUpperCase(Locale.ROOT).replace('-', '_')
                        + "_WEBHOOK_SECRET}); a webhook without a secret would let anyone in.");
            }
            this.authenticator = WebhookAuthenticators.forSettings(id, integration.webhook(), clock);
            int rate = integration.webhook().rateLimit();
            this.bucket = rate <= 0 ? null : Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(rate).refillGreedy(rate, Duration.ofSeconds(1)).build())
                    .build();
        }

        void checkRate() {
            if (bucket == null) {
                return;
            }
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
                throw new WebhookRejection(HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
                        "This integration accepts at most " + integration.webhook().rateLimit()
                                + " webhooks per second; retry after the Retry-After delay.",
                        Duration.ofSeconds(Math.max(1, (wait.toMillis() + 999) / 1000)));
            }
        }
    }
}

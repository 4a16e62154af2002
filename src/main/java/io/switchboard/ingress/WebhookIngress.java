package io.switchboard.ingress;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.switchboard.inbox.InboxStore;
import io.switchboard.inbox.InboxWriter;
import io.switchboard.integration.CardChanged;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import io.switchboard.integration.WebhookSecrets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The checks a webhook passes before it is stored, in the order that refuses bad input
 * cheapest first: the sender's refusal budget, known integration, size (before the body is
 * read), content type, authentication on the raw bytes, the integration's rate limit (only
 * authenticated deliveries count), JSON, schema. Only then is the event committed to the inbox.
 */
@Component
public class WebhookIngress {

    private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
    private final IntegrationsProperties integrations;
    private final Clock clock;
    private final InboxWriter writer;
    private final PayloadChecks payloads;
    private final RefusalLimiter refusals;
    private final Duration bodyDeadline;

    /**
     * @param schemas where else schemas are looked for, after the routes folder
     *                ({@code routes/<id>.schema.json} beside the route comes first)
     */
    public WebhookIngress(IntegrationsProperties integrations, IngressProperties ingress, InboxWriter writer,
            ObjectMapper json, Clock clock, @Value("${switchboard.routes.directory:routes}") String routes,
            @Value("${switchboard.schemas.directories:config/schemas}") String[] schemas) {
        this.integrations = integrations;
        this.clock = clock;
        this.writer = writer;
        List<Path> directories = new ArrayList<>(List.of(Path.of(routes)));
        Arrays.stream(schemas).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
                .filter(dir -> !directories.contains(dir)).forEach(directories::add);
        this.payloads = new PayloadChecks(json, directories);
        this.refusals = new RefusalLimiter(ingress.refusedPerSecond(), ingress.refusedBurst());
        this.bodyDeadline = ingress.bodyDeadline();
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.WEBHOOK) {
                receivers.put(id, new Receiver(id, integration, clock));
            }
        });
        payloads.preload(receivers.keySet());
    }

    /**
     * A card file was added or changed (dev): the integration receives with its new settings,
     * or no longer receives when it is no longer a webhook. An unchanged card keeps its
     * receiver, with its rate limit's state.
     */
    @EventListener
    public void cardChanged(CardChanged changed) {
        String id = changed.integration();
        Integration integration = integrations.find(id).filter(i -> i.trigger() == Trigger.WEBHOOK).orElse(null);
        if (integration == null) {
            receivers.remove(id);
            return;
        }
        Receiver current = receivers.get(id);
        if (current == null || !current.integration.equals(integration)) {
            receivers.put(id, new Receiver(id, integration, clock));
        }
    }

    /**
     * Reads an integration's schema file again (a changed {@code routes/<id>.schema.json} in dev).
     *
     * @throws IllegalStateException naming the file when it is not a readable JSON Schema; the
     *                               previous schema then stays in use
     */
    public void reloadSchema(String integration, Path file) {
        payloads.reload(integration, file);
    }

    /** What the sender is told: the event id, and whether this delivery had been accepted before. */
    public record Receipt(String eventId, boolean duplicate) {
    }

    /**
     * What can be refused before the body is read: an unknown integration, an address that
     * has been refused too often, a declared length over the limit. Returns the body limit.
     */
    public long admit(String integration, String client, long declaredLength) {
        refusals.checkAllowed(client);
        Receiver receiver = receivers.get(integration);
        try {
            if (receiver == null) {
                throw unknown(integration);
            }
            long limit = receiver.integration.webhook().maxBodySize().toBytes();
            if (declaredLength > limit) {
                throw BoundedBody.tooLarge(limit);
            }
            return limit;
        } catch (WebhookRejection rejection) {
            refusals.refused(client);
            throw rejection;
        }
    }

    /** How long a sender may take to send its body. */
    public Duration bodyDeadline() {
        return bodyDeadline;
    }

    /** A request refused before it was authenticated (its body too slow or too large): it counts for its address. */
    public void refusedBeforeAuthentication(String client) {
        refusals.refused(client);
    }

    /**
     * Authenticates, checks and stores one delivery whose body has been read. Only an
     * authenticated delivery counts against the integration's rate limit, so a flood of
     * unsigned requests cannot use it up; refusals count against the sender's address.
     */
    public Receipt receive(String integration, String client, String contentType, Map<String, String> headers,
            byte[] raw) {
        Receiver receiver = receivers.get(integration);
        if (receiver == null) {
            refusals.refused(client);
            throw unknown(integration);
        }
        Map<String, String> lowerCaseHeaders = new TreeMap<>();
        headers.forEach((name, value) -> lowerCaseHeaders.put(HeaderMask.lowerCase(name), value));
        String deliveryId;
        try {
            if (!isJson(contentType)) {
                throw new WebhookRejection(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Not JSON",
                        "Send the body as JSON with 'Content-Type: application/json' (was '"
                                + (contentType == null ? "none" : contentType) + "').");
            }
            deliveryId = receiver.authenticator.authenticate(new SignedRequest(raw, lowerCaseHeaders),
                    receiver.integration.webhook().secret());
        } catch (WebhookRejection refused) {
            refusals.refused(client);
            throw refused;
        }
        receiver.checkRate();
        if (deliveryId == null || deliveryId.isBlank()) {
            deliveryId = lowerCaseHeaders.get("idempotency-key");
        }
        if (deliveryId != null && deliveryId.length() > 200) {
            throw WebhookRejection.badRequest("Delivery id too long", "The delivery id may be at most 200 characters.");
        }
        JsonNode document = payloads.parse(raw);
        payloads.validate(integration, document);
        InboxStore.Accepted accepted = writer.accept(integration, deliveryId, raw, contentType,
                HeaderMask.toJson(lowerCaseHeaders, receiver.keyHeader));
        return new Receipt(accepted.eventId(), accepted.duplicate());
    }

    private static WebhookRejection unknown(String integration) {
        return new WebhookRejection(HttpStatus.NOT_FOUND, "Unknown integration",
                "No integration '" + integration + "' receives webhooks here; check the URL.");
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
        private final String keyHeader;
        private final Bucket bucket;

        Receiver(String id, Integration integration, Clock clock) {
            this.integration = integration;
            if (integration.webhook().secret().isEmpty()) {
                throw new IllegalStateException(WebhookSecrets.missing(id));
            }
            this.authenticator = WebhookAuthenticators.forSettings(id, integration.webhook(), clock);
            this.keyHeader = HeaderMask.lowerCase(integration.webhook().apiKeyHeader());
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

    /** The same payload checks as a webhook's (JSON, the integration's schema), for a test event. */
    public JsonNode checkPayload(String integration, byte[] raw) {
        JsonNode document = payloads.parse(raw);
        payloads.validate(integration, document);
        return document;
    }

    /** The schema's example payload of an integration, if its schema gives one. */
    public Optional<JsonNode> examplePayload(String integration) {
        return payloads.example(integration);
    }

    /** The integration's JSON Schema document, if it has one (its required fields, its properties). */
    public Optional<JsonNode> schemaOf(String integration) {
        return payloads.document(integration);
    }
}

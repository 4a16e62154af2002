package io.switchboard.ingress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Stripe: {@code Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=...]},
 * secret used as given ({@code whsec_...}). The delivery id is the event's {@code id}.
 */
final class StripeAuthenticator implements WebhookAuthenticator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Duration tolerance;

    StripeAuthenticator(Clock clock, Duration tolerance) {
        this.clock = clock;
        this.tolerance = tolerance;
    }

    @Override
    public String authenticate(SignedRequest request, List<String> secrets) {
        String header = request.header("Stripe-Signature");
        if (header == null || header.isBlank()) {
            throw WebhookRejection.unauthorized("Missing header 'Stripe-Signature'.");
        }
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length != 2) {
                continue;
            }
            if (pair[0].equals("t")) {
                timestamp = pair[1];
            } else if (pair[0].equals("v1")) {
                try {
                    signatures.add(HexFormat.of().parseHex(pair[1]));
                } catch (IllegalArgumentException ignored) {
                    // a malformed candidate simply cannot match
                }
            }
        }
        if (timestamp == null || signatures.isEmpty()) {
            throw WebhookRejection.unauthorized("'Stripe-Signature' must carry t=<unix time> and at least one v1=<hex>.");
        }
        Timestamps.checkWithin(timestamp, "Stripe-Signature t", clock, tolerance);
        byte[] signedPrefix = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
        for (String secret : secrets) {
            byte[] expected = Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), signedPrefix, request.body());
            for (byte[] candidate : signatures) {
                if (Hmac.equal(expected, candidate)) {
                    String eventId = eventId(request.body());
                    if (eventId == null || eventId.isBlank()) {
                        // Stripe events always carry an id; it is the only way to tell a retry from a new event.
                        throw WebhookRejection.badRequest("Missing event id", "The body has no string 'id' field: "
                                + "send the Stripe event as it is (its id is how Switchboard refuses duplicates).");
                    }
                    return eventId;
                }
            }
        }
        throw WebhookRejection.unauthorized("No v1 signature in 'Stripe-Signature' matches: sign 't.body' "
                + "with HMAC-SHA256 using the endpoint's signing secret.");
    }

    private static String eventId(byte[] body) {
        try {
            JsonNode id = JSON.readTree(body).get("id");
            return id == null || !id.isTextual() ? null : id.asText();
        } catch (IOException notJson) {
            return null; // the JSON check that follows explains the problem to the sender
        }
    }
}

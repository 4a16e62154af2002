package io.switchboard.ingress;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

/**
 * Standard Webhooks (standardwebhooks.com): {@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}, secrets
 * {@code whsec_<base64>}. The signature is verified by the reference library; the header
 * and timestamp checks before it exist to tell the sender exactly what is wrong.
 */
final class StandardWebhooksAuthenticator implements WebhookAuthenticator {

    private final Clock clock;
    private final Duration tolerance;

    StandardWebhooksAuthenticator(Clock clock, Duration tolerance) {
        this.clock = clock;
        this.tolerance = tolerance;
    }

    @Override
    public String authenticate(SignedRequest request, List<String> secrets) {
        String id = required(request, "webhook-id");
        String timestamp = required(request, "webhook-timestamp");
        String signature = required(request, "webhook-signature");
        Timestamps.checkWithin(timestamp, "webhook-timestamp", clock, tolerance);
        String body = new String(request.body(), StandardCharsets.UTF_8);
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(id),
                "webhook-timestamp", List.of(timestamp),
                "webhook-signature", List.of(signature));
        for (String secret : secrets) {
            try {
                new Webhook(secret).verify(body, headers);
                return id;
            } catch (WebhookVerificationException wrongSecretOrSignature) {
                // try the next secret: during a rotation the sender may still sign with the old one
            } catch (RuntimeException | com.standardwebhooks.exceptions.EmptyWebhookSecretException misconfigured) {
                // a malformed configured secret must not let anyone in, nor say anything about it
            }
        }
        throw WebhookRejection.unauthorized(
                "No webhook-signature matches: sign 'webhook-id.webhook-timestamp.body' with HMAC-SHA256 "
                        + "using the shared secret and send it as 'v1,<base64>'.");
    }

    private static String required(SignedRequest request, String header) {
        String value = request.header(header);
        if (value == null || value.isBlank()) {
            throw WebhookRejection.unauthorized("Missing header '" + header + "' (Standard Webhooks).");
        }
        return value;
    }
}

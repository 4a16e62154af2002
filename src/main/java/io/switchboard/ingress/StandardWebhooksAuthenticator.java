package io.switchboard.ingress;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Standard Webhooks (standardwebhooks.com): {@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}, secrets
 * {@code whsec_<base64>}. The header and timestamp checks come first to tell the sender
 * exactly what is wrong. The signature check is the specification's, on a cached key and a
 * per-thread Mac; the tests sign with the reference library to prove the two agree.
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
        byte[] signedPrefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        for (String secret : secrets) {
            byte[] key = keyOf(secret);
            if (key == null) {
                continue; // a malformed configured secret must not let anyone in, nor say anything about it
            }
            byte[] expected = Hmac.sha256(key, signedPrefix, request.body());
            // Several signatures, space-separated, while the sender rotates its secret.
            for (String presented : signature.split(" ")) {
                if (presented.startsWith("v1,") && Hmac.equal(expected, decode(presented.substring(3)))) {
                    return id;
                }
            }
        }
        throw WebhookRejection.unauthorized(
                "No webhook-signature matches: sign 'webhook-id.webhook-timestamp.body' with HMAC-SHA256 "
                        + "using the shared secret and send it as 'v1,<base64>'.");
    }

    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    /** The HMAC key of a {@code whsec_<base64>} secret, or null when the secret is malformed. */
    private byte[] keyOf(String secret) {
        byte[] key = keys.computeIfAbsent(secret, s -> {
            byte[] decoded = decode(s.startsWith("whsec_") ? s.substring(6) : s);
            return decoded == null || decoded.length == 0 ? new byte[0] : decoded;
        });
        return key.length == 0 ? null : key;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static String required(SignedRequest request, String header) {
        String value = request.header(header);
        if (value == null || value.isBlank()) {
            throw WebhookRejection.unauthorized("Missing header '" + header + "' (Standard Webhooks).");
        }
        return value;
    }
}

package io.switchboard.ingress;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, delivery id in
 * {@code X-GitHub-Delivery}. GitHub signs no timestamp, so a replay is caught by the
 * delivery id alone.
 */
final class GitHubAuthenticator implements WebhookAuthenticator {

    @Override
    public String authenticate(SignedRequest request, List<String> secrets) {
        String signature = request.header("X-Hub-Signature-256");
        if (signature == null || signature.isBlank()) {
            throw WebhookRejection.unauthorized("Missing header 'X-Hub-Signature-256' (GitHub webhook signature).");
        }
        if (!signature.startsWith("sha256=")) {
            throw WebhookRejection.unauthorized("'X-Hub-Signature-256' must look like 'sha256=<hex>'.");
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(signature.substring("sha256=".length()).trim());
        } catch (IllegalArgumentException e) {
            throw WebhookRejection.unauthorized("'X-Hub-Signature-256' must look like 'sha256=<hex>'.");
        }
        for (String secret : secrets) {
            if (Hmac.equal(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), request.body()), presented)) {
                String delivery = request.header("X-GitHub-Delivery");
                if (delivery == null || delivery.isBlank()) {
                    // GitHub always sends it; without it a redelivery could not be told from a new event.
                    throw WebhookRejection.badRequest("Missing delivery id", "Missing header 'X-GitHub-Delivery' "
                            + "(GitHub's delivery id, which Switchboard uses to refuse duplicates).");
                }
                return delivery;
            }
        }
        throw WebhookRejection.unauthorized("'X-Hub-Signature-256' does not match the body: sign the raw body "
                + "with HMAC-SHA256 using the webhook secret.");
    }
}

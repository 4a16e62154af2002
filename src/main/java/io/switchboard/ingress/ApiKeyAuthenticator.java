package io.switchboard.ingress;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A shared API key in a header (default {@code X-Api-Key}), for senders that cannot sign. */
final class ApiKeyAuthenticator implements WebhookAuthenticator {

    private final String header;

    ApiKeyAuthenticator(String header) {
        this.header = header;
    }

    @Override
    public String authenticate(SignedRequest request, List<String> secrets) {
        String presented = request.header(header);
        if (presented == null || presented.isBlank()) {
            throw WebhookRejection.unauthorized("Missing header '" + header + "' with the integration's API key.");
        }
        byte[] presentedBytes = presented.getBytes(StandardCharsets.UTF_8);
        boolean matched = false;
        for (String secret : secrets) {
            // Compare digests so keys of different lengths take the same time too.
            matched |= Hmac.equal(Hmac.sha256(presentedBytes, presentedBytes),
                    Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8)));
        }
        if (!matched) {
            throw WebhookRejection.unauthorized("The '" + header + "' header does not match the integration's API key.");
        }
        return null;
    }
}

package io.switchboard.ingress;

import java.util.List;

/**
 * One webhook authentication scheme. It checks a request against every configured secret
 * (several while a secret is being rotated) and returns the sender's delivery id, the
 * key that de-duplicates retried deliveries, or {@code null} when the scheme has none.
 */
public interface WebhookAuthenticator {

    /**
     * @throws WebhookRejection 401 with a detail naming what is wrong (missing header,
     *                          stale timestamp, no matching signature)
     */
    String authenticate(SignedRequest request, List<String> secrets);
}

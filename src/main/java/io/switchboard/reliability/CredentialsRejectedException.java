package io.switchboard.reliability;

/**
 * Thrown when a system refuses our credentials before the call itself could be made: a
 * token endpoint that rejects the client (revoked or expired secret), or a credential that
 * is not configured at all. Never retried: a person must renew or set the secret.
 */
public class CredentialsRejectedException extends RuntimeException {

    public CredentialsRejectedException(String message) {
        super(message);
    }

    public CredentialsRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

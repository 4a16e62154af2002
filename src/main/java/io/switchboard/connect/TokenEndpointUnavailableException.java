package io.switchboard.connect;

import java.io.IOException;

/**
 * The token endpoint could not be reached or answered with a server error: the
 * credentials may be fine, so the call is worth another attempt later (an
 * {@link IOException}, hence a transient failure).
 */
public class TokenEndpointUnavailableException extends IOException {

    public TokenEndpointUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

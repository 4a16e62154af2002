package io.switchboard.connect;

/** How a connection authenticates its calls. */
interface ConnectionAuth {

    /**
     * The credential for the next call.
     *
     * @throws io.switchboard.reliability.CredentialsRejectedException when there is none to be had
     *         (not configured, or refused by the token endpoint)
     * @throws TokenEndpointUnavailableException when the token endpoint could not answer
     */
    Credential credential();

    /**
     * The system answered 401 to {@code refused}. Returns {@code true} when a fresh credential
     * may be fetched and the call tried once more (OAuth2), {@code false} for fixed ones.
     */
    default boolean renew(Credential refused) {
        return false;
    }
}

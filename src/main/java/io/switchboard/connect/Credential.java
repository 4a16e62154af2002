package io.switchboard.connect;

import java.util.Map;

/**
 * What one call carries to prove who it is: headers, a query parameter, or a secret path
 * segment. It lives only for the call and is never put on the route's message.
 *
 * @param headers    headers to add, e.g. {@code Authorization}
 * @param queryParam name of a query parameter carrying a key, or {@code null}
 * @param queryValue its value
 * @param pathToken  a secret path segment after the base URL, or {@code null}
 * @param handle     what the credential came from (the OAuth2 token), to renew exactly this one
 */
record Credential(Map<String, String> headers, String queryParam, String queryValue, String pathToken,
        Object handle) {

    static final Credential NONE = new Credential(Map.of(), null, null, null, null);

    static Credential header(String name, String value) {
        return new Credential(Map.of(name, value), null, null, null, null);
    }

    @Override
    public String toString() {
        return "Credential[***]";
    }
}

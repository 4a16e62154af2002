package io.switchboard.connect;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

import io.switchboard.connect.ConnectionsProperties.Auth;
import io.switchboard.reliability.CredentialsRejectedException;

/**
 * Credentials that do not change while the server runs: an API key (header or query
 * parameter), HTTP Basic, a static bearer token, a secret path segment, or none.
 */
final class StaticAuth implements ConnectionAuth {

    private final String connection;
    private final Auth auth;
    private final Function<String, String> variableOf;

    /**
     * @param variableOf names the environment variable behind a property, for error messages
     */
    StaticAuth(String connection, Auth auth, Function<String, String> variableOf) {
        this.connection = connection;
        this.auth = auth;
        this.variableOf = variableOf;
    }

    @Override
    public Credential credential() {
        return switch (auth.type()) {
            case NONE -> Credential.NONE;
            case API_KEY -> {
                String key = required(auth.key(), "key", "API key");
                yield auth.queryParam() != null && !auth.queryParam().isBlank()
                        ? new Credential(Map.of(), auth.queryParam(), key, null, null)
                        : Credential.header(auth.header(), key);
            }
            case BASIC -> {
                String user = required(auth.username(), "username", "user name");
                String password = required(auth.password(), "password", "password");
                yield Credential.header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            case BEARER -> Credential.header("Authorization", "Bearer " + required(auth.token(), "token", "token"));
            case PATH_TOKEN -> new Credential(Map.of(), null, null,
                    required(auth.token(), "token", "URL token"), null);
            case OAUTH2_CLIENT_CREDENTIALS, OAUTH2_AUTHORIZATION_CODE -> throw new IllegalStateException("OAuth2 is not a static credential");
        };
    }

    private String required(String value, String field, String what) {
        if (value != null && !value.isBlank()) {
            return value;
        }
        throw missing(connection, field, what, variableOf);
    }

    static CredentialsRejectedException missing(String connection, String field, String what,
            Function<String, String> variableOf) {
        String property = "switchboard.connections." + connection + ".auth." + field;
        String variable = variableOf.apply(property);
        return new CredentialsRejectedException("Connection '" + connection + "' has no " + what + ": " + property
                + " is empty" + (variable == null ? "" : "; set the environment variable " + variable) + ".");
    }
}

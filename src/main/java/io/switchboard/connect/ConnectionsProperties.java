package io.switchboard.connect;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * {@code switchboard.connections.<name>.*}: every external system the integrations call,
 * keyed by the name routes use ({@code connection:crm/contacts}). Secrets are only ever
 * {@code ${ENV_VAR}} placeholders in committed config; {@link ConfigSecrets} refuses others.
 */
@ConfigurationProperties("switchboard")
public record ConnectionsProperties(Map<String, Connection> connections) {

    public ConnectionsProperties {
        connections = connections == null ? Map.of() : new LinkedHashMap<>(connections);
    }

    /**
     * One external system.
     *
     * @param kind                what the system speaks: {@code http} (the default), {@code amqp},
     *                            {@code mqtt}, {@code nats}, {@code jdbc}, {@code mail} or {@code file}
     * @param baseUrl             http: where its API lives; paths in routes are relative to it
     * @param auth                http: how calls authenticate
     * @param connectTimeout      longest wait to open a connection
     * @param readTimeout         longest wait for an answer (also bounds the wait for a free pooled connection)
     * @param rateLimit           requests per second the system allows; route throttlers size themselves by it ({@code 0}: not declared)
     * @param maxConcurrent       requests in flight at once from this node (the size of its HTTP connection pool)
     * @param credentialsCooldown after the system refused our credentials, calls fail at once for this long instead of asking again
     * @param url                 amqp: {@code amqp://host:port/vhost}; mqtt: {@code tcp://host:1883};
     *                            nats: {@code nats://host:4222}; jdbc: the JDBC URL; mail:
     *                            {@code imaps://host:993} or {@code smtp://host:587}
     * @param username            amqp, mqtt, nats, jdbc, mail: the user
     * @param password            amqp, mqtt, nats, jdbc, mail: the password (a placeholder in committed config)
     * @param path                file: the folder
     * @param testDouble          jdbc: what a drill uses instead of the database ({@link TestDouble}); mail and
     *                            file connections have theirs without it
     */
    public record Connection(ConnectionKind kind, String baseUrl, Auth auth, Duration connectTimeout,
            Duration readTimeout, double rateLimit, int maxConcurrent, Duration credentialsCooldown, String url,
            String username, String password, String path, TestDouble testDouble) {

        @ConstructorBinding
        public Connection {
            kind = kind == null ? ConnectionKind.HTTP : kind;
            auth = auth == null ? Auth.NONE : auth;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
            readTimeout = readTimeout == null ? Duration.ofSeconds(30) : readTimeout;
            maxConcurrent = maxConcurrent <= 0 ? 10 : maxConcurrent;
            credentialsCooldown = credentialsCooldown == null ? Duration.ofSeconds(30) : credentialsCooldown;
        }

        /** A connection without a declared test double. */
        public Connection(ConnectionKind kind, String baseUrl, Auth auth, Duration connectTimeout,
                Duration readTimeout, double rateLimit, int maxConcurrent, Duration credentialsCooldown, String url,
                String username, String password, String path) {
            this(kind, baseUrl, auth, connectTimeout, readTimeout, rateLimit, maxConcurrent, credentialsCooldown, url,
                    username, password, path, null);
        }

        /** An HTTP connection. */
        public Connection(String baseUrl, Auth auth, Duration connectTimeout, Duration readTimeout, double rateLimit,
                int maxConcurrent, Duration credentialsCooldown) {
            this(ConnectionKind.HTTP, baseUrl, auth, connectTimeout, readTimeout, rateLimit, maxConcurrent,
                    credentialsCooldown, null, null, null, null, null);
        }

        /** Never prints a secret, whoever logs this record. */
        @Override
        public String toString() {
            return "Connection[kind=" + kind.label() + ", baseUrl=" + baseUrl + ", url=" + url + ", username="
                    + username + ", path=" + path + ", auth=" + auth + ", secrets=***]";
        }
    }

    /**
     * {@code switchboard.connections.<name>.test-double}: what a drill uses instead of a
     * database, so its events never write to the real one. The drill makes a scratch database
     * per drill (an in-memory H2 in the compatibility mode of the connection's database, served
     * over TCP behind a fault proxy) and runs {@code init} in it first.
     *
     * @param init the SQL script that creates the tables (and rows) the route needs: a file path
     *             relative to the working directory (e.g. beside the route,
     *             {@code routes/order-ledger.double.sql}), or {@code classpath:...}
     * @param mode H2's compatibility mode; default: the one of the connection's database
     *             ({@code PostgreSQL}, {@code MySQL}, {@code MariaDB}, {@code MSSQLServer},
     *             {@code Oracle}, {@code DB2}), else H2's own
     */
    public record TestDouble(String init, String mode) {
    }

    /** What a connection's system speaks. */
    public enum ConnectionKind {
        HTTP, AMQP, MQTT, NATS, JDBC, MAIL, FILE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How a connection authenticates. Which fields matter depends on {@code type}.
     *
     * @param type                 {@code none}, {@code api-key}, {@code basic}, {@code bearer},
     *                             {@code oauth2-client-credentials}, {@code oauth2-authorization-code}
     *                             ("Connect account": a person grants access in the browser) or
     *                             {@code path-token}
     * @param header               api-key: the header carrying the key (default {@code X-Api-Key})
     * @param queryParam           api-key: send the key as this query parameter instead of a header
     * @param key                  api-key: the key
     * @param username             basic: the user
     * @param password             basic: the password
     * @param token                bearer: the static token; path-token: the secret path segment
     *                             (e.g. a chat incoming-webhook token)
     * @param tokenUri             oauth2: the token endpoint
     * @param clientId             oauth2: the client id
     * @param clientSecret         oauth2: the client secret
     * @param scopes               oauth2: the scopes this client may ask for; each request asks
     *                             only for the union of the scopes the integrations' cards list
     * @param clientAuthentication oauth2: {@code basic} (HTTP Basic, the default) or {@code post}
     *                             (client id and secret in the form)
     * @param refreshBefore        oauth2: a token is renewed this long before it expires
     * @param authorizationUri     oauth2-authorization-code: the provider's consent page
     * @param revocationUri        oauth2-authorization-code: where Disconnect revokes the grant
     *                             (RFC 7009), when the provider has one
     */
    public record Auth(AuthType type, String header, String queryParam, String key, String username, String password,
            String token, String tokenUri, String clientId, String clientSecret, List<String> scopes,
            String clientAuthentication, Duration refreshBefore, String authorizationUri, String revocationUri) {

        static final Auth NONE = new Auth(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);

        @ConstructorBinding
        public Auth {
            type = type == null ? AuthType.NONE : type;
            header = header == null || header.isBlank() ? "X-Api-Key" : header;
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            clientAuthentication = clientAuthentication == null || clientAuthentication.isBlank() ? "basic"
                    : clientAuthentication;
            refreshBefore = refreshBefore == null ? Duration.ofSeconds(30) : refreshBefore;
        }

        /** Any auth but the authorization-code flow's (whose two URIs it leaves unset). */
        public Auth(AuthType type, String header, String queryParam, String key, String username, String password,
                String token, String tokenUri, String clientId, String clientSecret, List<String> scopes,
                String clientAuthentication, Duration refreshBefore) {
            this(type, header, queryParam, key, username, password, token, tokenUri, clientId, clientSecret, scopes,
                    clientAuthentication, refreshBefore, null, null);
        }

        /** Never prints a secret, whoever logs this record. */
        @Override
        public String toString() {
            return "Auth[type=" + type + ", header=" + header + ", queryParam=" + queryParam + ", username=" + username
                    + ", tokenUri=" + tokenUri + ", clientId=" + clientId + ", scopes=" + scopes
                    + ", clientAuthentication=" + clientAuthentication + ", authorizationUri=" + authorizationUri
                    + ", secrets=***]";
        }
    }

    /** How a connection proves who it is. */
    public enum AuthType {
        NONE, API_KEY, BASIC, BEARER, OAUTH2_CLIENT_CREDENTIALS, OAUTH2_AUTHORIZATION_CODE, PATH_TOKEN;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}

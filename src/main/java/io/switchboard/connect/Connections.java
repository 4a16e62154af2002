package io.switchboard.connect;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.journal.ClusterNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;

/**
 * Every configured connection, by name. Checks the configuration at start: no secret
 * written into committed config, a base URL for each connection, cards that name only
 * known connections and scopes the connection may ask for. A connection whose credentials
 * are missing still starts (its calls fail with a message naming the variable to set),
 * so one unconfigured system does not stop the others.
 */
@Component
public class Connections implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    private final Map<String, Connection> connections = new LinkedHashMap<>();

    public Connections(ConnectionsProperties properties, IntegrationsProperties integrations, ConnectionStates states,
            Alerts alerts, ConfigurableEnvironment environment, Clock clock) {
        this(properties, integrations, states, alerts, environment, clock, () -> 1, null);
    }

    /** @param liveNodes how many nodes share each connection's rate limit right now */
    @Autowired
    public Connections(ConnectionsProperties properties, IntegrationsProperties integrations, ConnectionStates states,
            Alerts alerts, ConfigurableEnvironment environment, Clock clock,
            ClusterNodes clusterNodes, ConnectionAuthorizations authorizations) {
        this(properties, integrations, states, alerts, environment, clock, clusterNodes::live, authorizations);
    }

    /** @param authorizations the stored grants of authorization-code connections ({@code null}: none configured) */
    Connections(ConnectionsProperties properties, IntegrationsProperties integrations, ConnectionStates states,
            Alerts alerts, ConfigurableEnvironment environment, Clock clock,
            IntSupplier liveNodes, ConnectionAuthorizations authorizations) {
        ConfigSecrets.check(environment);
        Map<String, Set<String>> scopes = requestedScopes(properties, integrations);
        Function<String, String> variableOf = property -> ConfigSecrets.variableFor(environment, property);
        properties.connections().forEach((name, settings) -> {
            if (settings.kind() == ConnectionKind.FILE) {
                if (settings.path() == null || settings.path().isBlank()) {
                    throw new IllegalStateException("switchboard.connections." + name + ".path is empty: "
                            + "set the folder this file connection reads or writes");
                }
                return;
            }
            if (settings.kind() != ConnectionKind.HTTP) {
                // Connections of the other kinds are read by their triggers, not called as HTTP.
                if (settings.url() == null || settings.url().isBlank()) {
                    throw new IllegalStateException("switchboard.connections." + name + ".url is empty: "
                            + "set the system's URL (" + exampleUrl(settings.kind()) + ")");
                }
                return;
            }
            if (settings.baseUrl() == null || settings.baseUrl().isBlank()) {
                throw new IllegalStateException("switchboard.connections." + name + ".base-url is empty: "
                        + "set the URL of the system's API");
            }
            Supplier<String> baseUrl = resolvedLater(environment, "switchboard.connections." + name + ".base-url",
                    settings.baseUrl());
            ConnectionAuth auth;
            if (settings.auth().type() == AuthType.OAUTH2_CLIENT_CREDENTIALS) {
                if (settings.auth().tokenUri() == null || settings.auth().tokenUri().isBlank()) {
                    throw new IllegalStateException("switchboard.connections." + name
                            + ".auth.token-uri is empty: an oauth2-client-credentials connection needs its token endpoint");
                }
                auth = new OAuth2ClientCredentials(name, settings, resolvedLater(environment,
                        "switchboard.connections." + name + ".auth.token-uri", settings.auth().tokenUri()),
                        scopes.getOrDefault(name, Set.of()), clock, variableOf);
            } else if (settings.auth().type() == AuthType.OAUTH2_AUTHORIZATION_CODE) {
                for (String uri : List.of("authorization-uri", "token-uri")) {
                    if (environment.getProperty("switchboard.connections." + name + ".auth." + uri, "").isBlank()) {
                        throw new IllegalStateException("switchboard.connections." + name + ".auth." + uri
                                + " is empty: an oauth2-authorization-code connection needs the provider's "
                                + ("token-uri".equals(uri) ? "token endpoint" : "consent page (authorization endpoint)"));
                    }
                }
                if (authorizations == null) {
                    throw new IllegalStateException("connection " + name + " needs the token store");
                }
                auth = new OAuth2AuthorizationCode(name, settings,
                        resolvedLater(environment, "switchboard.connections." + name + ".auth.authorization-uri",
                                settings.auth().authorizationUri()),
                        resolvedLater(environment, "switchboard.connections." + name + ".auth.token-uri",
                                settings.auth().tokenUri()),
                        resolvedLater(environment, "switchboard.connections." + name + ".auth.revocation-uri",
                                settings.auth().revocationUri()),
                        scopes.getOrDefault(name, Set.of()), clock, variableOf, authorizations);
            } else {
                auth = new StaticAuth(name, settings.auth(), variableOf);
            }
            Connection connection = new Connection(name, settings, baseUrl, auth, scopes.getOrDefault(name, Set.of()),
                    states, alerts, clock, liveNodes);
            connections.put(name, connection);
            connection.authorizationCode().ifPresent(granted -> granted.onLost(
                    () -> connection.markNeedsConnecting("connection " + name + " needs reconnecting")));
            warnIfUnusable(name, settings, variableOf);
            warnIfPointingAtAnAbsentSandbox(name, environment);
        });
        if (authorizations != null) {
            authorizations.useRegistrations(id -> connections.containsKey(id)
                    ? connections.get(id).authorizationCode().map(OAuth2AuthorizationCode::registration).orElse(null)
                    : null);
        }
    }

    /** The connection called {@code name}; the message lists the configured ones when there is none. */
    public Connection get(String name) {
        Connection connection = connections.get(name);
        if (connection == null) {
            throw new IllegalArgumentException("No connection '" + name + "' under switchboard.connections in config/"
                    + (connections.isEmpty() ? "" : " (configured: " + String.join(", ", connections.keySet()) + ")"));
        }
        return connection;
    }

    /** The HTTP connection called {@code name}, if there is one (a broker's or a database's is not here). */
    public Optional<Connection> find(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    public Collection<Connection> all() {
        return connections.values();
    }

    @Override
    public void destroy() {
        connections.values().forEach(Connection::close);
    }

    /**
     * Least privilege: an OAuth2 connection asks only for the union of the scopes the
     * integrations' cards list for it, each of which must be among the scopes the
     * connection's client may ask for ({@code auth.scopes}, when given).
     */
    static Map<String, Set<String>> requestedScopes(ConnectionsProperties properties,
            IntegrationsProperties integrations) {
        Map<String, Set<String>> union = new LinkedHashMap<>();
        integrations.all().forEach((id, integration) -> {
            if (integration.card() == null || integration.card().scopes() == null) {
                return;
            }
            integration.card().scopes().forEach((connection, scopes) -> {
                ConnectionsProperties.Connection settings = properties.connections().get(connection);
                if (settings == null) {
                    throw new IllegalStateException("switchboard.integrations." + id + ".card.scopes names connection '"
                            + connection + "', which is not under switchboard.connections");
                }
                List<String> allowed = settings.auth().scopes();
                for (String scope : scopes == null ? List.<String>of() : scopes) {
                    if (!allowed.isEmpty() && !allowed.contains(scope)) {
                        throw new IllegalStateException("switchboard.integrations." + id + ".card.scopes." + connection
                                + " lists '" + scope + "', which is not among switchboard.connections." + connection
                                + ".auth.scopes " + allowed);
                    }
                    union.computeIfAbsent(connection, c -> new TreeSet<>()).add(scope);
                }
            });
        });
        return union;
    }

    /**
     * Reads the property again when asked until the server listens, so values that depend on
     * the port it got ({@code local.server.port}) come out right; from then on the value is
     * kept, since resolving it through the environment on every call was a twentieth of a
     * one-call event's time.
     */
    private static String exampleUrl(ConnectionKind kind) {
        return switch (kind) {
            case AMQP -> "amqp://host:5672/vhost";
            case MQTT -> "tcp://host:1883";
            case NATS -> "nats://host:4222";
            case JDBC -> "jdbc:postgresql://host:5432/database";
            case MAIL -> "imap://host:143 or smtp://host:587";
            default -> kind.label() + "://...";
        };
    }

    private static Supplier<String> resolvedLater(ConfigurableEnvironment environment, String property,
            String bound) {
        return new Supplier<>() {
            private volatile String kept;

            @Override
            public String get() {
                String known = kept;
                if (known != null) {
                    return known;
                }
                String value = environment.getProperty(property);
                String resolved = value == null || value.isBlank() ? bound : value;
                if (environment.getProperty("local.server.port") != null) {
                    kept = resolved;
                }
                return resolved;
            }
        };
    }

    private static void warnIfUnusable(String name, ConnectionsProperties.Connection settings,
            Function<String, String> variableOf) {
        var auth = settings.auth();
        String missing = switch (auth.type()) {
            case API_KEY -> blank(auth.key()) ? "key" : null;
            case BASIC -> blank(auth.username()) ? "username" : blank(auth.password()) ? "password" : null;
            case BEARER, PATH_TOKEN -> blank(auth.token()) ? "token" : null;
            case OAUTH2_CLIENT_CREDENTIALS, OAUTH2_AUTHORIZATION_CODE -> blank(auth.clientId()) ? "client-id"
                    : blank(auth.clientSecret()) ? "client-secret" : null;
            case NONE -> null;
        };
        if (missing != null) {
            String property = "switchboard.connections." + name + ".auth." + missing;
            String variable = variableOf.apply(property);
            log.warn("Connection '{}' has no {}: its calls will fail until {} is set{}", name, missing, property,
                    variable == null ? "" : " (environment variable " + variable + ")");
        }
    }

    private static void warnIfPointingAtAnAbsentSandbox(String name, ConfigurableEnvironment environment) {
        String sandbox = environment.getProperty("switchboard.sandbox.base-url");
        String base = environment.getProperty("switchboard.connections." + name + ".base-url");
        if (!environment.getProperty("switchboard.sandbox.enabled", Boolean.class, false) && sandbox != null
                && base != null && base.startsWith(sandbox)) {
            log.warn("Connection '{}' points at the sandbox ({}), which is off: set its base URL and credentials "
                    + "for the real system (see the README, 'Pointing a connection at a real system')", name, base);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

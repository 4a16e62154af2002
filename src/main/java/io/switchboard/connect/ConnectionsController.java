package io.switchboard.connect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.switchboard.connect.ConnectionAuthorizations.Authorization;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connections}: every connection with its state; never a credential. An
 * authorization-code connection also shows who connected it and when, the scopes granted
 * against those the cards ask for, and how many events wait for it.
 */
@RestController
class ConnectionsController {

    private final Connections connections;
    private final ConnectionStates states;
    private final ConnectionAuthorizations authorizations;
    private final IntegrationsProperties integrations;
    private final InboxStore inbox;
    private final ConnectionsProperties properties;

    ConnectionsController(Connections connections, ConnectionStates states, ConnectionAuthorizations authorizations,
            IntegrationsProperties integrations, InboxStore inbox, ConnectionsProperties properties) {
        this.properties = properties;
        this.connections = connections;
        this.states = states;
        this.authorizations = authorizations;
        this.integrations = integrations;
        this.inbox = inbox;
    }

    /**
     * What a person needs to see about one connection.
     *
     * @param calls how the system answered the integrations' calls in the last minute on this node
     */
    record View(String name, String kind, String baseUrl, String address, String auth, Set<String> scopes,
            double rateLimit, int maxConcurrent, String state, Instant since, String detail, Calls calls,
            Connect connect) {
    }

    /**
     * The calls of the last minute: how many, the share that failed for want of the system (5xx,
     * timeouts, refused connections) and the last such error.
     */
    record Calls(int lastMinute, int failed, double failingShare, String lastError, Instant lastErrorAt) {

        static Calls of(CallOutcomes.Availability seen) {
            return new Calls(seen.calls(), seen.failed(), Math.round(seen.failingShare() * 1000) / 1000.0,
                    seen.lastError(), seen.lastErrorAt());
        }
    }

    /**
     * The "Connect account" side.
     *
     * @param standing     {@code not-connected}, {@code connected}, {@code needs-reconnect} or {@code disconnected}
     * @param warnings     granted more than asked (least privilege), or less (naming who will fail)
     * @param waiting      events waiting for this connection, per integration
     */
    record Connect(String standing, String connectedBy, Instant connectedAt, List<String> scopesGranted,
            String reason, Instant since, Instant refreshedAt, List<String> warnings, Map<String, Long> waiting) {
    }

    @GetMapping("/api/connections")
    List<View> all() {
        Map<String, Map<String, Long>> waiting = inbox.waitingByConnection();
        List<View> views = connections.all().stream().map(connection -> {
            var state = states.get(connection.name()).orElse(null);
            Connect connect = connection.settings().auth().type() == AuthType.OAUTH2_AUTHORIZATION_CODE
                    ? connect(connection, waiting.getOrDefault(connection.name(), Map.of())) : null;
            return new View(connection.name(), ConnectionKind.HTTP.label(), connection.baseUrl(), null,
                    connection.settings().auth().type().label(), connection.scopes(),
                    connection.settings().rateLimit(), connection.settings().maxConcurrent(),
                    state == null ? null : state.status().label(), state == null ? null : state.since(),
                    state == null ? null : state.detail(), Calls.of(connection.availability()), connect);
        }).collect(Collectors.toCollection(ArrayList::new));
        // Brokers, databases, mail servers and folders: their probe keeps the state.
        properties.connections().forEach((name, settings) -> {
            if (settings.kind() == ConnectionKind.HTTP) {
                return;
            }
            var state = states.get(name).orElse(null);
            views.add(new View(name, settings.kind().label(), null, address(settings), "none", Set.of(),
                    settings.rateLimit(), settings.maxConcurrent(), state == null ? null : state.status().label(),
                    state == null ? null : state.since(), state == null ? null : state.detail(), null, null));
        });
        return views;
    }

    /** Where the system is, without a user or a password: host, port and path of its URL, or the folder. */
    static String address(ConnectionsProperties.Connection settings) {
        if (settings.kind() == ConnectionKind.FILE) {
            return settings.path();
        }
        String url = settings.url() == null ? "" : settings.url();
        int query = url.indexOf('?');
        String bare = query < 0 ? url : url.substring(0, query);
        int scheme = bare.indexOf("://");
        int at = bare.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? bare.substring(0, scheme + 3) + bare.substring(at + 1) : bare;
    }

    private Connect connect(Connection connection, Map<String, Long> waiting) {
        Authorization authorization = authorizations.of(connection.name());
        List<String> warnings = new ArrayList<>();
        if (authorization.standing() == ConnectionAuthorizations.Standing.CONNECTED) {
            Set<String> extra = new TreeSet<>(authorization.scopesGranted());
            extra.removeAll(connection.scopes());
            if (!extra.isEmpty()) {
                warnings.add("Granted more than asked: " + String.join(", ", extra) + ". Least privilege: narrow the "
                        + "app's scopes at the provider.");
            }
            Set<String> missing = new TreeSet<>(connection.scopes());
            missing.removeAll(authorization.scopesGranted());
            for (String scope : missing) {
                List<String> needing = new ArrayList<>();
                integrations.all().forEach((id, integration) -> {
                    if (integration.card() != null && integration.card().scopes() != null
                            && integration.card().scopes().getOrDefault(connection.name(), List.of()).contains(scope)) {
                        needing.add(id);
                    }
                });
                warnings.add("Not granted: " + scope + ". The steps of " + String.join(", ", needing) + " that call "
                        + connection.name() + " with it will fail (permission): connect again and grant it.");
            }
        }
        return new Connect(authorization.standing().label(), authorization.connectedBy(), authorization.connectedAt(),
                authorization.scopesGranted(), authorization.reason(), authorization.since(),
                authorization.refreshedAt(), warnings, waiting);
    }
}

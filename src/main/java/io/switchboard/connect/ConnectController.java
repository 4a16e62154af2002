package io.switchboard.connect;

import java.net.URI;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.connect.ConnectionAuthorizations.Standing;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.inbox.FailureHandling;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationExchange;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationResponse;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * "Connect account" for the authorization-code connections (RFC 6749 section 4.1, PKCE per
 * RFC 7636, the OAuth 2.0 Security BCP):
 * <ul>
 * <li>{@code GET /api/connections/{name}/authorize} (operator) sends the browser to the
 * provider's consent page with a {@code state} and a PKCE S256 challenge, both kept in the
 * person's session, single use, for ten minutes;</li>
 * <li>{@code GET /oauth2/callback/{name}} takes the provider's answer: a missing, used,
 * expired or foreign {@code state} is refused (400) and nothing is stored; a code is traded
 * for tokens (with the PKCE verifier), which are stored encrypted; the events that waited for
 * the connection run; the browser goes back to the console's connections view;</li>
 * <li>{@code DELETE /api/connections/{name}/authorization} (operator) revokes the grant where
 * the provider has a revocation endpoint, and deletes the tokens.</li>
 * </ul>
 */
@RestController
class ConnectController {

    private static final Logger log = LoggerFactory.getLogger(ConnectController.class);

    /** How long a started Connect may take, consent included. */
    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    private static final String PENDING = ConnectController.class.getName() + ".PENDING";

    private final Connections connections;
    private final ConnectionAuthorizations authorizations;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final IntegrationsProperties integrations;
    private final io.switchboard.alerting.Alerts alerts;
    private final Clock clock;
    private final DefaultOAuth2AuthorizationRequestResolver requests;

    ConnectController(Connections connections, ConnectionAuthorizations authorizations, InboxStore inbox,
            InboxSignal signal, IntegrationsProperties integrations, io.switchboard.alerting.Alerts alerts, Clock clock) {
        this.connections = connections;
        this.authorizations = authorizations;
        this.inbox = inbox;
        this.signal = signal;
        this.integrations = integrations;
        this.alerts = alerts;
        this.clock = clock;
        this.requests = new DefaultOAuth2AuthorizationRequestResolver(id -> granted(id).registration(),
                "/api/connections");
        this.requests.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    }

    /** A Connect in progress: what was asked, for which connection, until when. */
    private record Pending(OAuth2AuthorizationRequest request, String connection, String person, Instant expires)
            implements java.io.Serializable {
    }

    @GetMapping("/api/connections/{name}/authorize")
    ResponseEntity<?> authorize(@PathVariable String name, HttpServletRequest request, Principal person) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            return problem(name);
        }
        OAuth2AuthorizationRequest authorization;
        try {
            authorization = requests.resolve(request, name);
        } catch (RuntimeException misconfigured) {
            return ResponseEntity.of(problem(HttpStatus.CONFLICT, "Connection not configured", misconfigured.getMessage()))
                    .build();
        }
        pending(request.getSession(true)).put(authorization.getState(),
                new Pending(authorization, name, person.getName(), Instant.now(clock).plus(STATE_LIFETIME)));
        log.info("connection {}: {} started Connect", name, person.getName());
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(URI.create(authorization.getAuthorizationRequestUri())).build();
    }

    @GetMapping("/oauth2/callback/{name}")
    ResponseEntity<?> callback(@PathVariable String name, @RequestParam(required = false) String state,
            @RequestParam(required = false) String code, @RequestParam(required = false) String error,
            @RequestParam(name = "error_description", required = false) String description,
            HttpServletRequest request, Principal person) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            return problem(name);
        }
        HttpSession session = request.getSession(false);
        Pending pending = state == null || session == null ? null : pending(session).remove(state);
        if (pending == null) {
            return ResponseEntity.of(problem(HttpStatus.BAD_REQUEST, "Unknown or used state",
                    "This answer does not belong to a Connect started in this session (the state is missing, was "
                            + "already used, or is another session's). Nothing was stored: start Connect again "
                            + "from the console.")).build();
        }
        if (!pending.connection().equals(name)) {
            return ResponseEntity.of(problem(HttpStatus.BAD_REQUEST, "State of another connection",
                    "The state was issued for connection " + pending.connection() + ", not " + name
                            + ". Nothing was stored.")).build();
        }
        if (Instant.now(clock).isAfter(pending.expires())) {
            return ResponseEntity.of(problem(HttpStatus.BAD_REQUEST, "Connect expired",
                    "More than " + STATE_LIFETIME.toMinutes() + " minutes passed since Connect was started. Nothing "
                            + "was stored: start Connect again.")).build();
        }
        if (error != null) {
            log.info("connection {}: the provider answered {} to {}'s Connect", name, error, person.getName());
            return backToConsole(name, "access_denied".equals(error) ? "denied"
                    : "error=" + error + (description == null ? "" : "&detail=" + description));
        }
        if (code == null || code.isBlank()) {
            return ResponseEntity.of(problem(HttpStatus.BAD_REQUEST, "No code",
                    "The provider's answer has neither a code nor an error. Nothing was stored.")).build();
        }
        OAuth2AuthorizationResponse answer = OAuth2AuthorizationResponse.success(code)
                .redirectUri(pending.request().getRedirectUri()).state(state).build();
        OAuth2AuthorizedClient client;
        try {
            client = granted.redeem(new OAuth2AuthorizationCodeGrantRequest(granted.registration(),
                    new OAuth2AuthorizationExchange(pending.request(), answer)));
        } catch (OAuth2AuthorizationException refused) {
            log.warn("connection {}: the provider would not trade the code for tokens ({})", name,
                    refused.getError().getErrorCode());
            return backToConsole(name, "error=" + refused.getError().getErrorCode());
        }
        List<String> scopesGranted = List.copyOf(new TreeSet<>(client.getAccessToken().getScopes()));
        authorizations.connected(name, client, person.getName(), scopesGranted);
        granted.connected(client);
        connections.get(name).markConnected();
        log.info("connection {} connected by {} with scopes {}", name, person.getName(), scopesGranted);
        resume(name, person.getName());
        return backToConsole(name, "connected");
    }

    @DeleteMapping("/api/connections/{name}/authorization")
    ResponseEntity<?> disconnect(@PathVariable String name, Principal person) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            return problem(name);
        }
        boolean revoked = granted.revokeAtProvider();
        authorizations.lost(name, Standing.DISCONNECTED, "disconnected by " + person.getName());
        granted.forget();
        connections.get(name).markNeedsConnecting("connection " + name + " was disconnected by " + person.getName());
        log.info("connection {} disconnected by {}{}", name, person.getName(), revoked ? " (revoked at the provider)" : "");
        return ResponseEntity.ok(Map.of("connection", name, "state", Standing.DISCONNECTED.label(),
                "revokedAtProvider", revoked));
    }

    /** The events that waited run again, oldest first; the waiting alerts end. */
    private void resume(String name, String person) {
        Map<String, Integer> resumed = inbox.resumeWaiting(name, "connection " + name + " connected by " + person);
        integrations.all().keySet().forEach(id -> alerts.resolve(FailureHandling.waitingAlertKey(name, id)));
        resumed.forEach((integration, count) -> {
            log.info("connection {}: {} waiting event(s) of {} run again", name, count, integration);
            signal.wake(integration);
        });
    }

    private OAuth2AuthorizationCode granted(String name) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            throw new IllegalArgumentException("connection " + name + " is not an authorization-code connection");
        }
        return granted;
    }

    private OAuth2AuthorizationCode connectable(String name) {
        return connections.all().stream().filter(c -> c.name().equals(name)).findFirst()
                .flatMap(Connection::authorizationCode).orElse(null);
    }

    private ResponseEntity<ProblemDetail> problem(String name) {
        boolean known = connections.all().stream().anyMatch(c -> c.name().equals(name));
        return ResponseEntity.of(known
                ? problem(HttpStatus.BAD_REQUEST, "Not a Connect connection", "Connection " + name + " does not use "
                        + "auth.type oauth2-authorization-code: its credentials come from the environment, not from a "
                        + "person connecting it.")
                : problem(HttpStatus.NOT_FOUND, "Unknown connection", "No connection " + name
                        + " under switchboard.connections.")).build();
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }

    private static ResponseEntity<Void> backToConsole(String name, String outcome) {
        String fragment = "/connections?connection=" + name + "&" + outcome;
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(UriComponentsBuilder.fromPath("/console")
                .fragment(fragment).encode().build().toUriString())).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Pending> pending(HttpSession session) {
        synchronized (session) {
            Object found = session.getAttribute(PENDING);
            if (found instanceof Map<?, ?> map) {
                return (Map<String, Pending>) map;
            }
            Map<String, Pending> fresh = new ConcurrentHashMap<>();
            session.setAttribute(PENDING, fresh);
            return fresh;
        }
    }

    /** The scopes a card needs that the grant lacks, and those granted beyond what was asked. */
    static Map<String, Set<String>> scopeDifferences(Set<String> asked, List<String> granted) {
        Set<String> missing = new TreeSet<>(asked);
        missing.removeAll(granted);
        Set<String> extra = new TreeSet<>(granted);
        extra.removeAll(asked);
        return Map.of("missing", missing, "extra", extra);
    }
}

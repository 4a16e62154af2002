package io.switchboard.connect;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.connect.ConnectionAuthorizations.Standing;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationExchange;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationResponse;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * "Connect account" for the authorization-code connections (RFC 6749 section 4.1, PKCE per
 * RFC 7636, the OAuth 2.0 Security BCP):
 * <ul>
 * <li>{@code POST /api/connections/{name}/authorize} (operator, with the console's CSRF
 * token) starts it and answers {@code {"location": "<consent page URL>"}}, where the console
 * sends the browser: the provider's consent page with a {@code state} and a PKCE S256
 * challenge. A POST, so that no link or page on another site (a same-site page on another
 * port included, which the {@code SameSite=Strict} session cookie does not stop) can start a
 * Connect for a logged-in operator; a GET answers 405. The request (its verifier encrypted) is
 * kept in the database under the state, single use, for ten minutes, and bound to this browser
 * by a cookie ({@code SameSite=Lax}, path {@code /oauth2/callback}), since the session cookie
 * is {@code SameSite=Strict} and a provider on another site sends the browser back without
 * it;</li>
 * <li>{@code GET /oauth2/callback/{name}} takes the provider's answer: a missing, used,
 * expired or foreign {@code state} (another browser's) is refused (400) and nothing is stored; a code is traded
 * for tokens (with the PKCE verifier), which are stored encrypted; the events that waited for
 * the connection run; the answer is a small page that takes the browser on to the console's
 * connections view. Not a redirect: a redirect answering the provider's (cross-site) request is
 * still part of that cross-site navigation, and the browser would leave the
 * {@code SameSite=Strict} session cookie off and show the login page; the page's own
 * navigation starts on this site, so the session comes along;</li>
 * <li>{@code DELETE /api/connections/{name}/authorization} (operator) revokes the grant where
 * the provider has a revocation endpoint, and deletes the tokens.</li>
 * </ul>
 * When the provider is the demo's sandbox (this server), its consent page is given on the host
 * and port the console was opened on ({@code 127.0.0.1} or {@code localhost}), as the
 * callback's redirect URI already is ({@code {baseUrl}}): the whole round trip stays on the
 * operator's site.
 */
@RestController
class ConnectController {

    private static final Logger log = LoggerFactory.getLogger(ConnectController.class);

    /** How long a started Connect may take, consent included. */
    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    /** The cookie that ties a Connect to the browser that started it. */
    static final String BINDING_COOKIE = "switchboard-connect";

    private final Connections connections;
    private final ConnectionAuthorizations authorizations;
    private final HeldEvents held;
    private final Clock clock;
    private final DefaultOAuth2AuthorizationRequestResolver requests;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Environment environment;

    ConnectController(Connections connections, ConnectionAuthorizations authorizations, HeldEvents held, Clock clock,
            JdbcTemplate jdbc, ObjectMapper json,
            Environment environment) {
        this.environment = environment;
        this.held = held;
        this.jdbc = jdbc;
        this.json = json;
        this.connections = connections;
        this.authorizations = authorizations;
        this.clock = clock;
        this.requests = new DefaultOAuth2AuthorizationRequestResolver(id -> granted(id).registration(),
                "/api/connections");
        this.requests.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    }

    /** A Connect in progress: what was asked, for which connection, by whom, until when. */
    private record Pending(OAuth2AuthorizationRequest request, String connection, String person, String bindingHash,
            Instant expires) {
    }

    @PostMapping("/api/connections/{name}/authorize")
    ResponseEntity<?> authorize(@PathVariable String name, HttpServletRequest request, Principal person) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            return problem(name);
        }
        OAuth2AuthorizationRequest authorization;
        try {
            authorization = onTheRequestsHost(requests.resolve(request, name), request, environment);
        } catch (RuntimeException misconfigured) {
            return ResponseEntity.of(problem(HttpStatus.CONFLICT, "Connection not configured", misconfigured.getMessage()))
                    .build();
        }
        String binding = randomToken();
        save(new Pending(authorization, name, person.getName(), sha256(binding), Instant.now(clock).plus(STATE_LIFETIME)));
        log.info("connection {}: {} started Connect", name, person.getName());
        ResponseCookie cookie = ResponseCookie.from(BINDING_COOKIE,
                binding).path("/oauth2/callback").httpOnly(true).sameSite("Lax").secure(request.isSecure())
                .maxAge(STATE_LIFETIME).build();
        // An answer to fetch(), not a redirect: the console navigates to the provider itself.
        return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString())
                .body(Map.of("location", authorization.getAuthorizationRequestUri()));
    }

    /**
     * The request with the sandbox's consent page moved to the host and port this request came
     * in on. {@code switchboard.sandbox.base-url} names {@code localhost}; a console opened on
     * {@code 127.0.0.1} would otherwise send the person to another site and back. Read at call
     * time: the demo's value names {@code local.server.port}. Only while the sandbox runs in
     * this server ({@code switchboard.sandbox.enabled}): a sandbox in a process of its own is
     * not on this host and port. Any other provider is left as it is.
     */
    static OAuth2AuthorizationRequest onTheRequestsHost(OAuth2AuthorizationRequest authorization,
            HttpServletRequest request, Environment environment) {
        String sandbox = environment.getProperty("switchboard.sandbox.base-url", "");
        boolean sandboxHere = environment.getProperty("switchboard.sandbox.enabled", Boolean.class, false);
        if (!sandboxHere || sandbox.isBlank()) {
            return authorization;
        }
        String here = ServletUriComponentsBuilder.fromContextPath(request)
                .path(URI.create(sandbox).getRawPath()).build().toUriString();
        return movedTo(authorization, sandbox, here);
    }

    /** The request with its authorization URIs under {@code sandbox} moved under {@code here}; others as they are. */
    private static OAuth2AuthorizationRequest movedTo(OAuth2AuthorizationRequest authorization, String sandbox, String here) {
        String uri = authorization.getAuthorizationUri();
        if (!uri.startsWith(sandbox + "/") || here.equals(sandbox)) {
            return authorization;
        }
        return OAuth2AuthorizationRequest.from(authorization)
                .authorizationUri(here + uri.substring(sandbox.length()))
                .authorizationRequestUri(here + authorization.getAuthorizationRequestUri().substring(sandbox.length()))
                .build();
    }

    @GetMapping("/oauth2/callback/{name}")
    ResponseEntity<?> callback(@PathVariable String name, @RequestParam(required = false) String state,
            @RequestParam(required = false) String code, @RequestParam(required = false) String error,
            @RequestParam(name = "error_description", required = false) String description,
            @CookieValue(name = BINDING_COOKIE, required = false) String binding) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            return problem(name);
        }
        Pending pending = state == null || binding == null ? null : take(state, sha256(binding));
        if (pending == null) {
            return ResponseEntity.of(problem(HttpStatus.BAD_REQUEST, "Unknown or used state",
                    "This answer does not belong to a Connect started in this browser (the state is missing, was "
                            + "already used, or is another browser's). Nothing was stored: start Connect again "
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
            log.info("connection {}: the provider answered {} to {}'s Connect", name, error, pending.person());
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
        authorizations.connected(name, client, pending.person(), scopesGranted);
        granted.connected(client);
        connections.get(name).markConnected();
        log.info("connection {} connected by {} with scopes {}", name, pending.person(), scopesGranted);
        held.release(name, "connection " + name + " connected by " + pending.person());
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

    private OAuth2AuthorizationCode granted(String name) {
        OAuth2AuthorizationCode granted = connectable(name);
        if (granted == null) {
            throw new IllegalArgumentException("connection " + name + " is not an authorization-code connection");
        }
        return granted;
    }

    private OAuth2AuthorizationCode connectable(String name) {
        return connections.find(name).flatMap(Connection::authorizationCode).orElse(null);
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

    /**
     * A page that goes on to the console by itself (a meta refresh, which the console's CSP does
     * not govern, and a link for a browser that does not follow it). This request arrived from the
     * provider's site; the page's navigation starts on this one, so the browser sends the
     * {@code SameSite=Strict} session cookie with it and the console opens logged in.
     */
    private static ResponseEntity<String> backToConsole(String name, String outcome) {
        String fragment = "/connections?connection=" + name + "&" + outcome;
        String console = HtmlUtils.htmlEscape(UriComponentsBuilder.fromPath("/console")
                .fragment(fragment).encode().build().toUriString());
        String page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"refresh\" content=\"0; url=" + console + "\">"
                + "<title>Switchboard: back to the console</title></head>\n"
                + "<body><p>Connect finished. <a data-testid=\"connect-continue\" href=\"" + console
                + "\">Continue to the console</a></p></body></html>\n";
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // The address of this page holds the (spent) code: it goes nowhere else.
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; "
                        + "frame-ancestors 'none'")
                .body(page);
    }

    private void save(Pending pending) {
        jdbc.update("delete from connect_pending where expires_at < ?", Timestamp.from(Instant.now(clock)));
        OAuth2AuthorizationRequest request = pending.request();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("authorizationUri", request.getAuthorizationUri());
        fields.put("clientId", request.getClientId());
        fields.put("redirectUri", request.getRedirectUri());
        fields.put("scopes", List.copyOf(request.getScopes()));
        fields.put("additionalParameters", request.getAdditionalParameters());
        fields.put("attributes", request.getAttributes());
        fields.put("authorizationRequestUri", request.getAuthorizationRequestUri());
        try {
            jdbc.update("insert into connect_pending (state, connection, person, binding_hash, request, expires_at) "
                    + "values (?, ?, ?, ?, ?, ?)", request.getState(), pending.connection(), pending.person(),
                    pending.bindingHash(), authorizations.cipher().encrypt(json.writeValueAsString(fields),
                            "connect/" + request.getState()), Timestamp.from(pending.expires()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Connect under {@code state} started in the browser whose binding cookie hashes to
     * {@code bindingHash}, removed (single use); {@code null} when there is none, or it is another
     * browser's (which leaves it to its owner).
     */
    @SuppressWarnings("unchecked")
    private Pending take(String state, String bindingHash) {
        List<Map<String, Object>> rows = jdbc.queryForList("select connection, person, binding_hash, request, expires_at "
                + "from connect_pending where state = ?", state);
        if (rows.isEmpty() || !MessageDigest.isEqual(
                String.valueOf(rows.get(0).get("binding_hash")).getBytes(StandardCharsets.US_ASCII),
                bindingHash.getBytes(StandardCharsets.US_ASCII))
                || jdbc.update("delete from connect_pending where state = ?", state) != 1) {
            return null; // never issued, another browser's, or another request took it first
        }
        Map<String, Object> row = rows.get(0);
        try {
            Map<String, Object> fields = json.readValue(authorizations.cipher().decrypt((String) row.get("request"),
                    "connect/" + state), Map.class);
            OAuth2AuthorizationRequest request = OAuth2AuthorizationRequest.authorizationCode()
                    .authorizationUri((String) fields.get("authorizationUri"))
                    .clientId((String) fields.get("clientId"))
                    .redirectUri((String) fields.get("redirectUri"))
                    .scopes(new LinkedHashSet<>((List<String>) fields.get("scopes")))
                    .state(state)
                    .additionalParameters((Map<String, Object>) fields.get("additionalParameters"))
                    .attributes((Map<String, Object>) fields.get("attributes"))
                    .authorizationRequestUri((String) fields.get("authorizationRequestUri"))
                    .build();
            Object expires = row.get("expires_at");
            Instant until = expires instanceof Timestamp at ? at.toInstant()
                    : expires instanceof OffsetDateTime at ? at.toInstant() : Instant.parse(expires.toString());
            return new Pending(request, (String) row.get("connection"), (String) row.get("person"),
                    (String) row.get("binding_hash"), until);
        } catch (IOException | RuntimeException unreadable) {
            log.warn("connection Connect state could not be read back ({})", unreadable.getClass().getSimpleName());
            return null;
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}

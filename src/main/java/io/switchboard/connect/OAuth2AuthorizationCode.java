package io.switchboard.connect;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import io.switchboard.connect.ConnectionAuthorizations.Authorization;
import io.switchboard.connect.ConnectionAuthorizations.Standing;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.reliability.AwaitingConnectionException;
import io.switchboard.reliability.CredentialsRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * "Connect account": a connection whose access was granted by a person in the browser
 * (OAuth2 authorization code with PKCE, RFC 6749 and 7636), through Spring Security's OAuth2
 * client. The tokens live encrypted in the database ({@link ConnectionAuthorizations}), so
 * every node uses the same grant.
 *
 * <p>Refreshing: a token is refreshed {@code refresh-before} its expiry. Only one refresh runs
 * at a time per connection across all nodes: a node refreshes only while holding the
 * connection's row lock and re-reads the tokens once it has it, so a node that waited uses
 * the token the other one just got (with refresh-token rotation, a second refresh with the
 * old refresh token would revoke the whole grant). A refresh the provider cannot answer now
 * (unreachable, 5xx, 429) is transient for the events; one it refuses ({@code invalid_grant}:
 * revoked, expired, rotated away) marks the connection {@code needs-reconnect}, and the events
 * that call it wait ({@link AwaitingConnectionException}) until a person connects it again.
 */
final class OAuth2AuthorizationCode implements ConnectionAuth {

    private static final Logger log = LoggerFactory.getLogger(OAuth2AuthorizationCode.class);

    /** The callback every authorization-code connection uses: {@code /oauth2/callback/{name}}. */
    static final String REDIRECT_URI = "{baseUrl}/oauth2/callback/{registrationId}";

    private final String connection;
    private final Connection settings;
    private final Supplier<String> authorizationUri;
    private final Supplier<String> tokenUri;
    private final Supplier<String> revocationUri;
    private final Set<String> scopes;
    private final Function<String, String> variableOf;
    private final ConnectionAuthorizations store;
    private final Clock clock;
    private final RestClientRefreshTokenTokenResponseClient refreshClient = new RestClientRefreshTokenTokenResponseClient();
    private final RestClientAuthorizationCodeTokenResponseClient codeClient = new RestClientAuthorizationCodeTokenResponseClient();
    private final RestClient revocations;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ClientRegistration registration;
    /** This node's copy of the current tokens; the database's copy is the truth. */
    private volatile OAuth2AuthorizedClient cached;
    /** An access token the API refused although it had not expired: refreshed on the next call. */
    private volatile String refused;
    private volatile Runnable onLost = () -> { };

    OAuth2AuthorizationCode(String connection, Connection settings, Supplier<String> authorizationUri,
            Supplier<String> tokenUri, Supplier<String> revocationUri, Set<String> scopes, Clock clock,
            Function<String, String> variableOf, ConnectionAuthorizations store) {
        this.revocationUri = revocationUri;
        this.connection = connection;
        this.settings = settings;
        this.authorizationUri = authorizationUri;
        this.tokenUri = tokenUri;
        this.scopes = Set.copyOf(scopes);
        this.clock = clock;
        this.variableOf = variableOf;
        this.store = store;
        RestClient rest = OAuth2Clients.tokenEndpoint(settings);
        refreshClient.setRestClient(rest);
        codeClient.setRestClient(rest);
        revocations = RestClient.builder().requestFactory(OAuth2Clients.requestFactory(settings)).build();
    }

    /** Told when the grant is lost (refused at refresh), so the connection's state follows. */
    void onLost(Runnable onLost) {
        this.onLost = onLost;
    }

    /** How often a node re-reads the standing behind its cached token (another node may have disconnected it). */
    private static final Duration STANDING_CHECK = Duration.ofSeconds(5);
    private volatile Instant standingCheckedAt = Instant.EPOCH;

    @Override
    public Credential credential() {
        OAuth2AuthorizedClient client = cached;
        if (client != null && Instant.now(clock).isAfter(standingCheckedAt.plus(STANDING_CHECK))) {
            standingCheckedAt = Instant.now(clock);
            if (store.of(connection).standing() != Standing.CONNECTED) {
                cached = null;
                client = null;
            }
        }
        if (client == null || expiresSoon(client) || client.getAccessToken().getTokenValue().equals(refused)) {
            client = current();
        }
        return new Credential(Map.of("Authorization", "Bearer " + client.getAccessToken().getTokenValue()), null, null,
                null, client.getAccessToken());
    }

    @Override
    public boolean renew(Credential refusedCredential) {
        if (refusedCredential.handle() instanceof OAuth2AccessToken token) {
            refused = token.getTokenValue();
        }
        return true;
    }

    /**
     * The API refused even a freshly refreshed token: the grant is gone, a person must reconnect.
     * Decided under the connection's lock and only if the refused token is still the stored one,
     * so a late 401 cannot wipe what a person has just connected.
     */
    RuntimeException refusedByApi(String why, Credential refusedCredential) {
        String refusedToken = refusedCredential.handle() instanceof OAuth2AccessToken t
                ? t.getTokenValue() : null;
        String reason = "the API refused a freshly refreshed access token (" + why + ")";
        boolean lostNow = store.locked(connection, standing -> {
            OAuth2AuthorizedClient stored = store.load(connection).orElse(null);
            if (stored == null || !stored.getAccessToken().getTokenValue().equals(refusedToken)) {
                return false;
            }
            store.lost(connection, Standing.NEEDS_RECONNECT, needsReconnecting(reason));
            return true;
        });
        if (!lostNow) {
            cached = null;
            return new OAuth2ClientCredentials.UncheckedTokenEndpointUnavailable(new TokenEndpointUnavailableException(
                    "connection '" + connection + "': the refused token was replaced meanwhile; trying again", null));
        }
        return lost(reason);
    }

    /** The current tokens, refreshed first if they expire soon: under the connection's lock on every node. */
    private OAuth2AuthorizedClient current() {
        lock.lock();
        try {
            OAuth2AuthorizedClient mine = cached;
            if (mine != null && !expiresSoon(mine) && !mine.getAccessToken().getTokenValue().equals(refused)) {
                return mine; // another thread of this node just refreshed
            }
            Outcome outcome = store.locked(connection, standing -> {
                if (standing.standing() != Standing.CONNECTED) {
                    return Outcome.waiting(waitingReason(standing));
                }
                OAuth2AuthorizedClient stored = store.load(connection).orElse(null);
                if (stored == null) {
                    return Outcome.waiting("connection " + connection + " has no tokens stored: connect it again");
                }
                boolean refusedNow = stored.getAccessToken().getTokenValue().equals(refused);
                if (!expiresSoon(stored) && !refusedNow) {
                    return Outcome.ok(stored); // fresh, perhaps from another node's refresh
                }
                if (stored.getRefreshToken() == null) {
                    return recordLost(Outcome.lost("the access token expired and the provider gave no refresh token"));
                }
                try {
                    OAuth2AuthorizedClient renewed = refresh(stored);
                    store.refreshed(renewed);
                    return Outcome.ok(renewed);
                } catch (OAuth2AuthorizationException failure) {
                    return recordLost(classify(failure));
                }
            });
            if (outcome.client() != null) {
                cached = outcome.client();
                refused = null;
                return outcome.client();
            }
            if (outcome.lost() != null) {
                throw lost(outcome.lost());
            }
            if (outcome.unavailable() != null) {
                throw outcome.unavailable();
            }
            cached = null;
            throw new AwaitingConnectionException(connection, outcome.waiting());
        } finally {
            lock.unlock();
        }
    }

    private OAuth2AuthorizedClient refresh(OAuth2AuthorizedClient stored) {
        OAuth2AccessTokenResponse response = refreshClient.getTokenResponse(new OAuth2RefreshTokenGrantRequest(
                registration(), stored.getAccessToken(), stored.getRefreshToken(), stored.getAccessToken().getScopes()));
        log.info("connection {}: access token refreshed, expires {}", connection,
                response.getAccessToken().getExpiresAt());
        return new OAuth2AuthorizedClient(registration(), ConnectionAuthorizations.PRINCIPAL, response.getAccessToken(),
                response.getRefreshToken() != null ? response.getRefreshToken() : stored.getRefreshToken());
    }

    /** Trades the code from the consent for tokens (the PKCE verifier travels in the request's attributes). */
    OAuth2AuthorizedClient redeem(OAuth2AuthorizationCodeGrantRequest request) {
        OAuth2AccessTokenResponse response = codeClient.getTokenResponse(request);
        return new OAuth2AuthorizedClient(registration(), ConnectionAuthorizations.PRINCIPAL, response.getAccessToken(),
                response.getRefreshToken());
    }

    /** A person connected it: the tokens are the new truth on every node. */
    void connected(OAuth2AuthorizedClient client) {
        cached = client;
        refused = null;
    }

    /**
     * Revokes the grant at the provider (RFC 7009: the refresh token, which ends the grant)
     * when the connection names a {@code revocation-uri}. Whether it worked; a failure is
     * logged, never fatal: the tokens are deleted here either way.
     */
    boolean revokeAtProvider() {
        String uri = revocationUri.get();
        OAuth2AuthorizedClient stored = store.load(connection).orElse(null);
        if (uri == null || uri.isBlank() || stored == null) {
            return false;
        }
        var token = stored.getRefreshToken() != null ? stored.getRefreshToken() : stored.getAccessToken();
        var form = new LinkedMultiValueMap<String, String>();
        form.add("token", token.getTokenValue());
        form.add("token_type_hint", stored.getRefreshToken() != null ? "refresh_token" : "access_token");
        form.add("client_id", settings.auth().clientId());
        form.add("client_secret", settings.auth().clientSecret());
        try {
            revocations.post().uri(uri).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .body(form).retrieve().toBodilessEntity();
            return true;
        } catch (RuntimeException failed) {
            log.warn("connection {}: revoking the grant at {} failed ({}); the tokens are deleted here anyway",
                    connection, uri, failed.getClass().getSimpleName());
            return false;
        }
    }

    /** Disconnected or lost on some node: forget this node's copy. */
    void forget() {
        cached = null;
    }

    /** Inside the lock: a refused grant is recorded before any other node can try the same refresh token. */
    private Outcome recordLost(Outcome outcome) {
        if (outcome.lost() != null) {
            store.lost(connection, Standing.NEEDS_RECONNECT, needsReconnecting(outcome.lost()));
        }
        return outcome;
    }

    private String needsReconnecting(String reason) {
        return "connection " + connection + " needs reconnecting: " + reason;
    }

    private AwaitingConnectionException lost(String reason) {
        String why = needsReconnecting(reason);
        cached = null;
        log.warn("{}; events that call it wait until a person connects it again", why);
        onLost.run();
        return new AwaitingConnectionException(connection, why);
    }

    private String waitingReason(Authorization standing) {
        return switch (standing.standing()) {
            case NOT_CONNECTED -> "connection " + connection + " is not connected yet";
            case DISCONNECTED -> "connection " + connection + " was disconnected"
                    + (standing.connectedBy() == null ? "" : " (last connected by " + standing.connectedBy() + ")");
            default -> standing.reason() == null ? "connection " + connection + " needs reconnecting" : standing.reason();
        };
    }

    /**
     * The provider refused the grant ({@code invalid_grant} and other 4xx OAuth2 errors): lost.
     * It could not answer (unreachable, 5xx, 429): transient.
     */
    private Outcome classify(OAuth2AuthorizationException failure) {
        String code = failure.getError().getErrorCode();
        if ("invalid_grant".equals(code)) {
            return Outcome.lost("the provider refused the refresh (invalid_grant: revoked, expired or rotated away)");
        }
        if (Set.of("invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope")
                .contains(code)) {
            // Our client's own settings are refused: a person fixes the client id or secret, the
            // grant itself may be fine, so it is kept.
            return Outcome.unavailable(new CredentialsRejectedException("The token endpoint "
                    + "of connection '" + connection + "' refused the client (" + code + ") while refreshing: check "
                    + "its client id and secret", failure));
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RestClientResponseException response) {
                return Outcome.unavailable(unavailable("answered HTTP " + response.getStatusCode().value(), failure));
            }
            if (cause instanceof IOException) {
                return Outcome.unavailable(unavailable("could not be reached (" + cause.getClass().getSimpleName() + ")",
                        failure));
            }
        }
        // Anything else (server_error, a garbled answer, a proxy's page): the grant is not known to be gone.
        return Outcome.unavailable(unavailable("failed with " + code, failure));
    }

    private RuntimeException unavailable(String why, OAuth2AuthorizationException failure) {
        return new OAuth2ClientCredentials.UncheckedTokenEndpointUnavailable(new TokenEndpointUnavailableException(
                "The token endpoint of connection '" + connection + "' " + why + " while refreshing", failure));
    }

    private boolean expiresSoon(OAuth2AuthorizedClient client) {
        Instant issued = client.getAccessToken().getIssuedAt();
        Instant expires = client.getAccessToken().getExpiresAt();
        if (expires == null || (issued != null && !expires.isAfter(issued.plusSeconds(1)))) {
            // No expires_in in the answer (Spring then sets one second): the token lasts until the
            // API refuses it, and a 401 renews it then.
            return false;
        }
        return !Instant.now(clock).plus(settings.auth().refreshBefore()).isBefore(expires);
    }

    /** The registration: client, endpoints, the redirect URI and the scopes the cards ask for. */
    ClientRegistration registration() {
        String token = tokenUri.get();
        String authorize = authorizationUri.get();
        ClientRegistration current = registration;
        if (current != null && current.getProviderDetails().getTokenUri().equals(token)
                && current.getProviderDetails().getAuthorizationUri().equals(authorize)) {
            return current;
        }
        current = OAuth2Clients.registration(connection, settings, AuthorizationGrantType.AUTHORIZATION_CODE, token,
                        scopes, variableOf)
                .redirectUri(REDIRECT_URI)
                .authorizationUri(authorize)
                .build();
        registration = current;
        return current;
    }

    /** What happened under the lock; acted on after the transaction committed. */
    private record Outcome(OAuth2AuthorizedClient client, String waiting, String lost, RuntimeException unavailable) {
        static Outcome ok(OAuth2AuthorizedClient client) {
            return new Outcome(client, null, null, null);
        }

        static Outcome waiting(String why) {
            return new Outcome(null, why, null, null);
        }

        static Outcome lost(String why) {
            return new Outcome(null, null, why, null);
        }

        static Outcome unavailable(RuntimeException failure) {
            return new Outcome(null, null, null, failure);
        }
    }
}

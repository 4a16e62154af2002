package io.switchboard.connect;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.reliability.CredentialsRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.web.client.RestClientResponseException;

/**
 * OAuth2 client credentials through Spring Security's OAuth2 client: one access token per
 * connection, shared by every call until shortly before it expires (the
 * {@code refresh-before} setting), then renewed. A 401 from the API drops exactly the
 * token that was refused, so a burst of refused calls fetches one new token, not many.
 *
 * <p>The client registration is built from {@code switchboard.connections.<name>.auth} and
 * asks only for the scopes the integrations' cards list for this connection. A token
 * response granting more is logged as a warning naming the extra scopes.
 */
final class OAuth2ClientCredentials implements ConnectionAuth {

    private static final Logger log = LoggerFactory.getLogger(OAuth2ClientCredentials.class);

    /** Tokens belong to the server itself, not to a person. */
    private static final String PRINCIPAL = "switchboard";

    private static final Set<String> REFUSALS = Set.of("invalid_client", "unauthorized_client", "invalid_grant",
            "invalid_scope", "access_denied", "invalid_request", "unsupported_grant_type");

    private final String connection;
    private final Connection settings;
    private final Supplier<String> tokenUri;
    private final Set<String> scopes;
    private final Function<String, String> variableOf;
    private final OAuth2AuthorizedClientService tokens;
    private final AuthorizedClientServiceOAuth2AuthorizedClientManager manager;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ClientRegistration registration;
    private volatile OAuth2AccessToken lastSeen;

    OAuth2ClientCredentials(String connection, Connection settings, Supplier<String> tokenUri, Set<String> scopes,
            Clock clock, Function<String, String> variableOf) {
        this.connection = connection;
        this.settings = settings;
        this.tokenUri = tokenUri;
        this.scopes = Set.copyOf(scopes);
        this.variableOf = variableOf;
        ClientRegistrationRepository registrations = id -> connection.equals(id) ? registration() : null;
        this.tokens = new InMemoryOAuth2AuthorizedClientService(registrations);

        RestClientClientCredentialsTokenResponseClient tokenClient = new RestClientClientCredentialsTokenResponseClient();
        tokenClient.setRestClient(OAuth2Clients.tokenEndpoint(settings));
        ClientCredentialsOAuth2AuthorizedClientProvider provider = new ClientCredentialsOAuth2AuthorizedClientProvider();
        provider.setAccessTokenResponseClient(tokenClient);
        provider.setClockSkew(settings.auth().refreshBefore());
        provider.setClock(clock);
        this.manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, tokens);
        this.manager.setAuthorizedClientProvider(provider);
    }

    /** The scopes this connection asks for. */
    Set<String> scopes() {
        return scopes;
    }

    @Override
    public Credential credential() {
        // One caller at a time asks the token endpoint; the others then find the fresh token.
        lock.lock();
        try {
            OAuth2AuthorizedClient client = manager.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(connection)
                    .principal(PRINCIPAL).build());
            if (client == null) {
                throw new CredentialsRejectedException("Connection '" + connection + "' got no access token");
            }
            OAuth2AccessToken token = client.getAccessToken();
            if (token != lastSeen) {
                lastSeen = token;
                onNewToken(token);
            }
            return new Credential(Map.of("Authorization", "Bearer " + token.getTokenValue()), null, null, null, token);
        } catch (OAuth2AuthorizationException refusedOrFailed) {
            throw classify(refusedOrFailed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean renew(Credential refused) {
        lock.lock();
        try {
            OAuth2AuthorizedClient current = tokens.loadAuthorizedClient(connection, PRINCIPAL);
            if (current != null && refused.handle() instanceof OAuth2AccessToken token
                    && current.getAccessToken().getTokenValue().equals(token.getTokenValue())) {
                tokens.removeAuthorizedClient(connection, PRINCIPAL);
                log.info("connection {}: the API refused the access token; fetching a new one", connection);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void onNewToken(OAuth2AccessToken token) {
        log.info("connection {}: new access token, expires {}", connection, token.getExpiresAt());
        Set<String> extra = new TreeSet<>(token.getScopes());
        extra.removeAll(scopes);
        if (!extra.isEmpty()) {
            log.warn("connection {} was granted more than it asked for: extra scope(s) {} (asked for {}). "
                    + "Least privilege: narrow the client's grant at the provider.", connection, extra,
                    new TreeSet<>(scopes));
        }
    }

    private ClientRegistration registration() {
        String uri = tokenUri.get();
        ClientRegistration current = registration;
        if (current != null && current.getProviderDetails().getTokenUri().equals(uri)) {
            return current;
        }
        current = OAuth2Clients.registration(connection, settings, AuthorizationGrantType.CLIENT_CREDENTIALS, uri, scopes,
                variableOf).build();
        registration = current;
        return current;
    }

    /**
     * A refusal (the client or its grant is not accepted: 4xx, or an OAuth2 error such as
     * {@code invalid_client}) needs a person; anything else (unreachable, 5xx, 429) may pass.
     */
    private RuntimeException classify(OAuth2AuthorizationException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RestClientResponseException response) {
                int status = response.getStatusCode().value();
                if (status == 408 || status == 429 || status >= 500) {
                    return unavailable("answered HTTP " + status, failure);
                }
                return refused("HTTP " + status + " " + failure.getError().getErrorCode(), failure);
            }
            if (cause instanceof IOException) {
                return unavailable("could not be reached (" + cause.getClass().getSimpleName() + ")", failure);
            }
        }
        String code = failure.getError().getErrorCode();
        return REFUSALS.contains(code) ? refused(code, failure) : unavailable("failed with " + code, failure);
    }

    private CredentialsRejectedException refused(String why, OAuth2AuthorizationException failure) {
        return new CredentialsRejectedException("The token endpoint of connection '" + connection
                + "' refused the client (" + why + "): renew or check the client id and secret", failure);
    }

    private RuntimeException unavailable(String why, OAuth2AuthorizationException failure) {
        return new UncheckedTokenEndpointUnavailable(new TokenEndpointUnavailableException(
                "The token endpoint of connection '" + connection + "' " + why, failure));
    }

    /** Carries the checked {@link TokenEndpointUnavailableException} out of {@link #credential()}. */
    static final class UncheckedTokenEndpointUnavailable extends RuntimeException {

        UncheckedTokenEndpointUnavailable(TokenEndpointUnavailableException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized TokenEndpointUnavailableException getCause() {
            return (TokenEndpointUnavailableException) super.getCause();
        }
    }
}

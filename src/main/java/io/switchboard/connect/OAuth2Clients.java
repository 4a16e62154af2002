package io.switchboard.connect;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.switchboard.connect.ConnectionsProperties.Connection;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;

/** What both OAuth2 grants of a connection share: the token endpoint's HTTP client and the client registration. */
final class OAuth2Clients {

    private OAuth2Clients() {
    }

    /** An HTTP client for a token endpoint, with the connection's timeouts and OAuth2's error answers. */
    static RestClient tokenEndpoint(Connection settings) {
        return RestClient.builder()
                .requestFactory(requestFactory(settings))
                .messageConverters(converters -> {
                    converters.clear();
                    converters.add(new FormHttpMessageConverter());
                    converters.add(new OAuth2AccessTokenResponseHttpMessageConverter());
                })
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build();
    }

    static SimpleClientHttpRequestFactory requestFactory(Connection settings) {
        SimpleClientHttpRequestFactory http = new SimpleClientHttpRequestFactory();
        http.setConnectTimeout(settings.connectTimeout());
        http.setReadTimeout(settings.readTimeout());
        return http;
    }

    /**
     * The registration's common part: client id and secret (a message naming the variable when
     * one is missing), how the client authenticates, the token endpoint and the scopes asked for.
     */
    static ClientRegistration.Builder registration(String connection, Connection settings, AuthorizationGrantType grant,
            String tokenUri, Set<String> scopes, Function<String, String> variableOf) {
        var auth = settings.auth();
        if (auth.clientId() == null || auth.clientId().isBlank()) {
            throw StaticAuth.missing(connection, "client-id", "OAuth2 client id", variableOf);
        }
        if (auth.clientSecret() == null || auth.clientSecret().isBlank()) {
            throw StaticAuth.missing(connection, "client-secret", "OAuth2 client secret", variableOf);
        }
        return ClientRegistration.withRegistrationId(connection)
                .authorizationGrantType(grant)
                .clientId(auth.clientId())
                .clientSecret(auth.clientSecret())
                .clientAuthenticationMethod("post".equalsIgnoreCase(auth.clientAuthentication())
                        ? ClientAuthenticationMethod.CLIENT_SECRET_POST : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .tokenUri(tokenUri)
                .scope(new LinkedHashSet<>(new TreeSet<>(scopes)));
    }
}

package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

class ConsentPageHostTest {

    @Test
    void theSandboxInThisServerGivesItsConsentPageOnTheHostTheConsoleWasOpenedOn() {
        OAuth2AuthorizationRequest moved = ConnectController.onTheRequestsHost(
                request("http://localhost:8080/sandbox/oauth/authorize"), consoleOn("127.0.0.1", 8080),
                sandbox(true, "http://localhost:8080/sandbox"));

        assertThat(moved.getAuthorizationUri()).isEqualTo("http://127.0.0.1:8080/sandbox/oauth/authorize");
        assertThat(moved.getAuthorizationRequestUri()).startsWith("http://127.0.0.1:8080/sandbox/oauth/authorize?");
    }

    @Test
    void aSandboxInAProcessOfItsOwnKeepsItsConsentPageWhereItIs() {
        OAuth2AuthorizationRequest kept = ConnectController.onTheRequestsHost(
                request("http://127.0.0.1:18090/sandbox/oauth/authorize"), consoleOn("127.0.0.1", 18080),
                sandbox(false, "http://127.0.0.1:18090/sandbox"));

        assertThat(kept.getAuthorizationUri()).isEqualTo("http://127.0.0.1:18090/sandbox/oauth/authorize");
        assertThat(kept.getAuthorizationRequestUri()).startsWith("http://127.0.0.1:18090/sandbox/oauth/authorize?");
    }

    @Test
    void anotherProvidersConsentPageIsLeftAsItIs() {
        OAuth2AuthorizationRequest kept = ConnectController.onTheRequestsHost(
                request("https://slack.example/oauth/authorize"), consoleOn("127.0.0.1", 8080),
                sandbox(true, "http://localhost:8080/sandbox"));

        assertThat(kept.getAuthorizationUri()).isEqualTo("https://slack.example/oauth/authorize");
    }

    /** The settings of a sandbox at {@code baseUrl}, running in this server or not. */
    private static MockEnvironment sandbox(boolean inThisServer, String baseUrl) {
        return new MockEnvironment().withProperty("switchboard.sandbox.enabled", Boolean.toString(inThisServer))
                .withProperty("switchboard.sandbox.base-url", baseUrl);
    }

    private static OAuth2AuthorizationRequest request(String authorizationUri) {
        return OAuth2AuthorizationRequest.authorizationCode().authorizationUri(authorizationUri)
                .clientId("switchboard-chat-app").redirectUri("http://127.0.0.1:8080/oauth2/callback/chat")
                .state("state-1").build();
    }

    private static MockHttpServletRequest consoleOn(String host, int port) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/connections/chat/authorize");
        request.setServerName(host);
        request.setServerPort(port);
        return request;
    }
}

package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

class ConsentPageHostTest {

    @Test
    void theSandboxInThisServerGivesItsConsentPageOnTheHostTheConsoleWasOpenedOn() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("switchboard.sandbox.enabled", "true")
                .withProperty("switchboard.sandbox.base-url", "http://localhost:8080/sandbox");

        OAuth2AuthorizationRequest moved = ConnectController.onTheRequestsHost(
                request("http://localhost:8080/sandbox/oauth/authorize"), consoleOn("127.0.0.1", 8080), environment);

        assertThat(moved.getAuthorizationUri()).isEqualTo("http://127.0.0.1:8080/sandbox/oauth/authorize");
        assertThat(moved.getAuthorizationRequestUri()).startsWith("http://127.0.0.1:8080/sandbox/oauth/authorize?");
    }

    @Test
    void aSandboxInAProcessOfItsOwnKeepsItsConsentPageWhereItIs() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("switchboard.sandbox.enabled", "false")
                .withProperty("switchboard.sandbox.base-url", "http://127.0.0.1:18090/sandbox");

        OAuth2AuthorizationRequest kept = ConnectController.onTheRequestsHost(
                request("http://127.0.0.1:18090/sandbox/oauth/authorize"), consoleOn("127.0.0.1", 18080), environment);

        assertThat(kept.getAuthorizationUri()).isEqualTo("http://127.0.0.1:18090/sandbox/oauth/authorize");
        assertThat(kept.getAuthorizationRequestUri()).startsWith("http://127.0.0.1:18090/sandbox/oauth/authorize?");
    }

    @Test
    void anotherProvidersConsentPageIsLeftAsItIs() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("switchboard.sandbox.enabled", "true")
                .withProperty("switchboard.sandbox.base-url", "http://localhost:8080/sandbox");

        OAuth2AuthorizationRequest kept = ConnectController.onTheRequestsHost(
                request("https://slack.example/oauth/authorize"), consoleOn("127.0.0.1", 8080), environment);

        assertThat(kept.getAuthorizationUri()).isEqualTo("https://slack.example/oauth/authorize");
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

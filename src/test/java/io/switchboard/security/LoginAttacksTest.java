package io.switchboard.security;

import static io.switchboard.security.AccessRulesTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.TestSockets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/** The red team's login attacks (issue 25), each reproduced against the running server. */
@SwitchboardTest
class LoginAttacksTest {

    @LocalServerPort
    int port;

    @Test
    void fortyParallelBasicLoginsForOneAccountGetNoMoreWrongAnswersThanTheLimit() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String password = i == 20 ? "contested-test-password" : "guess-" + i;
            answers.add(http.sendAsync(HttpRequest.newBuilder(new Browserless(port).uri("/api/me"))
                    .header("Authorization", basic("contested", password)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            statuses.add(answer.get().statusCode());
        }
        assertThat(statuses).as("passwords checked and found wrong").filteredOn(s -> s == 401)
                .hasSizeLessThanOrEqualTo(5);
        assertThat(statuses).filteredOn(s -> s == 200).hasSizeLessThanOrEqualTo(1);
        assertThat(statuses).hasSize(40).isSubsetOf(200, 401, 429);
    }

    @Test
    void anAttackerWhoLocksTheAdminOutOfItsOwnAddressDoesNotLockTheAdminOut() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(basicFrom("127.0.0.41", "admin", "guess-" + i)).isEqualTo(401);
        }
        assertThat(basicFrom("127.0.0.41", "admin", "admin-test-password"))
                .as("the attacker's address, even with the right password").isEqualTo(429);

        Browserless admin = new Browserless(port);
        HttpResponse<String> locks = admin.send(HttpRequest.newBuilder(admin.uri("/api/security/lockouts"))
                .header("Authorization", basic("admin", "admin-test-password")));
        assertThat(locks.statusCode()).as("the admin from another address").isEqualTo(200);
        assertThat(locks.body()).contains("{\"kind\":\"account\",\"subject\":\"admin\",\"clientAddress\":\"127.0.0.41\"");
        assertThat(new Browserless(port).logIn("admin", "admin-test-password")).as("the form login").isEqualTo(302);
    }

    @Test
    void hawtioLoginFailuresCountForTheirClientAddress() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(hawtioFrom("127.0.0.42", "operator", "guess-" + i)).isNotEqualTo(200);
        }
        Browserless admin = new Browserless(port);
        HttpResponse<String> locks = admin.send(HttpRequest.newBuilder(admin.uri("/api/security/lockouts"))
                .header("Authorization", basic("admin", "admin-test-password")));
        assertThat(locks.body())
                .contains("{\"kind\":\"account\",\"subject\":\"operator\",\"clientAddress\":\"127.0.0.42\"");
        assertThat(new Browserless(port).logIn("operator", "operator-test-password")).as("from elsewhere")
                .isEqualTo(302);
    }

    @Test
    void fiftySlowLoginBodiesDoNotKeepARealLoginOut() throws Exception {
        List<TestSockets.Client> slow = new ArrayList<>();
        byte[] form = "username=admin&password=trickled-one-byte-a-second".getBytes(StandardCharsets.UTF_8);
        byte[] json = "{\"username\":\"admin\",\"password\":\"trickled\"}".getBytes(StandardCharsets.UTF_8);
        try {
            for (int i = 0; i < 50; i++) {
                TestSockets.Client client = TestSockets.from("127.0.0.43", port);
                slow.add(client);
                if (i % 2 == 0) {
                    client.start("/login", Map.of("Content-Type", "application/x-www-form-urlencoded"), form, 1);
                } else {
                    client.start("/actuator/hawtio/auth/login", Map.of("Content-Type", "application/json"), json, 1);
                }
            }
            Browserless user = new Browserless(port);
            assertThat(user.logIn("viewer", "viewer-test-password")).as("the form login").isEqualTo(302);
            assertThat(new Browserless(port).logInToHawtio("admin", "admin-test-password")).as("Hawtio's login")
                    .isEqualTo(200);
            int stillOpen = 0;
            for (TestSockets.Client client : slow) {
                stillOpen += client.answered() ? 0 : 1;
            }
            assertThat(stillOpen).as("slow logins still being read while the real ones got in").isPositive();
        } finally {
            for (TestSockets.Client client : slow) {
                client.close();
            }
        }
    }

    @Test
    void loginBodiesReadAheadStillNeedTheCsrfTokenAndAreBounded() throws Exception {
        Map<String, String> form = Map.of("Content-Type", "application/x-www-form-urlencoded");
        try (TestSockets.Client client = TestSockets.from("127.0.0.44", port)) {
            assertThat(client.post("/login", form, "username=viewer&password=viewer-test-password"
                    .getBytes(StandardCharsets.UTF_8))).as("no CSRF token").isEqualTo(403);
        }
        try (TestSockets.Client client = TestSockets.from("127.0.0.44", port)) {
            assertThat(client.post("/login", form, new byte[LoginBodies.MAX_BODY + 1])).isEqualTo(413);
        }
    }

    @Test
    void aFormLoginRefusedWhileOtherChecksRunIsToldToSignInAgainNotThatThePasswordIsWrong() throws Exception {
        AuthenticationFailureHandler failure = SecurityConfiguration.formLoginFailure();
        assertThat(redirectAfter(failure, new ThrottledAuthenticationManager.LoginLockedException(Duration.ofSeconds(1),
                true))).isEqualTo("/login?busy");
        assertThat(redirectAfter(failure, new ThrottledAuthenticationManager.LoginLockedException(Duration.ofMinutes(1),
                false))).as("locked").isEqualTo("/login?error");
        assertThat(redirectAfter(failure, new BadCredentialsException("wrong"))).isEqualTo("/login?error");

        Browserless browser = new Browserless(port);
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(browser.uri("/login?busy")).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-testid=\"login-error\"")
                .contains("being checked at once; your password was not checked. Sign in again in a second.")
                .doesNotContain("Wrong user or password");
    }

    private static String redirectAfter(AuthenticationFailureHandler handler, AuthenticationException failure)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");
        MockHttpServletResponse response = new MockHttpServletResponse();
        handler.onAuthenticationFailure(request, response, failure);
        return response.getRedirectedUrl();
    }

    private int basicFrom(String address, String user, String password) throws Exception {
        try (TestSockets.Client client = TestSockets.from(address, port)) {
            return client.post("/api/me", Map.of("Authorization", basic(user, password)), new byte[0]);
        }
    }

    private int hawtioFrom(String address, String user, String password) throws Exception {
        try (TestSockets.Client client = TestSockets.from(address, port)) {
            return client.post("/actuator/hawtio/auth/login", Map.of("Content-Type", "application/json"),
                    ("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}").getBytes(StandardCharsets.UTF_8));
        }
    }
}

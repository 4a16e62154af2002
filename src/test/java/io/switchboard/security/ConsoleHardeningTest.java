package io.switchboard.security;

import static io.switchboard.security.AccessRulesTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.TestSockets;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Login guessing, the CSRF exemption, the console's headers, list limits and health details. */
@SwitchboardTest
class ConsoleHardeningTest {

    @LocalServerPort
    int port;

    private Browserless client;

    @BeforeEach
    void setUp() {
        client = new Browserless(port);
    }

    @Test
    void guessedPasswordsLockTheAccountOnEveryWayInAndTheAdminSeesTheLock() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(new Browserless(port).logIn("guessed", "guess-" + i)).isEqualTo(302);
        }
        Browserless rightPassword = new Browserless(port);
        rightPassword.logIn("guessed", "guessed-test-password");
        assertThat(rightPassword.loginResponse.statusCode()).as("form login with the right password").isEqualTo(429);
        assertThat(rightPassword.loginResponse.headers().firstValue("Retry-After"))
                .hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
        HttpResponse<String> basicLogin = client.send(HttpRequest.newBuilder(client.uri("/api/me"))
                .header("Authorization", basic("guessed", "guessed-test-password")));
        assertThat(basicLogin.statusCode()).as("HTTP Basic with the right password").isEqualTo(429);
        assertThat(basicLogin.body()).contains("even with the right password");

        HttpResponse<String> locks = client.send(HttpRequest.newBuilder(client.uri("/api/security/lockouts"))
                .header("Authorization", basic("admin", "admin-test-password")));
        assertThat(locks.statusCode()).isEqualTo(200);
        assertThat(locks.body()).contains("\"subject\":\"guessed\"").contains("\"kind\":\"account\"");
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/api/security/lockouts"))
                .header("Authorization", basic("viewer", "viewer-test-password"))).statusCode()).isEqualTo(403);
    }

    @Test
    void slowLoginBodiesHoldNoThreadAndAreCutOffAtTheBodyDeadline() throws Exception {
        List<TestSockets.Client> slow = new ArrayList<>();
        byte[] form = "username=admin&password=trickled-one-byte-a-second".getBytes();
        try {
            for (int i = 0; i < 40; i++) {
                TestSockets.Client client = TestSockets.from("127.0.0.5", port);
                slow.add(client);
                client.start("/login", Map.of("Content-Type", "application/x-www-form-urlencoded"), form, 1);
            }
            long started = System.nanoTime();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(client.uri("/actuator/health"))
                    .timeout(Duration.ofSeconds(1)));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            // Read without a thread until the body deadline (5 s), then 408: none is refused as busy.
            assertThat(refusals(slow, 40)).as("every slow login is cut off at the deadline").hasSize(40)
                    .containsOnly(408);
        } finally {
            for (TestSockets.Client client : slow) {
                client.close();
            }
        }
    }

    @Test
    void slowBodiesOfRefusedRequestsAreNotWaitedForAndTheSandboxIsBulkheadedToo() throws Exception {
        List<TestSockets.Client> slow = new ArrayList<>();
        byte[] body = new byte[60_000];
        try {
            // Anonymous, so refused before the body is read: Tomcat must not wait for the rest of it.
            for (int i = 0; i < 250; i++) {
                TestSockets.Client client = TestSockets.from("127.0.0.6", port);
                slow.add(client);
                client.start("/api/dead-letters/x/replay", Map.of("Content-Type", "application/json"), body, 1);
            }
            // The sandbox's token endpoint reads its form before it can tell who is asking.
            for (int i = 0; i < 120; i++) {
                TestSockets.Client client = TestSockets.from("127.0.0.7", port);
                slow.add(client);
                client.start("/sandbox/oauth/token", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        body, 1);
            }
            List<TestSockets.Client> sandbox = slow.subList(250, 370);
            // The server's own routes may be calling the sandbox too, so at least 20 are refused.
            assertThat(refusals(sandbox, 20)).as("100 are read (and wait for their body), the rest refused at once")
                    .hasSizeGreaterThanOrEqualTo(20).containsOnly(503);
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(client.uri("/actuator/health"))
                        .timeout(Duration.ofSeconds(1)));
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - started))
                        .isLessThan(Duration.ofSeconds(1));
            }
        } finally {
            for (TestSockets.Client client : slow) {
                client.close();
            }
        }
    }

    /** Waits until {@code expected} of the connections have an answer, then reads the status of each answered one. */
    private static List<Integer> refusals(List<TestSockets.Client> clients,
            int expected) throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            int answered = 0;
            for (TestSockets.Client client : clients) {
                answered += client.answered() ? 1 : 0;
            }
            return answered >= expected;
        });
        List<Integer> statuses = new ArrayList<>();
        for (TestSockets.Client client : clients) {
            if (client.answered()) {
                statuses.add(client.status());
            }
        }
        return statuses;
    }

    @Test
    void aCredentialHeaderThatAuthenticatesNothingDoesNotSkipTheCsrfCheck() throws Exception {
        assertThat(client.logIn("operator", "operator-test-password")).isEqualTo(302);
        String path = "/api/dead-letters/no-such-letter/discard";
        for (String[] header : new String[][] {{"X-Api-Key", ""}, {"Authorization", "Token abc"}}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri(path))
                    .header(header[0], header[1]).POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(response.statusCode()).as(header[0] + ": " + header[1]).isEqualTo(403);
        }
        // A bearer token on /api is taken as an API key (what Prometheus sends): a wrong one is
        // refused outright, before any CSRF question, and nothing is done.
        HttpResponse<String> junkBearer = client.send(HttpRequest.newBuilder(client.uri(path))
                .header("Authorization", "Bearer junk").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(junkBearer.statusCode()).as("Authorization: Bearer junk").isEqualTo(401);
        HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(client.uri(path))
                .header("X-XSRF-TOKEN", client.xsrfToken()).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(withToken.statusCode()).as("the console's own request").isEqualTo(404);
        HttpResponse<String> basicClient = new Browserless(port).send(HttpRequest.newBuilder(client.uri(path))
                .header("Authorization", basic("operator", "operator-test-password"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(basicClient.statusCode()).as("a machine client that Basic authenticated").isEqualTo(404);
    }

    @Test
    void consoleIsServedWithAContentSecurityPolicyAndNoReferrer() throws Exception {
        HttpResponse<String> console = client.send(HttpRequest.newBuilder(client.uri("/console/"))
                .header("Authorization", basic("viewer", "viewer-test-password")));
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline"));
        assertThat(console.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(console.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(console.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(console.body()).doesNotContain("<script>").doesNotContain("onclick=");
    }

    @Test
    void loginPageHasTheConsolesContentSecurityPolicyAndHeaders() throws Exception {
        HttpResponse<String> console = client.send(HttpRequest.newBuilder(client.uri("/console/"))
                .header("Authorization", basic("viewer", "viewer-test-password")));
        HttpResponse<String> login = new Browserless(port).send(HttpRequest.newBuilder(client.uri("/login")));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("login-form").doesNotContain("<script").doesNotContain("style=");
        for (String header : new String[] {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                "Referrer-Policy", "Cache-Control"}) {
            assertThat(login.headers().firstValue(header)).as(header).isPresent()
                    .isEqualTo(console.headers().firstValue(header));
        }
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("form-action 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline"));
    }

    @Test
    void listLimitsMustBePositiveAndLargeOnesAreCapped() throws Exception {
        String viewer = basic("viewer", "viewer-test-password");
        for (String path : new String[] {"/api/events?limit=-1", "/api/events?limit=0", "/api/dead-letters?limit=-1",
                "/api/events?offset=-5"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri(path))
                    .header("Authorization", viewer));
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.body()).as(path).contains("must be");
        }
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/api/events?limit=1000000"))
                .header("Authorization", viewer)).statusCode()).isEqualTo(200);
    }

    @Test
    void healthDetailsAreShownToEveryRoleAndToNobodyAnonymous() throws Exception {
        for (String[] user : new String[][] {{"viewer", "viewer-test-password"}, {"operator", "operator-test-password"},
                {"admin", "admin-test-password"}}) {
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(client.uri("/actuator/health"))
                    .header("Authorization", basic(user[0], user[1])));
            assertThat(health.body()).as(user[0]).contains("components");
        }
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/actuator/health"))).body())
                .doesNotContain("components");
    }
}

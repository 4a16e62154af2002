package io.switchboard.security;

import static io.switchboard.security.AccessRulesTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.HttpCookie;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.TestSockets;
import io.switchboard.ingress.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Protections the red team found holding, kept by a test each. */
@SwitchboardTest
class KeptProtectionsTest {

    private static final String LEAD_SECRET = "whsec_dGVzdC1sZWFkLWludGFrZS1zZWNyZXQ=";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private Browserless client;

    @BeforeEach
    void setUp() {
        client = new Browserless(port);
    }

    @Test
    void loginGivesANewSessionIdAndLogoutEndsTheSession() throws Exception {
        client.send(HttpRequest.newBuilder(client.uri("/console")));
        String before = session();
        assertThat(client.logIn("operator", "operator-test-password")).isEqualTo(302);
        String after = session();
        assertThat(after).isNotNull().isNotEqualTo(before);
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/api/me"))).statusCode()).isEqualTo(200);

        HttpResponse<String> logout = client.send(HttpRequest.newBuilder(client.uri("/logout"))
                .header("X-XSRF-TOKEN", client.xsrfToken()).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(logout.statusCode()).isIn(204, 302);
        Browserless stolen = new Browserless(port);
        HttpResponse<String> reused = stolen.send(HttpRequest.newBuilder(client.uri("/api/me"))
                .header("Cookie", "JSESSIONID=" + after).header("Accept", "application/json"));
        assertThat(reused.statusCode()).as("the old session id after logout").isIn(401, 302);
    }

    @Test
    void apiKeysAreNeverTakenFromTheQueryString() throws Exception {
        for (String query : new String[] {"X-Api-Key=scraper-test-key", "api_key=scraper-test-key",
                "apiKey=scraper-test-key"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/api/events?" + query))
                    .header("Accept", "application/json"));
            assertThat(response.statusCode()).as(query).isIn(401, 302);
        }
    }

    @Test
    void apiAnswersNoCrossOriginRequests() throws Exception {
        HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(client.uri("/api/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET"));
        HttpResponse<String> read = client.send(HttpRequest.newBuilder(client.uri("/api/events"))
                .header("Origin", "https://evil.example").header("Authorization", basic("viewer", "viewer-test-password")));
        for (HttpResponse<String> response : new HttpResponse[] {preflight, read}) {
            assertThat(response.headers().map().keySet())
                    .noneMatch(name -> name.toLowerCase().startsWith("access-control-allow"));
        }
    }

    @Test
    void deeplyNestedJsonAndGzipBodiesAreRefusedAndNothingIsStored() throws Exception {
        int before = events();
        Webhooks webhooks = new Webhooks(port);
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        HttpResponse<String> nested = webhooks.postSigned("lead-intake", LEAD_SECRET, deep);
        assertThat(nested.statusCode()).isEqualTo(400);
        assertThat(nested.body()).doesNotContain("\tat ");

        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(("{\"submissionId\":\"gz-1\",\"email\":\"" + "a".repeat(30_000) + "@b.co\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        String id = "msg_gzip";
        long now = Instant.now().getEpochSecond();
        String latin = new String(zipped.toByteArray(), StandardCharsets.ISO_8859_1);
        HttpResponse<String> gzipped = webhooks.send(HttpRequest.newBuilder(
                        client.uri("/webhooks/lead-intake"))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", Webhooks.sign(LEAD_SECRET, id, now, latin))
                .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())));
        assertThat(gzipped.statusCode()).as("the compressed bytes are not inflated").isIn(400, 401, 415);
        assertThat(events()).isEqualTo(before);
    }

    @Test
    void pathTricksOnTheWebhookPrefixReachNothing() throws Exception {
        for (String path : new String[] {"/webhooks/lead-intake/../../api/events", "/webhooks/%2e%2e/api/events",
                "/webhooks//lead-intake", "/webhooks/lead-intake;jsessionid=x", "/webhooks/lead-intake%2F..%2Fprobe",
                "/webhooks/"}) {
            try (TestSockets.Client raw = TestSockets.from("127.0.0.4", port)) {
                int status = raw.post(path, Map.of("Content-Type", "application/json",
                        "Authorization", basic("viewer", "viewer-test-password")), "{}".getBytes(StandardCharsets.UTF_8));
                assertThat(status).as(path).isBetween(400, 499);
            }
        }
    }

    private String session() {
        return client.cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    private int events() {
        return jdbc.queryForObject("select count(*) from event", Integer.class);
    }
}

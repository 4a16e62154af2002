package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.alerting.Alerts;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.sandbox.SandboxClient;
import io.switchboard.sandbox.SandboxTraffic;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * customer-lookup against the sandbox: both systems asked in parallel, a partial answer
 * marked degraded within the 2 s budget when one is down or slow, 404 for an address
 * neither knows, and a circuit breaker that stops asking a failing system.
 */
@SwitchboardTest
class CustomerLookupTest {

    /** Billing's seeded customer cus_002; the tests give it a CRM contact too. */
    static final String KNOWN = "accounts@difference-works.example";
    static final String VIEWER = SandboxClient.basic("viewer", "viewer-test-password");
    static final long BUDGET_MS = 2000;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RecordingAlertSink alertSink;

    @Autowired
    Alerts alerts;

    @Autowired
    SandboxTraffic traffic;

    @Autowired
    CamelContext camel;

    private final ObjectMapper json = new ObjectMapper();
    private SandboxClient sandbox;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new SandboxClient(port);
        sandbox.clearFaults();
        contact(KNOWN, "Charles", "Babbage");
    }

    @AfterEach
    void tearDown() throws Exception {
        sandbox.clearFaults();
        // A breaker a test opened closes again before the next test (half-open after 1 s here).
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300))
                .until(() -> !json.readTree(lookup(KNOWN).body()).path("degraded").asBoolean(true));
    }

    @Test
    void knownCustomerGetsContactAndBillingStatusTogether() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = lookup(KNOWN.toUpperCase());
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("email").asText()).isEqualTo(KNOWN);
        assertThat(answer.get("contact").get("firstName").asText()).isEqualTo("Charles");
        assertThat(answer.get("billing").get("customerId").asText()).isEqualTo("cus_002");
        assertThat(answer.get("billing").get("status").asText()).isEqualTo("active");
        assertThat(answer.get("billing").has("openInvoices")).isTrue();
        assertThat(answer.get("degraded").asBoolean()).isFalse();
        assertThat(answer.get("missing")).isEmpty();
        assertThat(tookMs).isLessThan(BUDGET_MS);
        // The caller's credentials never come back as response headers.
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
    }

    @Test
    void onlyViewersMayLookUp() throws Exception {
        assertThat(sandbox.get("/api/integrations/customer-lookup/" + KNOWN).statusCode()).isEqualTo(401);
        assertThat(sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "Authorization",
                SandboxClient.basic("viewer", "wrong")).statusCode()).isEqualTo(401);
        assertThat(lookup(KNOWN).statusCode()).isEqualTo(200);
    }

    @Test
    void addressOnlyTheCrmKnowsIsAFullAnswerWithoutBilling() throws Exception {
        String email = "crm-only-" + UUID.randomUUID() + "@example.com";
        contact(email, "Grace", "Hopper");

        JsonNode answer = json.readTree(lookup(email).body());

        assertThat(answer.get("contact").get("lastName").asText()).isEqualTo("Hopper");
        assertThat(answer.get("billing").isNull()).isTrue();
        assertThat(answer.get("degraded").asBoolean()).isFalse();
    }

    @Test
    void addressNeitherSystemKnowsIsNotFound() throws Exception {
        String email = "nobody-" + UUID.randomUUID() + "@example.com";

        HttpResponse<String> response = lookup(email);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(404);
        assertThat(problem.get("detail").asText()).contains(email);
    }

    @Test
    void apiKeyClientGetsSeveralLookupsOnOneKeptAliveConnection() throws Exception {
        // Each answer must be complete and framed (length or chunks), or the connection is
        // cut off under the client; three lookups in a row on one socket prove it.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write(("GET /api/integrations/customer-lookup/" + KNOWN + " HTTP/1.1\r\n"
                        + "Host: localhost\r\nX-Api-Key: scraper-test-key\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as("lookup " + (i + 1)).startsWith("HTTP/1.1 200");
                boolean chunked = false;
                int length = -1;
                for (String header = in.readLine(); !header.isEmpty(); header = in.readLine()) {
                    chunked |= header.equalsIgnoreCase("Transfer-Encoding: chunked");
                    if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                StringBuilder body = new StringBuilder();
                if (chunked) {
                    for (String size = in.readLine(); !size.equals("0"); size = in.readLine()) {
                        char[] chunk = new char[Integer.parseInt(size.trim(), 16)];
                        for (int read = 0; read < chunk.length; ) {
                            read += in.read(chunk, read, chunk.length - read);
                        }
                        body.append(chunk);
                        in.readLine();
                    }
                    assertThat(in.readLine()).isEmpty();
                } else {
                    assertThat(length).as("a framed answer").isPositive();
                    char[] all = new char[length];
                    for (int read = 0; read < length; ) {
                        read += in.read(all, read, length - read);
                    }
                    body.append(all);
                }
                assertThat(json.readTree(body.toString()).get("email").asText()).isEqualTo(KNOWN);
            }
        }
    }

    @Test
    void anApiKeyCallIsAnsweredLikeASignedInOneWithTheSameSecurityHeaders() throws Exception {
        String unknown = "nobody-" + UUID.randomUUID() + "@example.com";
        for (String email : new String[] {KNOWN, unknown, "not-an-address"}) {
            HttpResponse<String> signedIn = lookup(email);
            HttpResponse<String> withKey = sandbox.get("/api/integrations/customer-lookup/" + email, "X-Api-Key",
                    "scraper-test-key");
            assertThat(withKey.statusCode()).as(email + ": " + withKey.body()).isEqualTo(signedIn.statusCode());
            assertThat(withKey.headers().firstValue("Content-Type"))
                    .isEqualTo(signedIn.headers().firstValue("Content-Type"));
            JsonNode keyed = json.readTree(withKey.body());
            JsonNode session = json.readTree(signedIn.body());
            assertThat(keyed.path("email")).isEqualTo(session.path("email"));
            assertThat(keyed.path("contact")).isEqualTo(session.path("contact"));
            assertThat(keyed.path("billing")).isEqualTo(session.path("billing"));
            assertThat(keyed.path("status")).isEqualTo(session.path("status"));
            for (String header : new String[] {"X-Content-Type-Options", "Cache-Control", "X-Frame-Options",
                    "Referrer-Policy", "X-XSS-Protection"}) {
                assertThat(withKey.headers().firstValue(header)).as(header).isPresent()
                        .isEqualTo(signedIn.headers().firstValue(header));
            }
        }
        HttpResponse<String> bearer = sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "Authorization",
                "Bearer scraper-test-key");
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(json.readTree(bearer.body()).get("email").asText()).isEqualTo(KNOWN);
    }

    @Test
    void aWrongApiKeyIsRefusedAndNeverReachesTheSystems() throws Exception {
        long callsBefore = crmLookups();
        HttpResponse<String> refused = sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "X-Api-Key",
                "not-the-key");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).doesNotContain("Charles").contains("API key");
        HttpResponse<String> empty = sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "X-Api-Key", "");
        assertThat(empty.statusCode()).as("an empty key is no key: the chain asks for a login").isEqualTo(401);
        assertThat(crmLookups()).as("no call reached the CRM").isEqualTo(callsBefore);
    }

    @Test
    void thePlatformsOwnPathsBelowTheIntegrationAndOddSegmentsStayWithTheSecuredChain() throws Exception {
        HttpResponse<String> drills = sandbox.get("/api/integrations/customer-lookup/drills", "X-Api-Key",
                "scraper-test-key");
        assertThat(drills.statusCode()).isIn(200, 404);
        assertThat(drills.body()).as("the drills controller, not a lookup of 'drills'").doesNotContain("\"missing\"");
        HttpResponse<String> encodedSlash = sandbox.get("/api/integrations/customer-lookup/a%2Fb@example.com",
                "X-Api-Key", "scraper-test-key");
        assertThat(encodedSlash.statusCode()).as("refused by the chain's firewall").isEqualTo(400);
        HttpResponse<String> encodedLineBreak = sandbox.get("/api/integrations/customer-lookup/a%0d%0ab@example.com",
                "X-Api-Key", "scraper-test-key");
        assertThat(encodedLineBreak.statusCode()).as("refused by the chain's firewall").isEqualTo(400);
    }

    @Test
    void aStoppedRouteIsNotAnsweredBehindTheOperatorsBack() throws Exception {
        var routes = camel.getRouteController();
        routes.stopRoute("customer-lookup");
        try {
            HttpResponse<String> stopped = sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "X-Api-Key",
                    "scraper-test-key");
            assertThat(stopped.statusCode()).as("the chain answers a stopped route: no lookup").isNotEqualTo(200);
            assertThat(stopped.body()).doesNotContain("Charles");
        } finally {
            routes.startRoute("customer-lookup");
        }
        assertThat(sandbox.get("/api/integrations/customer-lookup/" + KNOWN, "X-Api-Key", "scraper-test-key")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void theWritingGuideShowsThisRouteWordForWord() throws Exception {
        String guide = Files.readString(Path.of("src/docs/writing-integrations.md"));
        String route = Files.readString(Path.of("routes/customer-lookup.camel.yaml"));
        assertThat(guide).contains(route.substring(route.indexOf("- route:")).strip());
    }

    /** Contact lookups the sandbox's CRM has answered (its request log). */
    private long crmLookups() {
        return traffic.since(Instant.EPOCH).stream()
                .filter(call -> "crm".equals(call.system()) && "GET".equals(call.method())
                        && call.path().endsWith("/contacts"))
                .count();
    }

    @Test
    void percentEncodedAddressIsLookedUpLikeThePlainOne() throws Exception {
        String email = "crm+only-" + UUID.randomUUID() + "@example.com";
        contact(email, "Grace", "Hopper");

        HttpResponse<String> response = lookup(email.replace("@", "%40"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("email").asText()).isEqualTo(email);
    }

    @Test
    void somethingThatIsNotAnAddressIsABadRequest() throws Exception {
        HttpResponse<String> response = lookup("not-an-address");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("title").asText()).isEqualTo("Not an e-mail address");
    }

    @Test
    void billingDownGivesADegradedAnswerNamingWhatIsMissingAndWhy() throws Exception {
        sandbox.fault("{\"system\":\"billing\",\"status\":503,\"count\":1}");

        long started = System.nanoTime();
        HttpResponse<String> response = lookup(KNOWN);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("degraded").asBoolean()).isTrue();
        assertThat(answer.get("missing")).extracting(JsonNode::asText).containsExactly("billing");
        assertThat(answer.get("reasons").get("billing").asText()).startsWith("transient").contains("503");
        assertThat(answer.get("contact").get("firstName").asText()).isEqualTo("Charles");
        assertThat(answer.get("billing").isNull()).isTrue();
        assertThat(tookMs).isLessThan(BUDGET_MS);
        // A lookup that fell back parks nothing: there is nothing to replay.
        assertThat(jdbc.queryForObject("select count(*) from dead_letter where integration = 'customer-lookup'",
                Integer.class)).isZero();
    }

    @Test
    void slowBillingIsCutOffAndTheAnswerStillComesWithinTwoSeconds() throws Exception {
        sandbox.fault("{\"system\":\"billing\",\"delayMs\":5000,\"count\":1}");

        long started = System.nanoTime();
        HttpResponse<String> response = lookup(KNOWN);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMs).isLessThan(BUDGET_MS);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("degraded").asBoolean()).isTrue();
        assertThat(answer.get("missing")).extracting(JsonNode::asText).containsExactly("billing");
        assertThat(answer.get("reasons").get("billing").asText()).startsWith("timeout");
        assertThat(answer.get("contact").get("firstName").asText()).isEqualTo("Charles");
    }

    @Test
    void bothSystemsDownIsServiceUnavailable() throws Exception {
        sandbox.fault("{\"system\":\"billing\",\"status\":503,\"count\":1}");
        sandbox.fault("{\"system\":\"crm\",\"status\":503,\"count\":1}");

        HttpResponse<String> response = lookup(KNOWN);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("missing")).extracting(JsonNode::asText).containsExactly("crm", "billing");
    }

    @Test
    void repeatedFailuresOpenTheBreakerSoBillingIsNoLongerAskedAndAnswersComeAtOnce() throws Exception {
        sandbox.fault("{\"system\":\"billing\",\"status\":503,\"count\":50}");
        for (int i = 0; i < 5; i++) {
            assertThat(json.readTree(lookup(KNOWN).body()).get("reasons").get("billing").asText())
                    .startsWith("transient");
        }
        int faultsLeft = faultsLeft("billing");

        long started = System.nanoTime();
        JsonNode answer = json.readTree(lookup(KNOWN).body());
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer.get("degraded").asBoolean()).isTrue();
        assertThat(answer.get("reasons").get("billing").asText()).startsWith("circuit-open");
        assertThat(faultsLeft("billing")).as("billing was not called").isEqualTo(faultsLeft);
        assertThat(tookMs).isLessThan(500);
        assertThat(answer.get("contact").get("firstName").asText()).isEqualTo("Charles");
    }

    @Test
    void revokedCrmClientIsMissingAsCredentialsWithOneAlert() throws Exception {
        String alert = "connection:crm:credentials-rejected";
        alerts.syncActiveKeys();
        alerts.resolve(alert);
        int before = alertSink.raised(alert).size();
        sandbox.fault("{\"system\":\"crm\",\"revokeClient\":true}");

        for (int i = 0; i < 3; i++) {
            JsonNode answer = json.readTree(lookup(KNOWN).body());
            assertThat(answer.get("missing")).extracting(JsonNode::asText).containsExactly("crm");
            assertThat(answer.get("reasons").get("crm").asText()).startsWith("credentials");
            assertThat(answer.get("billing").get("customerId").asText()).isEqualTo("cus_002");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == before + 1);
    }

    @Test
    void missingScopeIsMissingAsPermission() throws Exception {
        String alert = "connection:crm:permission-denied";
        alerts.syncActiveKeys();
        alerts.resolve(alert);
        int before = alertSink.raised(alert).size();
        sandbox.fault("{\"system\":\"crm\",\"status\":403,\"scope\":\"contacts:read\",\"count\":1}");

        JsonNode answer = json.readTree(lookup(KNOWN).body());

        assertThat(answer.get("missing")).extracting(JsonNode::asText).containsExactly("crm");
        assertThat(answer.get("reasons").get("crm").asText()).startsWith("permission").contains("contacts:read");
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == before + 1);
    }

    // --- helpers

    private HttpResponse<String> lookup(String email) throws Exception {
        return sandbox.get("/api/integrations/customer-lookup/" + email, "Authorization", VIEWER);
    }

    private void contact(String email, String firstName, String lastName) throws Exception {
        String token = "Bearer " + sandbox.token("contacts:write");
        HttpResponse<String> response = sandbox.post("/sandbox/crm/contacts", "{\"email\":\"" + email
                + "\",\"firstName\":\"" + firstName + "\",\"lastName\":\"" + lastName + "\"}", "Authorization", token);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
    }

    private int faultsLeft(String system) {
        Integer left = jdbc.queryForObject("select coalesce(sum(remaining), 0) from sandbox_fault where target_system = ?",
                Integer.class, system);
        return left == null ? 0 : left;
    }
}

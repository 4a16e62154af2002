package io.switchboard.sandbox;

import static io.switchboard.sandbox.SandboxClient.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** The simulated systems answer like the real ones: their own credentials, scopes, limits, faults and state. */
@SwitchboardTest
class SandboxTest {

    static final String MAIL_KEY = "test-mail-api-key";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final ObjectMapper json = new ObjectMapper();
    private SandboxClient sandbox;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new SandboxClient(port);
        sandbox.clearFaults();
    }

    @AfterEach
    void tearDown() throws Exception {
        sandbox.clearFaults();
    }

    @Test
    void crmNeedsATokenAndEnforcesItsScopes() throws Exception {
        HttpResponse<String> anonymous = sandbox.get("/sandbox/crm/contacts");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        String readOnly = "Bearer " + sandbox.token("contacts:read");
        assertThat(sandbox.get("/sandbox/crm/contacts", "Authorization", readOnly).statusCode()).isEqualTo(200);
        HttpResponse<String> write = sandbox.post("/sandbox/crm/contacts", "{\"email\":\"scope@example.com\"}",
                "Authorization", readOnly);
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(json.readTree(write.body()).get("scope").asText()).isEqualTo("contacts:write");
        assertThat(write.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("insufficient_scope").contains("scope=\"contacts:write\""));
    }

    @Test
    void tokenEndpointRefusesAWrongSecretAndUnknownScopes() throws Exception {
        HttpResponse<String> wrong = sandbox.tokenRequest(SandboxClient.CRM_CLIENT, "not-the-secret", null);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(json.readTree(wrong.body()).get("error").asText()).isEqualTo("invalid_client");
        HttpResponse<String> scope = sandbox.tokenRequest(SandboxClient.CRM_CLIENT, SandboxClient.CRM_SECRET, "admin:all");
        assertThat(json.readTree(scope.body()).get("error").asText()).isEqualTo("invalid_scope");
        HttpResponse<String> granted = sandbox.tokenRequest(SandboxClient.CRM_CLIENT, SandboxClient.CRM_SECRET,
                "contacts:read tasks:write");
        JsonNode token = json.readTree(granted.body());
        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.get("expires_in").asLong()).isEqualTo(300);
        assertThat(token.get("scope").asText()).isEqualTo("contacts:read tasks:write");
        assertThat(granted.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void contactsAreUpsertedByEmailAndFoundByEmail() throws Exception {
        String token = "Bearer " + sandbox.token("contacts:read contacts:write");
        String email = "upsert-" + UUID.randomUUID() + "@example.com";
        HttpResponse<String> created = sandbox.post("/sandbox/crm/contacts",
                "{\"email\":\"" + email.toUpperCase() + "\",\"firstName\":\"Ada\"}", "Authorization", token);
        HttpResponse<String> updated = sandbox.post("/sandbox/crm/contacts",
                "{\"email\":\"" + email + "\",\"company\":\"Analytical Engines\"}", "Authorization", token);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json.readTree(updated.body()).get("id")).isEqualTo(json.readTree(created.body()).get("id"));

        JsonNode found = json.readTree(sandbox.get("/sandbox/crm/contacts?email=" + email, "Authorization", token).body());
        assertThat(found.isArray()).isTrue();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("firstName").asText()).isEqualTo("Ada");
        assertThat(found.get(0).get("company").asText()).isEqualTo("Analytical Engines");
        assertThat(found.get(0).get("ownerId").asText()).startsWith("u_");
        // The state is in the database, so it outlives the server process.
        assertThat(jdbc.queryForObject("select count(*) from sandbox_crm_contact where email = ?", Integer.class, email))
                .isOne();

        HttpResponse<String> invalid = sandbox.post("/sandbox/crm/contacts", "{\"email\":\"not-an-address\"}",
                "Authorization", token);
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("invalid_email");
    }

    @Test
    void tasksGoToActiveRepsOnlyAndRepeatWithAnIdempotencyKeyOnce() throws Exception {
        String token = "Bearer " + sandbox.token("tasks:read tasks:write users:read");
        JsonNode users = json.readTree(sandbox.get("/sandbox/crm/users", "Authorization", token).body());
        assertThat(users).hasSizeGreaterThanOrEqualTo(3);
        List<JsonNode> inactive = new ArrayList<>();
        users.forEach(u -> {
            if (!u.get("active").asBoolean()) {
                inactive.add(u);
            }
        });
        assertThat(inactive).hasSize(1);

        HttpResponse<String> refused = sandbox.post("/sandbox/crm/tasks", "{\"ownerId\":\"" + inactive.get(0).get("id")
                .asText() + "\",\"title\":\"Call back\"}", "Authorization", token);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("owner_inactive");

        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = sandbox.post("/sandbox/crm/tasks", "{\"ownerId\":\"u_ada\",\"title\":\"Call back\"}",
                "Authorization", token, "Idempotency-Key", key);
        HttpResponse<String> again = sandbox.post("/sandbox/crm/tasks", "{\"ownerId\":\"u_ada\",\"title\":\"Call back\"}",
                "Authorization", token, "Idempotency-Key", key);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json.readTree(again.body()).get("id")).isEqualTo(json.readTree(first.body()).get("id"));
    }

    @Test
    void crmInvoicesAreUpsertedByInvoiceIdAndIgnoreOlderVersions() throws Exception {
        String token = "Bearer " + sandbox.token("invoices:read invoices:write");
        String id = "inv_" + UUID.randomUUID();
        assertThat(sandbox.post("/sandbox/crm/invoices", "{\"invoiceId\":\"" + id + "\",\"status\":\"paid\",\"version\":2}",
                "Authorization", token).statusCode()).isEqualTo(201);
        HttpResponse<String> stale = sandbox.post("/sandbox/crm/invoices",
                "{\"invoiceId\":\"" + id + "\",\"status\":\"open\",\"version\":1}", "Authorization", token);
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(json.readTree(stale.body()).get("status").asText()).isEqualTo("paid");
    }

    @Test
    void everyListAnswersTheServersAdminAsAJsonArray() throws Exception {
        for (String path : new String[] {"/sandbox/crm/contacts", "/sandbox/crm/tasks", "/sandbox/crm/users",
                "/sandbox/crm/invoices", "/sandbox/mail/messages", "/sandbox/billing/customers",
                "/sandbox/billing/invoices", "/sandbox/chat/messages"}) {
            HttpResponse<String> response = sandbox.get(path, "Authorization", ADMIN);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(json.readTree(response.body()).isArray()).as(path).isTrue();
            assertThat(sandbox.get(path).statusCode()).as(path + " anonymous").isIn(401, 403);
        }
        assertThat(sandbox.get("/sandbox/crm/contacts", "Authorization", SandboxClient.basic("admin", "wrong"))
                .statusCode()).isEqualTo(401);
        assertThat(sandbox.get("/sandbox/crm/users", "Authorization",
                SandboxClient.basic("viewer", "viewer-test-password")).statusCode()).isEqualTo(401);
    }

    @Test
    void mailNeedsItsApiKeyAndKeepsAnOutbox() throws Exception {
        String to = "mail-" + UUID.randomUUID() + "@example.com";
        String message = "{\"to\":\"" + to + "\",\"subject\":\"Welcome\",\"text\":\"Hello\"}";
        HttpResponse<String> missing = sandbox.post("/sandbox/mail/messages", message);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing_api_key").contains("X-Mail-Api-Key");
        assertThat(sandbox.post("/sandbox/mail/messages", message, "X-Mail-Api-Key", "wrong").body())
                .contains("invalid_api_key");

        assertThat(sandbox.post("/sandbox/mail/messages", message, "X-Mail-Api-Key", MAIL_KEY).statusCode())
                .isEqualTo(202);
        JsonNode outbox = json.readTree(sandbox.get("/sandbox/mail/messages?to=" + to, "X-Mail-Api-Key", MAIL_KEY).body());
        assertThat(outbox).hasSize(1);
        assertThat(outbox.get(0).get("subject").asText()).isEqualTo("Welcome");
    }

    @Test
    void chatWebhookTakesSlackStyleMessagesWithTheTokenInTheUrl() throws Exception {
        String text = "New lead " + UUID.randomUUID();
        HttpResponse<String> wrong = sandbox.post("/sandbox/chat/messages/not-the-token", "{\"text\":\"x\"}");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("invalid_token");

        HttpResponse<String> posted = sandbox.post("/sandbox/chat/messages/test-chat-token", "{\"text\":\"" + text + "\"}");
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).isEqualTo("ok");
        assertThat(sandbox.get("/sandbox/chat/messages/test-chat-token").body()).contains(text);
        assertThat(sandbox.get("/sandbox/chat/messages", "Authorization", ADMIN).body()).contains(text);
    }

    @Test
    void invoicesChangedWithinOneMillisecondArePagedWithoutRepeats() throws Exception {
        // One bulk update in billing's database: 25 invoices a microsecond apart, in the past so
        // no watermark sync of the shared context reads them.
        Instant bulkUpdate = Instant.parse("2001-01-01T00:00:00.000100Z");
        jdbc.batchUpdate("insert into sandbox_billing_invoice (id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, issued_at, updated_at) values (?, 'cus_001', 1000, 'EUR', 'open', 1, ?, ?)",
                IntStream.rangeClosed(1, 25).mapToObj(g -> new Object[] {String.format("inv_same_ms_%02d", g),
                        Timestamp.from(bulkUpdate), Timestamp.from(bulkUpdate.plusNanos(g * 1_000L))}).toList());
        try {
            Set<String> ours = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                HttpResponse<String> page = sandbox.get("/sandbox/billing/invoices?limit=10&api_key=test-billing-api-key"
                        + "&updatedSince=2001-01-01T00:00:00Z" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.statusCode()).isEqualTo(200);
                json.readTree(page.body()).forEach(invoice -> {
                    String id = invoice.get("id").asText();
                    if (id.startsWith("inv_same_ms_")) {
                        assertThat(ours.add(id)).as("%s on two pages", id).isTrue();
                    }
                });
                cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
                pages++;
            } while (cursor != null && pages < 1000);
            assertThat(ours).hasSize(25);
        } finally {
            jdbc.update("delete from sandbox_billing_invoice where id like 'inv_same_ms_%'");
        }
    }

    @Test
    void billingInvoicesArePagedWithACursorWithoutGapsOrRepeats() throws Exception {
        assertThat(sandbox.post("/sandbox/billing/seed", "{\"invoices\":25}").statusCode()).isIn(401, 403);
        assertThat(sandbox.post("/sandbox/billing/seed", "{\"invoices\":25}", "Authorization", ADMIN).statusCode())
                .isEqualTo(201);
        int total = jdbc.queryForObject("select count(*) from sandbox_billing_invoice", Integer.class);

        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> page = sandbox.get("/sandbox/billing/invoices?limit=10&api_key=test-billing-api-key"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.statusCode()).isEqualTo(200);
            json.readTree(page.body()).forEach(invoice -> assertThat(seen.add(invoice.get("id").asText())).isTrue());
            cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(seen.size()).isGreaterThanOrEqualTo(total);
        assertThat(sandbox.get("/sandbox/billing/invoices").statusCode()).isEqualTo(401);
        assertThat(sandbox.get("/sandbox/billing/invoices?api_key=test-billing-api-key&updatedSince=yesterday")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void billingInvoicesChangeOverTimeSoASyncAlwaysHasWork() throws Exception {
        jdbc.update("update sandbox_billing_invoice set updated_at = updated_at - interval '2' hour");
        String since = Instant.now().minus(Duration.ofMinutes(5)).toString();
        JsonNode changed = json.readTree(sandbox.get("/sandbox/billing/invoices?api_key=test-billing-api-key"
                + "&updatedSince=" + since).body());
        assertThat(changed.size()).isBetween(1, 2);
        JsonNode customer = json.readTree(sandbox.get("/sandbox/billing/customers/" + changed.get(0).get("customerId")
                .asText() + "?api_key=test-billing-api-key").body());
        assertThat(customer.get("status").asText()).isNotBlank();
        assertThat(sandbox.get("/sandbox/billing/customers/cus_none?api_key=test-billing-api-key").statusCode())
                .isEqualTo(404);
    }

    @Test
    void faultsAreForAdminsAndHitExactlyTheNextCalls() throws Exception {
        String fault = "{\"system\":\"mail\",\"status\":503,\"count\":2,\"retryAfter\":2}";
        assertThat(sandbox.post("/sandbox/faults", fault).statusCode()).isIn(401, 403);
        assertThat(sandbox.post("/sandbox/faults", fault, "Authorization",
                SandboxClient.basic("operator", "operator-test-password")).statusCode()).isEqualTo(403);
        sandbox.fault(fault);

        String message = "{\"to\":\"fault@example.com\",\"text\":\"x\"}";
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> failed = sandbox.post("/sandbox/mail/messages", message, "X-Mail-Api-Key", MAIL_KEY);
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(failed.headers().firstValue("Retry-After")).hasValue("2");
        }
        assertThat(sandbox.post("/sandbox/mail/messages", message, "X-Mail-Api-Key", MAIL_KEY).statusCode())
                .isEqualTo(202);

        sandbox.fault("{\"system\":\"mail\",\"status\":500,\"count\":100}");
        sandbox.clearFaults();
        assertThat(sandbox.post("/sandbox/mail/messages", message, "X-Mail-Api-Key", MAIL_KEY).statusCode())
                .isEqualTo(202);
    }

    @Test
    void aFaultWithAMatchMeetsOnlyTheCallsThatMentionIt() throws Exception {
        sandbox.fault("{\"system\":\"mail\",\"status\":503,\"count\":1,\"match\":\"drill-abc\"}");

        String other = "{\"to\":\"someone@example.com\",\"text\":\"real traffic\"}";
        assertThat(sandbox.post("/sandbox/mail/messages", other, "X-Mail-Api-Key", MAIL_KEY).statusCode()).isEqualTo(202);
        String mine = "{\"to\":\"drill-abc@example.com\",\"text\":\"the drill's\"}";
        assertThat(sandbox.post("/sandbox/mail/messages", mine, "X-Mail-Api-Key", MAIL_KEY).statusCode()).isEqualTo(503);
        // Used up: the drill's next call passes, and the body the handler reads is the one sent.
        HttpResponse<String> again = sandbox.post("/sandbox/mail/messages", mine, "X-Mail-Api-Key", MAIL_KEY);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).contains("drill-abc@example.com");
    }

    @Test
    void slowFaultDelaysTheAnswer() throws Exception {
        sandbox.fault("{\"system\":\"chat\",\"delayMs\":700}");
        long started = System.nanoTime();
        assertThat(sandbox.post("/sandbox/chat/messages/test-chat-token", "{\"text\":\"slow\"}").statusCode())
                .isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    @Test
    void crmRateLimitAnswers429WithRetryAfter() throws Exception {
        String token = "Bearer " + sandbox.token("users:read");
        sandbox.fault("{\"system\":\"crm\",\"rateLimit\":2}");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = sandbox.get("/sandbox/crm/users", "Authorization", token);
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                limited = response;
            }
        }
        assertThat(statuses).contains(200, 429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        sandbox.clearFaults();
        assertThat(sandbox.get("/sandbox/crm/users", "Authorization", token).statusCode()).isEqualTo(200);
    }

    @Test
    void revokedClientGetsNoTokenAndItsTokensStopWorking() throws Exception {
        String token = "Bearer " + sandbox.token("users:read");
        sandbox.fault("{\"system\":\"crm\",\"revokeClient\":true}");
        assertThat(sandbox.get("/sandbox/crm/users", "Authorization", token).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = sandbox.tokenRequest(SandboxClient.CRM_CLIENT, SandboxClient.CRM_SECRET, null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("invalid_client");
        sandbox.clearFaults();
        assertThat(sandbox.get("/sandbox/crm/users", "Authorization", "Bearer " + sandbox.token("users:read"))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        String token = "Bearer " + sandbox.token("users:read");
        sandbox.fault("{\"system\":\"crm\",\"expireTokens\":true}");
        HttpResponse<String> expired = sandbox.get("/sandbox/crm/users", "Authorization", token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("invalid_token").contains("expired"));
    }
}

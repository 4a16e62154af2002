package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The sandbox CRM's batch upsert ({@code POST /sandbox/crm/invoices/batch}): up to 200
 * invoices in one call and one transaction, with the single upsert's rules, scope, injected
 * faults and rate limit, the batch counting as one call.
 */
@SwitchboardTest
class CrmBatchUpsertTest {

    static final String BATCH = "/sandbox/crm/invoices/batch";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final ObjectMapper json = new ObjectMapper();
    private SandboxClient sandbox;
    private String token;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new SandboxClient(port);
        sandbox.clearFaults();
        token = "Bearer " + sandbox.token("invoices:read invoices:write");
    }

    @AfterEach
    void tearDown() throws Exception {
        sandbox.clearFaults();
    }

    @Test
    void oneBatchCallStoresEveryInvoiceOfTheBatch() throws Exception {
        String prefix = prefix();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < CrmController.BATCH_LIMIT; i++) {
            inputs.add(invoice(prefix + i, 1, "open", 100L * i));
        }

        HttpResponse<String> answer = post(inputs);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = json.readTree(answer.body());
        assertThat(body.get("created").asInt()).isEqualTo(CrmController.BATCH_LIMIT);
        assertThat(body.get("results")).hasSize(CrmController.BATCH_LIMIT);
        assertThat(body.get("results").get(7).get("outcome").asText()).isEqualTo("created");
        assertThat(body.get("results").get(7).get("invoice").get("invoiceId").asText()).isEqualTo(prefix + 7);
        assertThat(stored(prefix)).isEqualTo(CrmController.BATCH_LIMIT);
        Map<String, Object> seventh = jdbc.queryForMap("select * from sandbox_crm_invoice where invoice_id = ?",
                prefix + 7);
        assertThat(seventh).containsEntry("amount_cents", 700L).containsEntry("invoice_status", "open")
                .containsEntry("invoice_version", 1).containsEntry("currency", "EUR").containsEntry("customer_id", "cus_001");
        assertThat(jdbc.queryForObject("select source_updated_at from sandbox_crm_invoice where invoice_id = ?",
                Timestamp.class, prefix + 7).toInstant()).isEqualTo(Instant.parse("2025-01-02T10:00:00Z"));
    }

    @Test
    void sameVersionTwiceIsStoredOnceAndAnOlderVersionNeverOverwritesANewerOne() throws Exception {
        String prefix = prefix();
        String a = prefix + "a";
        String b = prefix + "b";
        assertThat(post(List.of(invoice(a, 2, "paid", 500))).statusCode()).isEqualTo(200);

        // An older A beside a new B: B is created, A keeps version 2.
        JsonNode mixed = json.readTree(post(List.of(invoice(a, 1, "open", 400), invoice(b, 1, "open", 300))).body());
        assertThat(mixed.get("results").get(0).get("outcome").asText()).isEqualTo("unchanged");
        assertThat(mixed.get("results").get(0).get("invoice").get("version").asInt()).isEqualTo(2);
        assertThat(mixed.get("results").get(1).get("outcome").asText()).isEqualTo("created");
        assertThat(mixed.get("unchanged").asInt()).isOne();
        assertThat(jdbc.queryForMap("select invoice_version, invoice_status, amount_cents from sandbox_crm_invoice "
                + "where invoice_id = ?", a)).containsEntry("invoice_version", 2).containsEntry("invoice_status", "paid")
                .containsEntry("amount_cents", 500L);

        // The same version again, and within one batch a newer then an older one: one row each, the newest kept.
        JsonNode again = json.readTree(post(List.of(invoice(a, 2, "paid", 500), invoice(b, 3, "void", 300),
                invoice(b, 2, "paid", 300))).body());
        assertThat(again.get("results").get(0).get("outcome").asText()).isEqualTo("updated");
        assertThat(again.get("results").get(2).get("outcome").asText()).isEqualTo("unchanged");
        assertThat(stored(prefix)).isEqualTo(2);
        assertThat(jdbc.queryForMap("select invoice_version, invoice_status from sandbox_crm_invoice where invoice_id = ?",
                b)).containsEntry("invoice_version", 3).containsEntry("invoice_status", "void");

        // The single upsert agrees: an older version changes nothing there either.
        HttpResponse<String> single = sandbox.post("/sandbox/crm/invoices", invoice(b, 1, "open", 1), "Authorization",
                token);
        assertThat(json.readTree(single.body()).get("version").asInt()).isEqualTo(3);
    }

    @Test
    void anInvalidInputRefusesTheWholeBatchBeforeAnythingIsWritten() throws Exception {
        String prefix = prefix();
        HttpResponse<String> missingId = post(List.of(invoice(prefix + "ok", 1, "open", 1),
                "{\"customerId\":\"cus_001\",\"version\":1}"));
        assertThat(missingId.statusCode()).isEqualTo(400);
        assertThat(json.readTree(missingId.body()).get("message").asText()).contains("inputs[1]");
        assertThat(stored(prefix)).isZero();

        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= CrmController.BATCH_LIMIT; i++) {
            tooMany.add(invoice(prefix + i, 1, "open", 1));
        }
        HttpResponse<String> tooLarge = post(tooMany);
        assertThat(tooLarge.statusCode()).isEqualTo(400);
        assertThat(json.readTree(tooLarge.body()).get("error").asText()).isEqualTo("batch_too_large");
        assertThat(stored(prefix)).isZero();
        assertThat(sandbox.post(BATCH, "{\"inputs\":[]}", "Authorization", token).statusCode()).isEqualTo(400);
    }

    @Test
    void batchUpsertNeedsTheInvoicesWriteScope() throws Exception {
        String readOnly = "Bearer " + sandbox.token("invoices:read");
        String prefix = prefix();
        HttpResponse<String> refused = sandbox.post(BATCH, "{\"inputs\":[" + invoice(prefix, 1, "open", 1) + "]}",
                "Authorization", readOnly);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json.readTree(refused.body()).get("scope").asText()).isEqualTo("invoices:write");
        assertThat(sandbox.post(BATCH, "{\"inputs\":[" + invoice(prefix, 1, "open", 1) + "]}").statusCode())
                .isEqualTo(401);
        assertThat(stored(prefix)).isZero();
    }

    @Test
    void aBatchCallTakesOneInjectedFaultAndOneRateLimitPermitWhateverItsSize() throws Exception {
        String prefix = prefix();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inputs.add(invoice(prefix + i, 1, "open", 1));
        }
        sandbox.fault("{\"system\":\"crm\",\"status\":503,\"count\":1}");
        assertThat(post(inputs).statusCode()).isEqualTo(503);
        assertThat(stored(prefix)).isZero();
        assertThat(post(inputs).statusCode()).isEqualTo(200);
        assertThat(stored(prefix)).isEqualTo(50);

        // One request a second: a batch of 50 is one request, the next call right after is one too many.
        sandbox.fault("{\"system\":\"crm\",\"rateLimit\":1}");
        assertThat(post(inputs).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = post(inputs);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    }

    private HttpResponse<String> post(List<String> inputs) throws Exception {
        return sandbox.post(BATCH, "{\"inputs\":[" + String.join(",", inputs) + "]}", "Authorization", token);
    }

    private int stored(String prefix) {
        return jdbc.queryForObject("select count(*) from sandbox_crm_invoice where invoice_id like ?", Integer.class,
                prefix + "%");
    }

    private static String prefix() {
        return "inv_batch_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    }

    private static String invoice(String id, int version, String status, long amountCents) {
        return "{\"invoiceId\":\"" + id + "\",\"customerId\":\"cus_001\",\"amountCents\":" + amountCents
                + ",\"currency\":\"EUR\",\"status\":\"" + status + "\",\"version\":" + version
                + ",\"sourceUpdatedAt\":\"2025-01-02T10:00:00Z\"}";
    }
}

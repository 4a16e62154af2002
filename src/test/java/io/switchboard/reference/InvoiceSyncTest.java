package io.switchboard.reference;

import static io.switchboard.sandbox.SandboxClient.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.alerting.AlertChecks;
import io.switchboard.alerting.Alerts;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.sandbox.SandboxClient;
import io.switchboard.schedule.Watermarks;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * invoice-sync against the sandbox: billing invoices changed since the watermark end up in
 * the CRM once per version, the watermark moves only past stored pages, and failures are
 * parked, alerted and read again on the next run. Runs are started through
 * {@code direct:invoice-sync}, the entry the Quartz trigger uses too.
 */
@SwitchboardTest
class InvoiceSyncTest {

    static final String SYNC = "invoice-sync";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CamelContext camel;

    @Autowired
    Watermarks watermarks;

    @Autowired
    RecordingAlertSink alertSink;

    @Autowired
    Alerts alerts;

    private final ObjectMapper json = new ObjectMapper();
    private SandboxClient sandbox;
    private ProducerTemplate template;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new SandboxClient(port);
        sandbox.clearFaults();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void tearDown() throws Exception {
        sandbox.clearFaults();
    }

    @Test
    void changedInvoicesReachTheCrmAndTheWatermarkMovesPastThem() throws Exception {
        Instant base = recently();
        String first = invoice(base.plusMillis(1), "paid", 1, 12_500, "EUR");
        String second = invoice(base.plusMillis(2), "void", 3, 990, "GBP");
        assertThat(watermarks.rewind(SYNC, base)).isTrue();

        Watermarks.RunRecord run = runSync();

        assertThat(run.status()).isEqualTo(Watermarks.OK);
        assertThat(run.records()).isGreaterThanOrEqualTo(2);
        assertThat(run.upserted()).isGreaterThanOrEqualTo(2);
        assertThat(crmInvoice(first)).containsEntry("invoice_status", "paid").containsEntry("invoice_version", 1)
                .containsEntry("amount_cents", 12_500L).containsEntry("currency", "EUR");
        assertThat(crmInvoice(second)).containsEntry("invoice_status", "void").containsEntry("invoice_version", 3)
                .containsEntry("currency", "GBP");
        assertThat(jdbc.queryForObject("select source_updated_at from sandbox_crm_invoice where invoice_id = ?",
                Timestamp.class, second).toInstant()).isEqualTo(base.plusMillis(2));
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isAfterOrEqualTo(base.plusMillis(2));
        assertThat(watermarks.state(SYNC).orElseThrow().runningRunId()).isNull();

        HttpResponse<String> runs = sandbox.get("/api/integrations/invoice-sync/runs",
                "Authorization", SandboxClient.basic("viewer", "viewer-test-password"));
        assertThat(runs.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(runs.body());
        assertThat(answer.get("runs").get(0).get("id").asText()).isEqualTo(run.id());
        assertThat(answer.get("runs").get(0).get("status").asText()).isEqualTo("OK");
        assertThat(answer.get("runs").get(0).get("pages").asInt()).isPositive();
        assertThat(answer.get("lastSuccessAt").isNull()).isFalse();
        assertThat(sandbox.get("/api/integrations/invoice-sync/runs").statusCode()).isEqualTo(401);
    }

    @Test
    void twentyThousandChangedInvoicesAllReachTheCrmExactlyOnce() throws Exception {
        Instant seededFrom = Instant.now().minusSeconds(20_001).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> seeded = sandbox.post("/sandbox/billing/seed", "{\"invoices\":20000}",
                "Authorization", ADMIN);
        assertThat(seeded.statusCode()).isEqualTo(201);
        assertThat(watermarks.rewind(SYNC, seededFrom)).isTrue();
        long started = System.nanoTime();

        Watermarks.RunRecord run = runSync();

        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        System.out.println("20000 invoices synced in " + seconds + " s: " + run);
        assertThat(run.status()).isEqualTo(Watermarks.OK);
        assertThat(run.pages()).isGreaterThanOrEqualTo(100);
        assertThat(run.upserted()).isGreaterThanOrEqualTo(20_000);
        assertThat(notInCrm(seededFrom)).isZero();
        Timestamp lastWrite = jdbc.queryForObject("select max(c.updated_at) from sandbox_crm_invoice c "
                + "join sandbox_billing_invoice b on b.id = c.invoice_id where b.updated_at >= ?", Timestamp.class,
                Timestamp.from(seededFrom));

        // Read again from the same watermark: every invoice version is known, none is written twice.
        assertThat(watermarks.rewind(SYNC, seededFrom)).isTrue();
        Watermarks.RunRecord again = runSync();
        assertThat(again.records()).isGreaterThanOrEqualTo(20_000);
        assertThat(again.upserted()).isLessThanOrEqualTo(2);
        assertThat(jdbc.queryForObject("select max(c.updated_at) from sandbox_crm_invoice c "
                + "join sandbox_billing_invoice b on b.id = c.invoice_id where b.updated_at >= ? and b.updated_at < ?",
                Timestamp.class, Timestamp.from(seededFrom), Timestamp.from(run.startedAt()))).isBeforeOrEqualTo(lastWrite);
    }

    // --- helpers

    private Watermarks.RunRecord runSync() {
        template.send("direct:invoice-sync", exchange -> { });
        return watermarks.runs(SYNC, 1).get(0);
    }

    /** A moment ago, so the sync window holds little besides this test's invoices. */
    private static Instant recently() {
        return Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
    }

    /** A billing invoice changed at {@code at}; not open, so the sandbox's own changes leave it alone. */
    private String invoice(Instant at, String status, int version, long amountCents, String currency) {
        String id = "inv_test_" + UUID.randomUUID().toString().substring(0, 12);
        jdbc.update("insert into sandbox_billing_invoice (id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, issued_at, updated_at) values (?, 'cus_001', ?, ?, ?, ?, ?, ?)", id, amountCents,
                currency, status, version, Timestamp.from(at.minusSeconds(3600)), Timestamp.from(at));
        return id;
    }

    private Map<String, Object> crmInvoice(String id) {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from sandbox_crm_invoice where invoice_id = ?", id);
        assertThat(rows).as("CRM invoice " + id).hasSize(1);
        return rows.get(0);
    }

    /** Billing invoices changed since {@code from} whose current version is not in the CRM. */
    private long notInCrm(Instant from) {
        return jdbc.queryForObject("select count(*) from sandbox_billing_invoice b left join sandbox_crm_invoice c "
                + "on c.invoice_id = b.id and c.invoice_version = b.invoice_version "
                + "where b.updated_at >= ? and c.invoice_id is null", Long.class, Timestamp.from(from));
    }
}

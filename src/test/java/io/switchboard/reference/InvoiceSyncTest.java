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

        // Runs are the sync's activity in its health: a sync that stops running shows as silent.
        JsonNode integrations = json.readTree(sandbox.get("/api/integrations",
                "Authorization", SandboxClient.basic("viewer", "viewer-test-password")).body());
        JsonNode health = null;
        for (JsonNode integration : integrations) {
            if (integration.get("id").asText().equals(SYNC)) {
                health = integration.get("health");
            }
        }
        assertThat(health).isNotNull();
        assertThat(health.get("lastSuccess").isNull()).isFalse();
        assertThat(health.get("sla").asText()).isEqualTo("ok");
    }

    @Test
    void invoicesSharingTheWatermarkInstantAreReadAgainButWrittenOncePerVersion() throws Exception {
        Instant at = recently();
        String first = invoice(at, "paid", 1, 1_000, "EUR");
        String second = invoice(at, "paid", 1, 2_000, "EUR");
        assertThat(watermarks.rewind(SYNC, at.minusMillis(1))).isTrue();
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        Timestamp firstWrite = crmWrittenAt(first);
        Timestamp secondWrite = crmWrittenAt(second);
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isAfterOrEqualTo(at);

        // The watermark may sit on their instant; the next run reads them again (inclusive) and skips them.
        assertThat(watermarks.rewind(SYNC, at)).isTrue();
        Watermarks.RunRecord again = runSync();
        assertThat(again.status()).isEqualTo(Watermarks.OK);
        assertThat(again.records()).isGreaterThanOrEqualTo(2);
        assertThat(crmWrittenAt(first)).isEqualTo(firstWrite);
        assertThat(crmWrittenAt(second)).isEqualTo(secondWrite);
        assertThat(idempotencyKeys(first)).isEqualTo(1);

        // A new version of one of them is a change (billing stamps it now): written once more.
        jdbc.update("update sandbox_billing_invoice set invoice_version = 2, invoice_status = 'void', updated_at = ? "
                + "where id = ?", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS)), first);
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmInvoice(first)).containsEntry("invoice_version", 2).containsEntry("invoice_status", "void");
        assertThat(crmWrittenAt(second)).isEqualTo(secondWrite);
        assertThat(idempotencyKeys(first)).isEqualTo(2);
    }

    @Test
    void malformedInvoiceStopsTheRunAsInvalidDataAndTheWatermarkStaysUntilItIsFixed() throws Exception {
        Instant base = recently();
        String good = invoice(base.plusMillis(1), "paid", 1, 500, "EUR");
        String malformed = invoice(base.plusMillis(2), "paid", 1, 700, "E");
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        int alertsBefore = alertSink.raised(deadLetterAlert()).size();
        resolve(deadLetterAlert());

        Watermarks.RunRecord failed = runSync();
        Watermarks.RunRecord failedAgain = runSync();

        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.error()).contains("invalid-data").contains(malformed).contains("currency");
        assertThat(failedAgain.status()).isEqualTo(Watermarks.FAILED);
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isEqualTo(base);
        assertThat(crmCount(good)).isZero();
        assertThat(crmCount(malformed)).isZero();
        List<Map<String, Object>> letters = jdbc.queryForList("select * from dead_letter where integration = ? "
                + "and status = 'PARKED' and exception_message like ?", SYNC, "%" + malformed + "%");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0)).containsEntry("category", "invalid-data").containsEntry("route_id", SYNC)
                .containsEntry("attempts", 2);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> alertSink.raised(deadLetterAlert()).size() == alertsBefore + 1);

        jdbc.update("update sandbox_billing_invoice set currency = 'EUR' where id = ?", malformed);
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmCount(good)).isOne();
        assertThat(crmInvoice(malformed)).containsEntry("currency", "EUR");
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isAfterOrEqualTo(base.plusMillis(2));
        discard(letters.get(0).get("id"));
    }

    @Test
    void billingRefusingTheApiKeyStopsTheRunAsCredentialsWithOneAlert() throws Exception {
        Instant base = recently();
        String waiting = invoice(base.plusMillis(1), "paid", 1, 500, "EUR");
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        String alert = "connection:billing:credentials-rejected";
        resolve(alert);
        int alertsBefore = alertSink.raised(alert).size();
        sandbox.fault("{\"system\":\"billing\",\"status\":401,\"count\":5}");

        Watermarks.RunRecord failed = runSync();
        Watermarks.RunRecord failedAgain = runSync();

        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.error()).startsWith("credentials");
        assertThat(failedAgain.status()).isEqualTo(Watermarks.FAILED);
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isEqualTo(base);
        assertThat(parkedSince(failed.startedAt())).extracting(l -> l.get("category")).containsOnly("credentials");
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == alertsBefore + 1);

        sandbox.clearFaults();
        await().atMost(Duration.ofSeconds(10)).until(() -> runSync().status().equals(Watermarks.OK));
        assertThat(crmCount(waiting)).isOne();
        await().atMost(Duration.ofSeconds(5)).until(() -> !alertSink.resolved(alert).isEmpty());
        discardParkedSince(failed.startedAt());
    }

    @Test
    void revokedCrmClientStopsTheRunAsCredentialsWithOneAlert() throws Exception {
        Instant base = recently();
        String waiting = invoice(base.plusMillis(1), "paid", 1, 500, "EUR");
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        String alert = "connection:crm:credentials-rejected";
        resolve(alert);
        int alertsBefore = alertSink.raised(alert).size();
        sandbox.fault("{\"system\":\"crm\",\"revokeClient\":true}");

        Watermarks.RunRecord failed = runSync();
        Watermarks.RunRecord failedAgain = runSync();

        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.error()).startsWith("credentials");
        assertThat(failedAgain.status()).isEqualTo(Watermarks.FAILED);
        assertThat(crmCount(waiting)).isZero();
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isEqualTo(base);
        assertThat(parkedSince(failed.startedAt())).extracting(l -> l.get("category")).containsOnly("credentials");
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == alertsBefore + 1);

        sandbox.clearFaults();
        await().atMost(Duration.ofSeconds(10)).until(() -> runSync().status().equals(Watermarks.OK));
        assertThat(crmCount(waiting)).isOne();
        discardParkedSince(failed.startedAt());
    }

    @Test
    void missingScopeStopsTheRunAsPermissionAndTheNextRunCarriesOn() throws Exception {
        Instant base = recently();
        String waiting = invoice(base.plusMillis(1), "paid", 1, 500, "EUR");
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        String alert = "connection:crm:permission-denied";
        resolve(alert);
        int alertsBefore = alertSink.raised(alert).size();
        sandbox.fault("{\"system\":\"crm\",\"status\":403,\"scope\":\"invoices:write\",\"count\":1}");

        Watermarks.RunRecord failed = runSync();

        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.error()).startsWith("permission").contains("invoices:write");
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isEqualTo(base);
        List<Map<String, Object>> parked = parkedSince(failed.startedAt());
        assertThat(parked).extracting(l -> l.get("category")).containsOnly("permission");
        assertThat(parked).extracting(l -> l.get("payload").toString()).anyMatch(p -> p.contains("invoiceId="));
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == alertsBefore + 1);

        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmCount(waiting)).isOne();
        await().atMost(Duration.ofSeconds(5)).until(() -> !alertSink.resolved(alert).isEmpty());
        discardParkedSince(failed.startedAt());
    }

    @Test
    void aRunNeverOverlapsTheOneStillGoing() {
        QuartzEndpoint trigger = (QuartzEndpoint) camel.getRoute("invoice-sync-schedule").getEndpoint();
        assertThat(trigger.isStateful()).as("Quartz runs a stateful job only once at a time").isTrue();
        assertThat(trigger.getCron()).isEqualTo(camel.resolvePropertyPlaceholders(
                "{{switchboard.integrations.invoice-sync.settings.cron}}"));

        runSync();
        // Another node (or a run that is still going) holds the claim.
        jdbc.update("update sync_watermark set run_id = 'held-elsewhere', leased_until = ? where integration = ?",
                Timestamp.from(Instant.now().plusSeconds(60)), SYNC);
        int runs = jdbc.queryForObject("select count(*) from sync_run where integration = ?", Integer.class, SYNC);
        template.send("direct:invoice-sync", exchange -> { });
        assertThat(jdbc.queryForObject("select count(*) from sync_run where integration = ?", Integer.class, SYNC))
                .isEqualTo(runs);

        // A claim whose lease ran out (its node died) is taken over, and that run is booked as abandoned.
        jdbc.update("update sync_watermark set leased_until = ? where integration = ?",
                Timestamp.from(Instant.now().minusSeconds(1)), SYNC);
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
    }

    @Test
    void nightlyCountCheckAlertsOnAMismatchAndResolvesWhenTheCountsAgree() throws Exception {
        String alert = InvoiceReconciliation.ALERT_KEY;
        resolve(alert);
        // Invoices written to the CRM by hand elsewhere are not billing's; the check would rightly flag them.
        jdbc.update("delete from sandbox_crm_invoice where invoice_id not in (select id from sandbox_billing_invoice)");
        assertThat(watermarks.rewind(SYNC, null)).isTrue();
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);

        InvoiceReconciliation.Result match = reconcile();
        assertThat(match.consistent()).as(match.detail()).isTrue();

        // Billing changes an invoice with a timestamp older than the watermark: the sync cannot see it.
        int raisedBefore = alertSink.raised(alert).size();
        String late = invoice(watermarks.state(SYNC).orElseThrow().watermark().minusSeconds(600), "paid", 1, 100, "EUR");
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmCount(late)).isZero();
        InvoiceReconciliation.Result mismatch = reconcile();
        assertThat(mismatch.consistent()).isFalse();
        assertThat(mismatch.detail()).contains("missing from the CRM");
        await().atMost(Duration.ofSeconds(5)).until(() -> alertSink.raised(alert).size() == raisedBefore + 1);
        assertThat(alerts.active()).extracting(a -> a.key()).contains(alert);

        // Set the watermark back before it: the next run brings it, and the next check resolves the alert.
        HttpResponse<String> rewound = sandbox.post("/api/integrations/invoice-sync/watermark",
                "{\"watermark\":\"" + Instant.now().minusSeconds(601 + 3600) + "\"}",
                "Authorization", SandboxClient.basic("operator", "operator-test-password"));
        assertThat(rewound.statusCode()).as(rewound.body()).isEqualTo(200);
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmCount(late)).isOne();
        assertThat(reconcile().consistent()).isTrue();
        assertThat(alerts.active()).extracting(a -> a.key()).doesNotContain(alert);
        await().atMost(Duration.ofSeconds(5)).until(() -> !alertSink.resolved(alert).isEmpty());
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

    private InvoiceReconciliation.Result reconcile() {
        return template.send("direct:invoice-sync-reconcile", exchange -> { }).getMessage()
                .getBody(InvoiceReconciliation.Result.class);
    }

    private Timestamp crmWrittenAt(String id) {
        return jdbc.queryForObject("select updated_at from sandbox_crm_invoice where invoice_id = ?", Timestamp.class, id);
    }

    private int crmCount(String id) {
        return jdbc.queryForObject("select count(*) from sandbox_crm_invoice where invoice_id = ?", Integer.class, id);
    }

    private int idempotencyKeys(String id) {
        return jdbc.queryForObject("select count(*) from camel_messageprocessed where processor_name = ? "
                + "and message_id like ?", Integer.class, SYNC, id + "@%");
    }

    private List<Map<String, Object>> parkedSince(Instant since) {
        return jdbc.queryForList("select * from dead_letter where integration = ? and status = 'PARKED' "
                + "and last_failed_at >= ?", SYNC, Timestamp.from(since));
    }

    /** Discards what a test parked, so the dead-letter alert of the next test starts afresh. */
    private void discardParkedSince(Instant since) {
        parkedSince(since).forEach(letter -> discard(letter.get("id")));
    }

    private void discard(Object letterId) {
        jdbc.update("update dead_letter set status = 'DISCARDED', resolved_at = ?, resolved_by = 'test' where id = ?",
                Timestamp.from(Instant.now()), letterId);
    }

    private static String deadLetterAlert() {
        return AlertChecks.deadLetterKey(SYNC);
    }

    /** Ends an outage a previous test may have left open, so this test's first occurrence is sent. */
    private void resolve(String alertKey) {
        alerts.syncActiveKeys();
        alerts.resolve(alertKey);
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

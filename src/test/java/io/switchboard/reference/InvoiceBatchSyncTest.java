package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.switchboard.SwitchboardTest;
import io.switchboard.reliability.IdempotencyKeys;
import io.switchboard.sandbox.SandboxClient;
import io.switchboard.schedule.Watermarks;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * invoice-sync sends a page's invoices to the CRM in batch upserts: every invoice of the
 * page stored in a call or a few, a failed call leaving the watermark before its page with
 * the next run completing it (nothing lost, nothing written twice), and a page read again
 * never putting an older version over a newer one. The CRM's calls are counted with a
 * delay-only fault of the sandbox, which each call to the CRM consumes once.
 */
@SwitchboardTest
class InvoiceBatchSyncTest {

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
    IdempotencyKeys keys;

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
    void aPageGoesToTheCrmInOneBatchCallAndEveryInvoiceOfItIsStored() throws Exception {
        Instant base = recently();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 150; i++) {
            ids.add(invoice(base.plusMillis(i), i % 3 + 1));
        }
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        sandbox.fault("{\"system\":\"crm\",\"delayMs\":1,\"count\":1000}");

        Watermarks.RunRecord run = runSync();

        assertThat(run.status()).isEqualTo(Watermarks.OK);
        int crmCalls = 1000 - crmFaultRemaining();
        // 150 invoices (and the few the sandbox changed meanwhile) in one call per page of 200, not one call each.
        assertThat(crmCalls).isBetween(1, run.pages());
        assertThat(run.upserted()).isGreaterThanOrEqualTo(150);
        for (String id : ids) {
            assertThat(inCrmAtBillingsVersion(id)).as(id).isTrue();
            assertThat(keysOf(id)).as("idempotency keys of " + id).isOne();
        }
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isAfterOrEqualTo(base.plusMillis(150));
    }

    @Test
    void aCrmFailureMidRunLeavesTheWatermarkBeforeTheFailedPageAndTheNextRunCompletesItWithNothingLostOrWrittenTwice()
            throws Exception {
        Instant base = recently();
        Map<String, Instant> changedAt = new HashMap<>();
        for (int i = 1; i <= 450; i++) {
            changedAt.put(invoice(base.plusMillis(i), 1), base.plusMillis(i));
        }
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        // The first CRM call (the first page) goes through; the second (the second page) fails.
        sandbox.fault("{\"system\":\"crm\",\"delayMs\":1,\"count\":1}");
        sandbox.fault("{\"system\":\"crm\",\"status\":503,\"count\":1}");

        Watermarks.RunRecord failed = runSync();

        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.pages()).isOne();
        Instant watermark = watermarks.state(SYNC).orElseThrow().watermark();
        Map<String, Timestamp> writtenBeforeFailure = new HashMap<>();
        changedAt.forEach((id, at) -> {
            // Stored exactly up to the watermark: the failed page and the rest are after it, so none is skipped.
            assertThat(crmCount(id)).as(id + " changed at " + at + ", watermark " + watermark)
                    .isEqualTo(at.isAfter(watermark) ? 0 : 1);
            if (!at.isAfter(watermark)) {
                writtenBeforeFailure.put(id, crmWrittenAt(id));
            }
        });
        assertThat(writtenBeforeFailure).isNotEmpty().hasSizeLessThan(changedAt.size());
        assertThat(parkedSince(failed.startedAt())).extracting(l -> l.get("category")).containsOnly("transient");

        sandbox.clearFaults();
        Watermarks.RunRecord next = runSync();

        assertThat(next.status()).isEqualTo(Watermarks.OK);
        assertThat(next.upserted()).isGreaterThanOrEqualTo(changedAt.size() - writtenBeforeFailure.size());
        for (String id : changedAt.keySet()) {
            assertThat(inCrmAtBillingsVersion(id)).as(id).isTrue();
            assertThat(keysOf(id)).as("idempotency keys of " + id).isOne();
        }
        // What the first run stored was read again but not written again.
        writtenBeforeFailure.forEach((id, at) -> assertThat(crmWrittenAt(id)).as(id).isEqualTo(at));
        assertThat(watermarks.state(SYNC).orElseThrow().watermark()).isAfterOrEqualTo(base.plusMillis(450));
        discardParkedSince(failed.startedAt());
    }

    @Test
    void aReplayedPageNeverWritesAnOlderVersionOverANewerOne() throws Exception {
        Instant base = recently();
        Instant first = base.plusMillis(1);
        String id = invoice(first, 1);
        assertThat(watermarks.rewind(SYNC, base)).isTrue();
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmVersion(id)).isEqualTo(1);

        // Billing pays it (stamped now, after the watermark): version 2 reaches the CRM.
        jdbc.update("update sandbox_billing_invoice set invoice_version = 2, invoice_status = 'paid', updated_at = ? "
                + "where id = ?", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS)), id);
        assertThat(runSync().status()).isEqualTo(Watermarks.OK);
        assertThat(crmVersion(id)).isEqualTo(2);

        // The old page comes again (billing serves version 1 as it was, and its key has expired), read from before it.
        jdbc.update("update sandbox_billing_invoice set invoice_version = 1, invoice_status = 'open', updated_at = ? "
                + "where id = ?", Timestamp.from(first), id);
        jdbc.update("delete from camel_messageprocessed where processor_name = ? and message_id like ?", SYNC, id + "@%");
        try {
            assertThat(watermarks.rewind(SYNC, base)).isTrue();
            Watermarks.RunRecord replay = runSync();

            assertThat(replay.status()).isEqualTo(Watermarks.OK);
            // It was sent (its key was gone), and the CRM kept the newer version.
            assertThat(replay.upserted()).isGreaterThanOrEqualTo(1);
            assertThat(keysOf(id)).isOne();
            assertThat(crmVersion(id)).isEqualTo(2);
            assertThat(jdbc.queryForObject("select invoice_status from sandbox_crm_invoice where invoice_id = ?",
                    String.class, id)).isEqualTo("paid");
        } finally {
            // Billing now holds an older version than the CRM on purpose; other tests compare the two.
            jdbc.update("delete from sandbox_billing_invoice where id = ?", id);
            jdbc.update("delete from sandbox_crm_invoice where invoice_id = ?", id);
        }
    }

    @Test
    void keysRecordedPerBatchAreTheKeysOfTheCamelIdempotentRepository() throws Exception {
        IdempotentRepository repository = camel.getRegistry().lookupByNameAndType(SYNC + "-idempotency",
                IdempotentRepository.class);
        String recordedHere = "inv_keys_" + UUID.randomUUID() + "@2025-01-02T10:00:00Z";
        String recordedByCamel = "inv_keys_" + UUID.randomUUID() + "@2025-01-02T10:00:00Z";

        keys.add(SYNC, List.of(recordedHere));
        keys.add(SYNC, List.of(recordedHere));
        // The Camel repository (JPA, ids from the same sequence) can still add keys beside them.
        assertThat(repository.add(recordedByCamel)).isTrue();

        assertThat(repository.contains(recordedHere)).isTrue();
        assertThat(keys.known(SYNC, List.of(recordedHere, recordedByCamel, "inv_never@2025-01-02T10:00:00Z")))
                .containsExactlyInAnyOrder(recordedHere, recordedByCamel);
        assertThat(keys.known("another-integration", List.of(recordedHere))).isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from camel_messageprocessed where message_id = ?",
                Integer.class, recordedHere)).isOne();
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

    /** A billing invoice changed at {@code at}; paid, so the sandbox's own changes leave it alone. */
    private String invoice(Instant at, int version) {
        String id = "inv_batch_" + UUID.randomUUID().toString().substring(0, 12);
        jdbc.update("insert into sandbox_billing_invoice (id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, issued_at, updated_at) values (?, 'cus_001', 1000, 'EUR', 'paid', ?, ?, ?)", id,
                version, Timestamp.from(at.minusSeconds(3600)), Timestamp.from(at));
        return id;
    }

    private int crmFaultRemaining() {
        return jdbc.queryForObject("select coalesce(sum(remaining), 0) from sandbox_fault where target_system = 'crm'",
                Integer.class);
    }

    private boolean inCrmAtBillingsVersion(String id) {
        return jdbc.queryForObject("select count(*) from sandbox_crm_invoice c join sandbox_billing_invoice b "
                + "on b.id = c.invoice_id and b.invoice_version = c.invoice_version and b.amount_cents = c.amount_cents "
                + "where c.invoice_id = ?", Integer.class, id) == 1;
    }

    private int crmCount(String id) {
        return jdbc.queryForObject("select count(*) from sandbox_crm_invoice where invoice_id = ?", Integer.class, id);
    }

    private Integer crmVersion(String id) {
        return jdbc.queryForObject("select invoice_version from sandbox_crm_invoice where invoice_id = ?", Integer.class,
                id);
    }

    private Timestamp crmWrittenAt(String id) {
        return jdbc.queryForObject("select updated_at from sandbox_crm_invoice where invoice_id = ?", Timestamp.class, id);
    }

    private int keysOf(String id) {
        return jdbc.queryForObject("select count(*) from camel_messageprocessed where processor_name = ? "
                + "and message_id like ?", Integer.class, SYNC, id + "@%");
    }

    private List<Map<String, Object>> parkedSince(Instant since) {
        return jdbc.queryForList("select * from dead_letter where integration = ? and status = 'PARKED' "
                + "and last_failed_at >= ?", SYNC, Timestamp.from(since));
    }

    /** Discards what the test parked, so the dead-letter alert of the next test starts afresh. */
    private void discardParkedSince(Instant since) {
        parkedSince(since).forEach(letter -> jdbc.update("update dead_letter set status = 'DISCARDED', resolved_at = ?, "
                + "resolved_by = 'test' where id = ?", Timestamp.from(Instant.now()), letter.get("id")));
    }
}

package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The count check tells invoices still on their way from invoices the sync lost. */
class InvoiceReconciliationTest {

    private static final Instant WATERMARK = Instant.parse("2025-01-02T10:00:00Z");

    @Test
    void equalCountsAgree() {
        assertThat(InvoiceReconciliation.compare(120, 0, 120, WATERMARK).consistent()).isTrue();
    }

    @Test
    void invoicesChangedAfterTheWatermarkMayStillBeOnTheirWay() {
        assertThat(InvoiceReconciliation.compare(125, 5, 120, WATERMARK).consistent()).isTrue();
    }

    @Test
    void moreMissingThanChangedSinceTheWatermarkIsAMismatch() {
        InvoiceReconciliation.Result result = InvoiceReconciliation.compare(125, 2, 120, WATERMARK);
        assertThat(result.consistent()).isFalse();
        assertThat(result.detail()).contains("At least 3 invoices older than the watermark are missing from the CRM")
                .contains("/api/integrations/invoice-sync/watermark");
    }

    @Test
    void crmHoldingInvoicesBillingDoesNotKnowIsAMismatch() {
        InvoiceReconciliation.Result result = InvoiceReconciliation.compare(100, 0, 101, WATERMARK);
        assertThat(result.consistent()).isFalse();
        assertThat(result.detail()).contains("1 invoices billing does not know");
    }
}

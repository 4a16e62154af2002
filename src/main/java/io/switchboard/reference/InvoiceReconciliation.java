package io.switchboard.reference;

import java.time.Instant;

import io.switchboard.alerting.Alerts;
import io.switchboard.schedule.Watermarks;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The nightly count check of invoice-sync ({@code invoice-sync-reconcile} in
 * {@code routes/invoice-sync.camel.yaml}): billing's invoices against the CRM's. Invoices
 * changed after the watermark may still be on their way; any other difference means
 * the sync lost or skipped invoices (or the CRM holds invoices billing does not), and
 * raises an alert, resolved by the first check that finds the counts agree.
 */
@Component("invoiceReconciliation")
public class InvoiceReconciliation {

    static final String INTEGRATION = "invoice-sync";
    public static final String ALERT_KEY = "reconcile:" + INTEGRATION;

    /** Exchange properties the route fills from the systems' {@code X-Total-Count} answers. */
    public static final String BILLING_TOTAL = "billingTotal";
    public static final String BILLING_PENDING = "billingPending";
    public static final String CRM_TOTAL = "crmTotal";

    private static final Logger log = LoggerFactory.getLogger(InvoiceReconciliation.class);

    private final Watermarks watermarks;
    private final Alerts alerts;

    public InvoiceReconciliation(Watermarks watermarks, Alerts alerts) {
        this.watermarks = watermarks;
        this.alerts = alerts;
    }

    /** What a check found. */
    public record Result(long billing, long pending, long crm, boolean consistent, String detail) {
    }

    /**
     * Compares the counts: {@code billing} invoices in all, {@code pending} of them changed
     * after the watermark (not necessarily in the CRM yet), {@code crm} in the CRM.
     */
    static Result compare(long billing, long pending, long crm, Instant watermark) {
        long notInCrm = billing - crm;
        String counts = "billing has " + billing + " invoices, the CRM " + crm + "; " + pending
                + " changed after the watermark " + (watermark == null ? "(none yet)" : watermark)
                + " may still be on their way";
        if (notInCrm < 0) {
            return new Result(billing, pending, crm, false, counts + ". The CRM holds " + -notInCrm
                    + " invoices billing does not know: were they deleted in billing, or written to the CRM by "
                    + "something else?");
        }
        if (notInCrm > pending) {
            return new Result(billing, pending, crm, false, counts + ". At least " + (notInCrm - pending)
                    + " invoices older than the watermark are missing from the CRM: billing may have changed them "
                    + "with old timestamps. Set the watermark back (POST /api/integrations/invoice-sync/watermark) "
                    + "to read them again.");
        }
        return new Result(billing, pending, crm, true, counts + ".");
    }

    /**
     * The query for billing's invoices changed after the watermark (only their count is
     * read). Those changed at the watermark's instant are in the CRM already (it is the
     * latest change of a stored page), so the count starts a millisecond later, billing's
     * precision.
     */
    public String pendingQuery() {
        Instant watermark = watermarks.state(INTEGRATION).map(Watermarks.State::watermark).orElse(null);
        return "limit=1" + (watermark == null ? "" : "&updatedSince=" + watermark.plusMillis(1));
    }

    /** Compares the counts the route collected, and raises or resolves the alert. */
    public Result check(Exchange exchange) {
        Instant watermark = watermarks.state(INTEGRATION).map(Watermarks.State::watermark).orElse(null);
        Result result = compare(count(exchange, BILLING_TOTAL), count(exchange, BILLING_PENDING),
                count(exchange, CRM_TOTAL), watermark);
        if (result.consistent()) {
            log.info("reconcile integration={} outcome=match billing={} pending={} crm={}", INTEGRATION,
                    result.billing(), result.pending(), result.crm());
            alerts.resolve(ALERT_KEY);
        } else {
            log.warn("reconcile integration={} outcome=mismatch billing={} pending={} crm={}", INTEGRATION,
                    result.billing(), result.pending(), result.crm());
            alerts.raise(INTEGRATION, ALERT_KEY, "Invoice counts differ between billing and the CRM", result.detail());
        }
        exchange.getMessage().setBody(result);
        return result;
    }

    private static long count(Exchange exchange, String property) {
        Long value = exchange.getProperty(property, Long.class);
        if (value == null) {
            throw new IllegalStateException("no " + property + ": the system did not send X-Total-Count");
        }
        return value;
    }
}

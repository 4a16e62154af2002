package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.reliability.InvalidDataException;
import org.junit.jupiter.api.Test;

/** A billing page is checked invoice by invoice and mapped to the CRM's shape, or refused whole. */
class InvoicePageTest {

    private final InvoiceSync sync = new InvoiceSync(new ObjectMapper());

    @Test
    void pageMapsEveryInvoiceAndNamesItsLatestChange() {
        InvoiceSync.Page page = sync.read("""
                [{"id":"inv_1","customerId":"cus_1","amountCents":1200,"currency":"EUR","status":"open","version":1,
                  "issuedAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-02T10:00:00.5Z"},
                 {"id":"inv_2","customerId":"cus_2","amountCents":0,"currency":"GBP","status":"paid","version":4,
                  "updatedAt":"2025-01-02T09:00:00+01:00"}]""");

        assertThat(page.upserts()).hasSize(2);
        assertThat(page.upserts().get(0)).containsEntry("invoiceId", "inv_1").containsEntry("customerId", "cus_1")
                .containsEntry("amountCents", 1200L).containsEntry("currency", "EUR").containsEntry("status", "open")
                .containsEntry("version", 1).containsEntry("sourceUpdatedAt", "2025-01-02T10:00:00.500Z");
        // Offsets are normalised to UTC, so the idempotency key does not depend on how billing wrote the time.
        assertThat(page.upserts().get(1)).containsEntry("sourceUpdatedAt", "2025-01-02T08:00:00Z");
        assertThat(page.watermark()).isEqualTo(Instant.parse("2025-01-02T10:00:00.5Z"));
    }

    @Test
    void emptyPageHasNoWatermark() {
        assertThat(sync.read("[]").upserts()).isEmpty();
        assertThat(sync.read("[]").watermark()).isNull();
    }

    @Test
    void malformedInvoiceRefusesThePageNamingTheInvoiceAndTheField() {
        String valid = "\"customerId\":\"cus_1\",\"amountCents\":100,\"currency\":\"EUR\",\"status\":\"open\","
                + "\"version\":1,\"updatedAt\":\"2025-01-02T10:00:00Z\"";
        assertRefused("[{" + valid + "}]", "invoice at position 1", "no id");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("\"EUR\"", "\"eur\"") + "}]", "inv_9", "currency");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("100", "-5") + "}]", "inv_9", "amountCents");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("100", "1.5") + "}]", "inv_9", "amountCents");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("\"open\"", "\"lost\"") + "}]", "inv_9", "status");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("\"version\":1", "\"version\":0") + "}]", "inv_9",
                "version");
        assertRefused("[{\"id\":\"inv_9\"," + valid.replace("2025-01-02T10:00:00Z", "yesterday") + "}]", "inv_9",
                "updatedAt");
        assertRefused("{\"error\":\"oops\"}", "not a JSON array");
        assertRefused("<html>", "not JSON");
    }

    private void assertRefused(String body, String... mentions) {
        assertThatThrownBy(() -> sync.read(body)).isInstanceOf(InvalidDataException.class)
                .hasMessageContainingAll(mentions);
    }
}

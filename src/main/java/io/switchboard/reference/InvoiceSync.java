package io.switchboard.reference;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.reliability.InvalidDataException;
import io.switchboard.schedule.Watermarks;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Reads one page of billing invoices for {@code routes/invoice-sync.camel.yaml}: checks
 * every invoice, maps it to the CRM's invoice shape, and names the page's latest change
 * (its watermark). One malformed invoice fails the whole page before anything is written,
 * so the watermark stays where it was and the page is read again on the next run.
 */
@Component("invoiceSync")
public class InvoiceSync {

    /** The statuses billing systems use (Stripe's set); anything else is not an invoice we understand. */
    static final Set<String> STATUSES = Set.of("draft", "open", "paid", "void", "uncollectible");

    private final ObjectMapper json;

    public InvoiceSync(ObjectMapper json) {
        this.json = json;
    }

    /** Replaces the body (billing's JSON array) with the CRM upserts, and sets the page's watermark. */
    public void page(Exchange exchange) {
        Page page = read(exchange.getMessage().getBody(String.class));
        exchange.getMessage().setBody(page.upserts());
        exchange.setProperty(Watermarks.PAGE_WATERMARK, page.watermark());
    }

    /** A page: the CRM upserts in billing's order, and the latest {@code updatedAt} among them. */
    record Page(List<Map<String, Object>> upserts, Instant watermark) {
    }

    Page read(String body) {
        JsonNode invoices;
        try {
            invoices = body == null ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidDataException("billing answered a page that is not JSON: " + e.getOriginalMessage());
        }
        if (invoices == null || !invoices.isArray()) {
            throw new InvalidDataException("billing answered a page that is not a JSON array of invoices");
        }
        List<Map<String, Object>> upserts = new ArrayList<>(invoices.size());
        for (int i = 0; i < invoices.size(); i++) {
            upserts.add(toCrm(invoices.get(i), i));
        }
        return new Page(upserts, upserts.stream().map(upsert -> Instant.parse((String) upsert.get("sourceUpdatedAt")))
                .max(Comparator.naturalOrder()).orElse(null));
    }

    /** One billing invoice as the CRM's upsert, or {@link InvalidDataException} naming the invoice and the field. */
    static Map<String, Object> toCrm(JsonNode invoice, int position) {
        String id = text(invoice, "id");
        String which = id == null ? "invoice at position " + (position + 1) + " of the page" : "invoice " + id;
        if (id == null) {
            throw invalid(which, "has no id");
        }
        String customerId = text(invoice, "customerId");
        if (customerId == null) {
            throw invalid(which, "has no customerId");
        }
        JsonNode amount = invoice.get("amountCents");
        if (amount == null || !amount.canConvertToLong() || !amount.isIntegralNumber() || amount.asLong() < 0) {
            throw invalid(which, "amountCents must be a whole number of cents, 0 or more, not " + amount);
        }
        String currency = text(invoice, "currency");
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw invalid(which, "currency must be an ISO 4217 code such as EUR, not " + quoted(currency));
        }
        String status = text(invoice, "status");
        if (status == null || !STATUSES.contains(status)) {
            throw invalid(which, "status must be one of " + new TreeSet<>(STATUSES) + ", not "
                    + quoted(status));
        }
        JsonNode version = invoice.get("version");
        if (version == null || !version.isIntegralNumber() || version.asInt() < 1) {
            throw invalid(which, "version must be a whole number from 1, not " + version);
        }
        String updatedAt = text(invoice, "updatedAt");
        Instant changed;
        try {
            changed = updatedAt == null ? null : Instant.parse(updatedAt);
        } catch (DateTimeParseException e) {
            changed = null;
        }
        if (changed == null) {
            throw invalid(which, "updatedAt must be an ISO-8601 instant, not " + quoted(updatedAt));
        }
        Map<String, Object> upsert = new LinkedHashMap<>();
        upsert.put("invoiceId", id);
        upsert.put("customerId", customerId);
        upsert.put("amountCents", amount.asLong());
        upsert.put("currency", currency);
        upsert.put("status", status);
        upsert.put("version", version.asInt());
        // Normalised, so the idempotency key (invoice id + change time) is the same however billing wrote it.
        upsert.put("sourceUpdatedAt", changed.toString());
        return upsert;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || !value.isTextual() || value.asText().isBlank() ? null
                : value.asText();
    }

    private static String quoted(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }

    private static InvalidDataException invalid(String which, String problem) {
        return new InvalidDataException("billing " + which + ": " + problem);
    }
}

package io.switchboard.reference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.reliability.IdempotencyKeys;
import io.switchboard.reliability.InvalidDataException;
import io.switchboard.schedule.SyncRun;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Sends a page of invoices to the CRM in batch upserts for {@code routes/invoice-sync.camel.yaml},
 * keeping "once per invoice version" with one read and one write of the idempotency keys
 * per call instead of a database round trip per invoice:
 * <ol>
 * <li>{@link #unwritten}: drops the invoices whose key (invoice id + {@code updatedAt}) the
 * sync has recorded already, in one query, and cuts the rest into batch bodies
 * {@code {"inputs": [...]}} of at most {@code switchboard.integrations.invoice-sync.settings.batch-size};</li>
 * <li>after the CRM stored a batch, {@link #written}: checks it answered for every invoice
 * sent, records their keys in one JDBC batch and counts them as upserted.</li>
 * </ol>
 * A key is recorded only after the CRM confirmed the write. A crash between the two leaves
 * the batch unrecorded: the next run sends it again, and the CRM's upsert by invoice id and
 * version stores it once, so nothing is lost and nothing is stored twice.
 */
@Component("invoiceBatches")
public class InvoiceBatches {

    /** Exchange property: the batch body being sent, set in the split's copy of the exchange before the call. */
    public static final String BATCH = "invoiceBatch";

    private final IdempotencyKeys keys;
    private final ObjectMapper json;
    private final int batchSize;

    public InvoiceBatches(IdempotencyKeys keys, ObjectMapper json,
            @Value("${switchboard.integrations.invoice-sync.settings.batch-size:200}") int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("switchboard.integrations.invoice-sync.settings.batch-size must be 1 or more, not "
                    + batchSize);
        }
        this.keys = keys;
        this.json = json;
        this.batchSize = batchSize;
    }

    /**
     * The page's invoices (the body, as {@link InvoiceSync#page} left it) that are not in the
     * CRM at this version yet, in billing's order, as batch upsert bodies.
     */
    public List<Map<String, Object>> unwritten(Exchange exchange) {
        SyncRun run = run(exchange);
        Map<String, Map<String, Object>> byKey = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> page = exchange.getMessage().getBody(List.class);
        page.forEach(invoice -> byKey.putIfAbsent(key(invoice), invoice));
        Set<String> written = keys.known(run.integration(), byKey.keySet());
        List<Map<String, Object>> fresh = byKey.entrySet().stream().filter(entry -> !written.contains(entry.getKey()))
                .map(Map.Entry::getValue).toList();
        List<Map<String, Object>> batches = new ArrayList<>();
        for (int from = 0; from < fresh.size(); from += batchSize) {
            batches.add(Map.of("inputs", fresh.subList(from, Math.min(from + batchSize, fresh.size()))));
        }
        return batches;
    }

    /**
     * The CRM answered the batch in {@value #BATCH}: every invoice sent must have its result,
     * else the batch fails (nothing recorded, so the next run sends it again). Then records
     * the batch's keys and counts its invoices as upserted.
     */
    public void written(Exchange exchange) {
        SyncRun run = run(exchange);
        List<Map<String, Object>> inputs = inputs(exchange.getProperty(BATCH, Map.class));
        Set<String> answered = new HashSet<>();
        JsonNode results;
        try {
            String body = exchange.getMessage().getBody(String.class);
            results = body == null ? null : json.readTree(body).get("results");
        } catch (JsonProcessingException e) {
            results = null;
        }
        if (results == null || !results.isArray()) {
            throw new IllegalStateException("the CRM answered the batch upsert of " + inputs.size()
                    + " invoices without a list of results");
        }
        results.forEach(result -> answered.add(result.path("invoice").path("invoiceId").asText()));
        for (Map<String, Object> input : inputs) {
            if (!answered.contains(String.valueOf(input.get("invoiceId")))) {
                throw new InvalidDataException("the CRM did not store invoice " + input.get("invoiceId")
                        + " of the batch (no result for it)");
            }
        }
        keys.add(run.integration(), inputs.stream().map(InvoiceBatches::key).toList());
        run.countUpserts(inputs.size());
    }

    /** Once per version: the same invoice read again at the same change time has the same key. */
    static String key(Map<String, Object> upsert) {
        return upsert.get("invoiceId") + "@" + upsert.get("sourceUpdatedAt");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> inputs(Map<?, ?> batch) {
        if (batch == null || !(batch.get("inputs") instanceof List<?> inputs)) {
            throw new IllegalStateException("no " + BATCH + " on this exchange: set it to the batch body before "
                    + "the CRM call");
        }
        return (List<Map<String, Object>>) inputs;
    }

    private static SyncRun run(Exchange exchange) {
        SyncRun run = exchange.getProperty(SyncRun.PROPERTY, SyncRun.class);
        if (run == null) {
            throw new IllegalStateException("no sync run on this exchange: call watermarks begin first");
        }
        return run;
    }
}

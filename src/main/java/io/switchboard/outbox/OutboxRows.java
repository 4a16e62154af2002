package io.switchboard.outbox;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.jpa.JpaConstants;

/**
 * Turns the outbox row Camel JPA read into what the inbox stores: the row's payload as the body
 * (JSON), its aggregate type, aggregate id and event type as headers, and a delivery id made of
 * the table and the row's id, so the same row read again (after a crash, a lost commit) is a
 * duplicate and never a second event.
 */
final class OutboxRows implements Processor {

    /** The exchange property holding the row while its event is stored. */
    static final String ROW = "SwitchboardOutboxRow";

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        Message message = exchange.getMessage();
        OutboxEvent row = message.getMandatoryBody(OutboxEvent.class);
        exchange.setProperty(ROW, row);
        // The entity manager Camel hands along is no business of the inbox.
        message.removeHeader(JpaConstants.ENTITY_MANAGER);
        message.setBody(row.getPayload() == null ? new byte[0] : row.getPayload().getBytes(StandardCharsets.UTF_8));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    /** {@code outbox:<table>:<row id>}. */
    static String deliveryId(String table, Exchange exchange) {
        return "outbox:" + table + ":" + row(exchange).getId();
    }

    /** What the route sees besides the body: the row's Debezium columns, under their column names. */
    static Map<String, String> headers(Exchange exchange) {
        OutboxEvent row = row(exchange);
        Map<String, String> headers = new LinkedHashMap<>();
        putIfSet(headers, "aggregatetype", row.getAggregateType());
        putIfSet(headers, "aggregateid", row.getAggregateId());
        putIfSet(headers, "type", row.getType());
        return headers;
    }

    private static OutboxEvent row(Exchange exchange) {
        return exchange.getProperty(ROW, OutboxEvent.class);
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null && !value.isEmpty()) {
            headers.put(name, value);
        }
    }
}

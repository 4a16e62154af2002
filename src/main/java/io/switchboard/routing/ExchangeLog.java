package io.switchboard.routing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.integration.InboxHeaders;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.journal.NodeId;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.ExchangeHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Writes one structured line per finished exchange (route, outcome, duration, correlation
 * id), so a log search for one event's id finds what happened to it on every node. The same
 * values are in the MDC while the line is written ({@link #FIELDS}), so JSON logs
 * ({@code logging.structured.format.console=ecs}) carry them as fields.
 */
@Component
class ExchangeLog extends EventNotifierSupport {

    /** Header a caller or an upstream route may set to tie exchanges together. */
    static final String CORRELATION_HEADER = "X-Correlation-Id";

    private static final Logger log = LoggerFactory.getLogger("switchboard.exchange");

    /** The MDC keys of the per-exchange line: none carries a payload value or a secret. */
    static final List<String> FIELDS = List.of("correlationId", "eventId", "integration", "route",
            "outcome", "durationMs", "attempt", "node");

    private final IntegrationsProperties integrations;
    private final NodeId node;
    /** Route id to its integration ("" for none), found once per route, not on every exchange. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    ExchangeLog(IntegrationsProperties integrations, NodeId node) {
        this.integrations = integrations;
        this.node = node;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeCompletedEvent || event instanceof ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String routeId = exchange.getFromRouteId();
        if (routeId == null) {
            // Exchanges made by a producer template outside any route are not an integration's work.
            return;
        }
        String correlationId = correlationId(exchange);
        long durationMs = exchange.getClock().elapsed();
        // A failure the dead-letter channel took over still counts as failed here.
        boolean failed = event instanceof ExchangeFailedEvent || exchange.isFailed()
                || ExchangeHelper.isFailureHandled(exchange);
        MDC.put("correlationId", correlationId);
        String eventId = exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, String.class);
        if (eventId != null) {
            MDC.put("eventId", eventId);
        }
        String owner = owners.computeIfAbsent(routeId, id -> integrations.ownerOfRoute(id).orElse(""));
        if (!owner.isEmpty()) {
            MDC.put("integration", owner);
        }
        MDC.put("route", routeId);
        MDC.put("outcome", failed ? "failed" : "ok");
        MDC.put("durationMs", Long.toString(durationMs));
        Object attempt = exchange.getMessage().getHeader(InboxHeaders.ATTEMPT);
        if (attempt != null) {
            MDC.put("attempt", attempt.toString());
        }
        MDC.put("node", node.value());
        try {
            if (failed) {
                Throwable cause = exchange.getException() != null ? exchange.getException()
                        : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
                log.warn("exchange finished route={} outcome=failed durationMs={} correlationId={} exchangeId={} error={}",
                        routeId, durationMs, correlationId, exchange.getExchangeId(),
                        cause == null ? "handled" : cause.getClass().getSimpleName());
            } else {
                log.info("exchange finished route={} outcome=ok durationMs={} correlationId={} exchangeId={}",
                        routeId, durationMs, correlationId, exchange.getExchangeId());
            }
        } finally {
            FIELDS.forEach(MDC::remove);
        }
    }

    static String correlationId(Exchange exchange) {
        String fromHeader = exchange.getMessage().getHeader(CORRELATION_HEADER, String.class);
        if (fromHeader != null) {
            return fromHeader;
        }
        String eventId = exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, String.class);
        if (eventId != null) {
            return eventId;
        }
        String linked = exchange.getProperty(Exchange.CORRELATION_ID, String.class);
        return linked != null ? linked : exchange.getExchangeId();
    }
}

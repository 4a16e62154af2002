package io.switchboard.source;

import java.util.Map;
import java.util.function.Function;

import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.inbox.InboxStore.Accepted;
import io.switchboard.ingress.HeaderMask;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The one step of a source route: stores what the source read (a row, a mail, a file) as one
 * event of its integration, under the delivery id the source kind derives, and returns only
 * once that commit did. The source component acknowledges (deletes the row, flags the mail,
 * moves the file) only when the exchange ends without an exception, so an item is either
 * stored or left where it was. A failed store throws {@link SourceNotStoredException}, which
 * {@link SourcePause} answers by pausing the source route.
 */
public final class SourceIntake implements Processor {

    /** The exchange property holding the stored event's id (a duplicate's: the first delivery's). */
    public static final String EVENT_ID = "SwitchboardSourceEventId";

    private final String integration;
    private final Function<Exchange, String> deliveryId;
    private final Function<Exchange, Map<String, String>> headers;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final SourceOutages outages;

    /**
     * @param deliveryId what identifies the item across redeliveries (never null: a digest when the source has no id)
     * @param headers    what the route sees besides the body, lower-case names; credential-like names are masked
     */
    public SourceIntake(String integration, Function<Exchange, String> deliveryId,
            Function<Exchange, Map<String, String>> headers, InboxStore inbox, InboxSignal signal,
            SourceOutages outages) {
        this.integration = integration;
        this.deliveryId = deliveryId;
        this.headers = headers;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
    }

    @Override
    public void process(Exchange exchange) {
        String id = deliveryId.apply(exchange);
        if (paused(exchange)) {
            // The rest of a poll read before the pause: each would wait for the database's timeout.
            throw new SourceNotStoredException(integration, id, new IllegalStateException("the source is paused"));
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "application/json", String.class);
        Accepted accepted;
        try {
            accepted = inbox.accept(integration, id, body == null ? new byte[0] : body, contentType,
                    HeaderMask.toJson(headers.apply(exchange), null));
        } catch (RuntimeException notStored) {
            outages.failed(integration, notStored);
            throw new SourceNotStoredException(integration, id, notStored);
        }
        outages.stored(integration);
        exchange.setProperty(EVENT_ID, accepted.eventId());
        signal.wake(integration);
    }

    /** Whether {@link SourcePause} suspended the consumer of the route this item came from. */
    private static boolean paused(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
        return route != null && ServiceHelper.isSuspended(route.getConsumer());
    }
}

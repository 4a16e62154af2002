package io.switchboard.inbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.springframework.stereotype.Component;
import io.switchboard.integration.InboxHeaders;

/**
 * Internal events: an integration emits a named event (e.g. {@code lead.created}) and every
 * integration with trigger {@code event} subscribed to that name gets it through the same
 * durable inbox as a webhook, after its configured delay. The delivery id is the emitting
 * event's id plus the name, so a retried emitter never delivers twice.
 */
@Component("internalEvents")
public class InternalEvents {

    private final IntegrationsProperties integrations;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final Clock clock;

    public InternalEvents(IntegrationsProperties integrations, InboxStore inbox, InboxSignal signal, Clock clock) {
        this.integrations = integrations;
        this.inbox = inbox;
        this.signal = signal;
        this.clock = clock;
    }

    /** Emits the exchange's body as event {@code name}; returns the subscribers' new event ids. */
    @Handler
    public List<String> emit(String name, Exchange exchange) {
        String source = exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, exchange.getExchangeId(), String.class);
        String payload = exchange.getMessage().getBody(String.class);
        return emit(name, source, payload, exchange.getMessage().getHeader(InboxHeaders.TEST, false, Boolean.class));
    }

    /** Emits on behalf of a stored event, a test one or not as the journal says. */
    public List<String> emit(String name, String sourceId, String payload) {
        return emit(name, sourceId, payload, sourceId != null && inbox.isTest(sourceId));
    }

    /** {@code test}: the emitting event is a test event or a drill's, so what it emits is a test event too. */
    private List<String> emit(String name, String sourceId, String payload, boolean test) {
        List<String> delivered = new ArrayList<>();
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.EVENT && integration.event() != null
                    && name.equals(integration.event().name())) {
                Instant notBefore = Instant.now(clock).plus(integration.event().delay());
                InboxStore.Accepted accepted = test
                        ? inbox.acceptTestAfter(id, sourceId + ":" + name, payload, "event " + sourceId, notBefore)
                        : inbox.accept(id, sourceId + ":" + name, payload, notBefore);
                delivered.add(accepted.eventId());
                signal.wake(id);
            }
        });
        return delivered;
    }
}

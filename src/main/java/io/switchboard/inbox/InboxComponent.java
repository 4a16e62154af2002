package io.switchboard.inbox;

import java.util.Map;

import io.switchboard.inbox.FailureHandling;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code inbox:<integration>}: the start of every event-driven integration route. It hands
 * the route one stored event at a time and settles the event by the route's outcome:
 * done, back to the inbox for a later attempt, or dead.
 */
@Component("inbox")
public class InboxComponent extends DefaultComponent {

    private final IntegrationsProperties integrations;
    private final InboxStore store;
    private final InboxSignal signal;
    private final FailureHandling failures;

    public InboxComponent(IntegrationsProperties integrations, InboxStore store, InboxSignal signal,
            FailureHandling failures) {
        this.integrations = integrations;
        this.store = store;
        this.signal = signal;
        this.failures = failures;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        IntegrationsProperties.Integration integration = integrations.find(remaining).orElseThrow(() ->
                new IllegalArgumentException("Route reads from 'inbox:" + remaining + "' but there is no integration '"
                        + remaining + "': add its card as routes/" + remaining + ".card.yaml (trigger, card...)."));
        if (integration.card() == null) {
            throw new IllegalArgumentException("Integration '" + remaining + "' has no card: add "
                    + "card: (owner, timing, alert channel...) to routes/" + remaining + ".card.yaml.");
        }
        InboxEndpoint endpoint = new InboxEndpoint(uri, this, remaining, integration.inbox(), store, signal, failures,
                integration.trigger() == Trigger.SCHEDULE);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

package io.switchboard.inbox;

import io.switchboard.integration.IntegrationsProperties.Inbox;
import io.switchboard.inbox.FailureHandling;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.switchboard.integration.InboxHeaders;

/**
 * One integration's inbox as a Camel endpoint. Routes start from it; a scheduled
 * integration's cron route also sends to it ({@code to: inbox:<id>}), which starts a run.
 */
public class InboxEndpoint extends DefaultEndpoint {

    private static final Logger log = LoggerFactory.getLogger(InboxEndpoint.class);

    private final String integration;
    private final Inbox settings;
    private final InboxStore store;
    private final InboxSignal signal;
    private final FailureHandling failures;
    private final boolean schedule;
    private int concurrency;
    private long pollInterval = 1000;
    private int batchSize = 5;

    InboxEndpoint(String uri, InboxComponent component, String integration, Inbox settings, InboxStore store,
            InboxSignal signal, FailureHandling failures, boolean schedule) {
        super(uri, component);
        this.schedule = schedule;
        this.integration = integration;
        this.settings = settings;
        this.store = store;
        this.signal = signal;
        this.failures = failures;
        this.concurrency = settings.concurrency();
    }

    @Override
    public Producer createProducer() {
        if (!schedule) {
            throw new UnsupportedOperationException("to: inbox:" + integration + " starts a run of a scheduled "
                    + "integration, and " + integration + " is not one: its events come through /webhooks or an "
                    + "emitted event (internalEvents.emit)");
        }
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                InboxStore.RunStart start = store.startRun(integration, "schedule");
                if (start.alreadyGoing()) {
                    log.info("{}: the schedule fired while run {} is still waiting or going; this tick adds none",
                            integration, start.eventId());
                } else {
                    signal.wake(integration);
                }
                exchange.getMessage().setHeader(InboxHeaders.EVENT_ID, start.eventId());
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        InboxConsumer consumer = new InboxConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getIntegration() {
        return integration;
    }

    Inbox settings() {
        return settings;
    }

    InboxStore store() {
        return store;
    }

    InboxSignal signal() {
        return signal;
    }

    FailureHandling failures() {
        return failures;
    }

    /** Events of this integration processed at once on this node (overrides the integration's setting). */
    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    /**
     * Events a worker claims at once. Larger batches cost fewer claim queries under load;
     * every event of a batch shares the lease, so keep batch x route time well under it.
     */
    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = Math.max(1, batchSize);
    }

    /** Milliseconds between polls when idle; a local accept wakes the consumer sooner. */
    public long getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(long pollInterval) {
        this.pollInterval = pollInterval;
    }
}

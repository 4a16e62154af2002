package io.switchboard.inbox;

import io.switchboard.integration.IntegrationsProperties.Inbox;
import io.switchboard.reliability.FailureHandling;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One integration's inbox as a Camel endpoint; consume-only. */
public class InboxEndpoint extends DefaultEndpoint {

    private final String integration;
    private final Inbox settings;
    private final InboxStore store;
    private final InboxSignal signal;
    private final FailureHandling failures;
    private int concurrency;
    private long pollInterval = 1000;
    private int batchSize = 5;

    InboxEndpoint(String uri, InboxComponent component, String integration, Inbox settings, InboxStore store,
            InboxSignal signal, FailureHandling failures) {
        super(uri, component);
        this.integration = integration;
        this.settings = settings;
        this.store = store;
        this.signal = signal;
        this.failures = failures;
        this.concurrency = settings.concurrency();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("inbox:" + integration
                + " can only start a route; events enter it through /webhooks or an emitted event");
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

package io.switchboard.inbox;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.inbox.InboxStore.Claimed;
import io.switchboard.storage.PendingCommit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.switchboard.integration.InboxHeaders;

/**
 * Workers that claim events from the inbox and run them through the route, one event per
 * worker at a time. A worker that finds nothing waits for a local wake-up or the poll
 * interval. On stop, workers finish the event in hand; an event interrupted anyway keeps
 * its inbox row and is taken again when its lease runs out.
 *
 * <p>A worker does not wait for an event's completion to commit before it starts the next
 * event: it waits for it after handing in the next one's, so the commit of one overlaps the
 * route of the next and each worker has at most two completions in flight. With a commit
 * wait per event, 32 workers fell behind the webhooks they were sent in the relay
 * benchmark (receipt to done p50 10–11 s after 30 s of load); overlapped, 1.4–1.6 s.
 */
class InboxConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(InboxConsumer.class);

    private final InboxEndpoint endpoint;
    private ExecutorService workers;
    private volatile boolean running;

    InboxConsumer(InboxEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        int concurrency = Math.max(1, endpoint.getConcurrency());
        workers = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "inbox-" + endpoint.getIntegration(), concurrency);
        for (int i = 0; i < concurrency; i++) {
            workers.submit(this::work);
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (workers != null) {
            for (int i = 0; i < endpoint.getConcurrency(); i++) {
                endpoint.signal().wake(endpoint.getIntegration());
            }
            workers.shutdown();
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("inbox:{} still had events in hand after 30 s; their leases will hand them to the next start",
                        endpoint.getIntegration());
            }
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(workers);
            workers = null;
        }
        super.doStop();
    }

    private void work() {
        PendingCommit<?> settling = PendingCommit.NONE;
        try {
            while (running && isRunAllowed()) {
                try {
                    settling = claimAndProcess(settling);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException storageTrouble) {
                    // The database is away: keep the worker alive and try again after a pause. An
                    // event whose completion failed keeps its lease and is taken again after it.
                    awaitQuietly(settling);
                    settling = PendingCommit.NONE;
                    log.warn("inbox:{} cannot reach the inbox ({}); retrying", endpoint.getIntegration(),
                            storageTrouble.getClass().getSimpleName());
                    try {
                        Thread.sleep(endpoint.getPollInterval());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        } finally {
            awaitQuietly(settling);
        }
    }

    /** One claim and its events; returns the completion still committing. */
    private PendingCommit<?> claimAndProcess(PendingCommit<?> settling) throws InterruptedException {
        List<Claimed> claimed = endpoint.store().claimBatch(endpoint.getIntegration(),
                endpoint.settings().lease(), endpoint.getBatchSize());
        if (claimed.isEmpty()) {
            settling.await();
            endpoint.signal().await(endpoint.getIntegration(), endpoint.getPollInterval());
            return PendingCommit.NONE;
        }
        for (int i = 0; i < claimed.size(); i++) {
            if (!running) {
                // Stopping: hand the rest of the batch back instead of letting its lease run out.
                endpoint.store().release(claimed.subList(i, claimed.size()));
                break;
            }
            PendingCommit<?> next = process(claimed.get(i));
            settling.await();
            settling = next;
        }
        return settling;
    }

    /** On the way out: the last completion is committed, or its event is taken again after its lease. */
    private void awaitQuietly(PendingCommit<?> settling) {
        try {
            settling.await();
        } catch (RuntimeException lost) {
            log.warn("inbox:{} could not record an event as done ({}); it runs again when its lease ends",
                    endpoint.getIntegration(), lost.getClass().getSimpleName());
        }
    }

    /** Runs the event's route and settles it; a success is returned still committing. */
    private PendingCommit<?> process(Claimed event) {
        Exchange exchange = createExchange(false);
        long started = System.nanoTime();
        try {
            exchange.getMessage().setBody(event.payload());
            DeliveryHeaders.copy(event.headers(), exchange.getMessage());
            exchange.getMessage().setHeader(InboxHeaders.EVENT_ID, event.eventId());
            exchange.getMessage().setHeader(InboxHeaders.INTEGRATION, event.integration());
            exchange.getMessage().setHeader(InboxHeaders.DELIVERY_ID, event.deliveryId());
            exchange.getMessage().setHeader(InboxHeaders.ATTEMPT, event.attempt());
            exchange.getMessage().setHeader(InboxHeaders.RESUMED, event.resumed());
            exchange.getMessage().setHeader(InboxHeaders.TEST, event.test());
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            long durationMs = (System.nanoTime() - started) / 1_000_000;
            return endpoint.failures().settleLater(event, exchange, endpoint.settings(), durationMs);
        } finally {
            releaseExchange(exchange, false);
        }
    }
}

package io.switchboard.inbox;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.inbox.InboxStore.Claimed;
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
        while (running && isRunAllowed()) {
            try {
                List<Claimed> claimed = endpoint.store().claimBatch(endpoint.getIntegration(),
                        endpoint.settings().lease(), endpoint.getBatchSize());
                if (!claimed.isEmpty()) {
                    for (int i = 0; i < claimed.size(); i++) {
                        if (!running) {
                            // Stopping: hand the rest of the batch back instead of letting its lease run out.
                            endpoint.store().release(claimed.subList(i, claimed.size()));
                            break;
                        }
                        process(claimed.get(i));
                    }
                } else {
                    endpoint.signal().await(endpoint.getIntegration(), endpoint.getPollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException storageTrouble) {
                // The database is away: keep the worker alive and try again after a pause.
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
    }

    private void process(Claimed event) {
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
            endpoint.failures().settle(event, exchange, endpoint.settings(), durationMs);
        } finally {
            releaseExchange(exchange, false);
        }
    }
}

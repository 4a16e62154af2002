package io.switchboard.queue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.source.SourceOutages;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Starts one {@link QueueConsumer} per integration with {@code trigger: queue}, on the
 * {@code amqp} connection its card's {@code source} names. The platform consumes the queue, not
 * the route: the route still starts at {@code inbox:<id>}. Checked at start: a queue card names
 * an amqp connection and a queue. {@code switchboard.queue.enabled: false} keeps this node off
 * the brokers (a node that only serves webhooks; the tests that do not exercise queues).
 */
@Component
class QueueTriggers implements SmartLifecycle {

    private final IntegrationsProperties integrations;
    private final ConnectionsProperties connections;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final SourceOutages outages;
    private final boolean enabled;
    private final Duration backOff;
    private final MeterRegistry meters;
    private final List<Meter> registered = new ArrayList<>();
    private final Map<String, CachingConnectionFactory> brokers = new LinkedHashMap<>();
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private ScheduledExecutorService pauses;
    private volatile boolean running;

    QueueTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.queue.enabled:true}") boolean enabled,
            @Value("${switchboard.queue.back-off:5s}") Duration backOff, ObjectProvider<MeterRegistry> meters) {
        this.integrations = integrations;
        this.connections = connections;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
        this.enabled = enabled;
        this.backOff = backOff;
        this.meters = meters.getIfAvailable();
        integrations.all().forEach(this::check);
    }

    private void check(String id, Integration integration) {
        if (integration.trigger() != Trigger.QUEUE) {
            return;
        }
        String at = "switchboard.integrations." + id + ".source";
        if (integration.source() == null || blank(integration.source().connection())
                || blank(integration.source().queue())) {
            throw new IllegalStateException(at + " is incomplete: a queue integration needs "
                    + "source: {connection: <an amqp connection>, queue: <the queue>}");
        }
        ConnectionsProperties.Connection connection = connections.connections().get(integration.source().connection());
        if (connection == null || connection.kind() != ConnectionKind.AMQP) {
            throw new IllegalStateException(at + ".connection names '" + integration.source().connection()
                    + "', which is not an amqp connection under switchboard.connections");
        }
    }

    @Override
    public synchronized void start() {
        if (!enabled) {
            return;
        }
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() != Trigger.QUEUE) {
                return;
            }
            if (pauses == null) {
                pauses = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "queue-pauses");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            String name = integration.source().connection();
            CachingConnectionFactory broker = brokers.computeIfAbsent(name,
                    n -> broker(connections.connections().get(n)));
            QueueConsumer consumer = new QueueConsumer(id, broker, integration.source().queue(),
                    (integrationId, deliveryId, body, contentType, headers) -> inbox.accept(integrationId, deliveryId,
                            body, contentType, headers),
                    outcomes(id), backOff, pauses);
            consumers.add(consumer);
            measure(id, consumer);
            consumer.start();
        });
        running = true;
    }

    @Override
    public synchronized void stop() {
        consumers.forEach(QueueConsumer::stop);
        if (meters != null) {
            // Bound to these consumers: a start after this registers new ones.
            registered.forEach(meters::remove);
        }
        registered.clear();
        consumers.clear();
        brokers.values().forEach(CachingConnectionFactory::destroy);
        brokers.clear();
        if (pauses != null) {
            pauses.shutdownNow();
            pauses = null;
        }
        running = false;
    }

    /**
     * {@code switchboard.queue.consuming} (1 while the consumer takes messages, 0 while it pauses
     * after a failed store or is stopped) and {@code switchboard.queue.pauses}, per integration:
     * a database outage shows as a queue trigger at 0 with its pauses counting up.
     */
    private void measure(String integration, QueueConsumer consumer) {
        if (meters == null) {
            return;
        }
        registered.add(Gauge.builder("switchboard.queue.consuming", consumer, c -> c.isConsuming() ? 1 : 0)
                .description("1 while the queue trigger takes messages, 0 while it pauses or is stopped")
                .tag("integration", integration).register(meters));
        registered.add(FunctionCounter.builder("switchboard.queue.pauses", consumer, QueueConsumer::pauses)
                .description("pauses of the queue trigger after a message could not be stored")
                .tag("integration", integration).register(meters));
    }

    /**
     * A stored message wakes the inbox consumers and ends an outage alert; the first failed store
     * of an outage raises it ({@link SourceOutages}: one alert however long the pauses go on).
     */
    private QueueConsumer.Outcomes outcomes(String integration) {
        return new QueueConsumer.Outcomes() {
            @Override
            public void stored() {
                signal.wake(integration);
                outages.stored(integration);
            }

            @Override
            public void notStored(RuntimeException cause) {
                outages.failed(integration, cause);
            }
        };
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the inbox consumers (Camel) are up, before they stop: nothing is taken that cannot be stored. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    static CachingConnectionFactory broker(ConnectionsProperties.Connection connection) {
        CachingConnectionFactory factory = new CachingConnectionFactory(URI.create(connection.url()));
        if (!blank(connection.username())) {
            factory.setUsername(connection.username());
        }
        if (connection.password() != null) {
            factory.setPassword(connection.password());
        }
        factory.setConnectionTimeout((int) connection.connectTimeout().toMillis());
        return factory;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

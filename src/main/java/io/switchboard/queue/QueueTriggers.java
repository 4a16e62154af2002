package io.switchboard.queue;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.source.SourceOutages;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
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
    private final Map<String, CachingConnectionFactory> brokers = new LinkedHashMap<>();
    private final Map<String, QueueConsumer> consumers = new LinkedHashMap<>();
    private ScheduledExecutorService pauses;
    private volatile boolean running;

    QueueTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.queue.enabled:true}") boolean enabled,
            @Value("${switchboard.queue.back-off:5s}") Duration backOff) {
        this.integrations = integrations;
        this.connections = connections;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
        this.enabled = enabled;
        this.backOff = backOff;
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
            consumers.put(id, consumer);
            consumer.start();
        });
        running = true;
    }

    @Override
    public synchronized void stop() {
        consumers.values().forEach(QueueConsumer::stop);
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

    /** Whether the integration's consumer takes messages now (false while paused or stopped). */
    synchronized boolean consuming(String integration) {
        QueueConsumer consumer = consumers.get(integration);
        return consumer != null && consumer.isConsuming();
    }

    /** How often the integration's consumer paused after a failed store since it started. */
    synchronized long pauses(String integration) {
        QueueConsumer consumer = consumers.get(integration);
        return consumer == null ? 0 : consumer.pauses();
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

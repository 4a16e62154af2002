package io.switchboard.queue;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 * Starts one consumer per integration with {@code trigger: queue}, on the connection its card's
 * {@code source} names: a {@link QueueConsumer} for an {@code amqp} queue, an
 * {@link MqttConsumer} for an {@code mqtt} topic filter, a {@link NatsConsumer} for a {@code nats}
 * JetStream subject. The platform consumes, not the route: the route still starts at
 * {@code inbox:<id>}. Every kind acknowledges only after the inbox commit, and a failed commit
 * raises one alert per outage ({@link SourceOutages}). Checked at start: a queue card names a
 * broker connection and what to read on it. {@code switchboard.queue.enabled: false} keeps this
 * node off the brokers (a node that only serves webhooks; the tests that do not exercise queues).
 */
@Component
class QueueTriggers implements SmartLifecycle {

    /** The connection kinds a queue card may read. */
    private static final Set<ConnectionKind> BROKERS = EnumSet.of(ConnectionKind.AMQP, ConnectionKind.MQTT,
            ConnectionKind.NATS);

    private final IntegrationsProperties integrations;
    private final ConnectionsProperties connections;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final SourceOutages outages;
    private final boolean enabled;
    private final Duration backOff;
    private final Duration sessionExpiry;
    private final Map<String, CachingConnectionFactory> brokers = new LinkedHashMap<>();
    private final Map<String, BrokerConsumer> consumers = new LinkedHashMap<>();
    private ScheduledExecutorService pauses;
    private volatile boolean running;

    QueueTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.queue.enabled:true}") boolean enabled,
            @Value("${switchboard.queue.back-off:5s}") Duration backOff,
            @Value("${switchboard.queue.mqtt-session-expiry:7d}") Duration sessionExpiry) {
        this.integrations = integrations;
        this.connections = connections;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
        this.enabled = enabled;
        this.backOff = backOff;
        this.sessionExpiry = sessionExpiry;
        integrations.all().forEach(this::check);
    }

    private void check(String id, Integration integration) {
        if (integration.trigger() != Trigger.QUEUE) {
            return;
        }
        String at = "switchboard.integrations." + id + ".source";
        IntegrationsProperties.Source source = integration.source();
        if (source == null || blank(source.connection())) {
            throw new IllegalStateException(at + " is incomplete: a queue integration needs source: {connection: "
                    + "<an amqp connection>, queue: <the queue>} or {connection: <an mqtt or nats connection>, "
                    + "topic: <the topic filter or subject>}");
        }
        ConnectionsProperties.Connection connection = connections.connections().get(source.connection());
        if (connection == null || !BROKERS.contains(connection.kind())) {
            throw new IllegalStateException(at + ".connection names '" + source.connection()
                    + "', which is not an amqp, mqtt or nats connection under switchboard.connections");
        }
        if (connection.kind() == ConnectionKind.AMQP && blank(source.queue())) {
            throw new IllegalStateException(at + " reads the amqp connection '" + source.connection()
                    + "' and needs queue: <the queue>" + (blank(source.topic()) ? "" : " (topic is for mqtt and nats)"));
        }
        if (connection.kind() != ConnectionKind.AMQP && blank(source.topic())) {
            throw new IllegalStateException(at + " reads the " + connection.kind().label() + " connection '"
                    + source.connection() + "' and needs topic: <the " + (connection.kind() == ConnectionKind.MQTT
                            ? "topic filter, e.g. shop/orders/#" : "subject, e.g. orders.created") + ">"
                    + (blank(source.queue()) ? "" : " (queue is for amqp)"));
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
            ConnectionsProperties.Connection connection = connections.connections().get(name);
            QueueConsumer.Store store = reportingOutages((integrationId, deliveryId, body, contentType, headers) ->
                    inbox.accept(integrationId, deliveryId, body, contentType, headers), outages);
            BrokerConsumer consumer = switch (connection.kind()) {
                case MQTT -> new MqttConsumer(id, connection, integration.source().topic(), store,
                        () -> signal.wake(id), backOff, sessionExpiry, pauses);
                case NATS -> new NatsConsumer(id, connection, integration.source().topic(), store,
                        () -> signal.wake(id), backOff);
                default -> new QueueConsumer(id, brokers.computeIfAbsent(name, n -> broker(connection)),
                        integration.source().queue(), store, () -> signal.wake(id), backOff, pauses);
            };
            consumers.put(id, consumer);
            consumer.start();
        });
        running = true;
    }

    @Override
    public synchronized void stop() {
        consumers.values().forEach(BrokerConsumer::stop);
        consumers.clear();
        brokers.values().forEach(CachingConnectionFactory::destroy);
        brokers.clear();
        if (pauses != null) {
            pauses.shutdownNow();
            pauses = null;
        }
        running = false;
    }

    /** Whether this node takes the integration's messages now (false while paused after a failed store). */
    synchronized boolean isConsuming(String integration) {
        BrokerConsumer consumer = consumers.get(integration);
        return consumer != null && consumer.isConsuming();
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

    /**
     * The inbox commit, with one alert per outage: the first message that cannot be stored
     * raises it, the first stored afterwards resolves it; the consumer's own retries only count.
     */
    static QueueConsumer.Store reportingOutages(QueueConsumer.Store store, SourceOutages outages) {
        return (integration, deliveryId, body, contentType, headers) -> {
            try {
                store.accept(integration, deliveryId, body, contentType, headers);
            } catch (RuntimeException notStored) {
                outages.failed(integration, notStored);
                throw notStored;
            }
            outages.stored(integration);
        };
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

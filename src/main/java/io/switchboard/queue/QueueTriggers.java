package io.switchboard.queue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
import io.switchboard.inbox.InboxStore.Delivery;
import io.switchboard.integration.CardChanged;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.logging.OneLine;
import io.switchboard.source.SourceOutages;
import io.switchboard.source.SourceTriggers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts one consumer per integration with {@code trigger: queue}, on the connection its card's
 * {@code source} names: a {@link QueueConsumer} for an {@code amqp} queue, an
 * {@link MqttConsumer} for an {@code mqtt} topic filter, a {@link NatsConsumer} for a {@code nats}
 * JetStream subject. The platform consumes, not the route: the route still starts at
 * {@code inbox:<id>}. Every kind acknowledges only after the inbox commit, and a failed commit
 * raises one alert per outage ({@link SourceOutages}). Checked at start: a queue card names a
 * broker connection and what to read on it; a card added, removed or changed while the server
 * runs starts, stops or restarts its consumer. {@code switchboard.queue.enabled: false} keeps this
 * node off the brokers (a node that only serves webhooks; the tests that do not exercise queues).
 */
@Component
class QueueTriggers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(QueueTriggers.class);

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
    private final MeterRegistry meters;
    private final List<Meter> registered = new ArrayList<>();
    private final Duration sessionExpiry;
    private final String node;
    private final Map<String, CachingConnectionFactory> brokers = new LinkedHashMap<>();
    private final Map<String, BrokerConsumer> consumers = new LinkedHashMap<>();
    /** What each consumer was made from: a changed card restarts it only when this changed. */
    private final Map<String, IntegrationsProperties.Source> sources = new LinkedHashMap<>();
    private ScheduledExecutorService pauses;
    private volatile boolean running;

    QueueTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.queue.enabled:true}") boolean enabled,
            @Value("${switchboard.queue.back-off:5s}") Duration backOff,
            @Value("${switchboard.queue.mqtt-session-expiry:7d}") Duration sessionExpiry,
            @Value("${switchboard.node-id:}") String nodeId, @Value("${server.port:8080}") String port,
            ObjectProvider<MeterRegistry> meters) {
        this.integrations = integrations;
        this.connections = connections;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
        this.enabled = enabled;
        this.backOff = backOff;
        this.meters = meters.getIfAvailable();
        this.sessionExpiry = sessionExpiry;
        this.node = sessionNode(nodeId, port);
        integrations.all().forEach(this::check);
    }

    private void check(String id, Integration integration) {
        if (integration.trigger() != Trigger.QUEUE) {
            return;
        }
        String at = "switchboard.integrations." + id + ".source";
        ConnectionsProperties.Connection connection = SourceTriggers.connectionOf(id, integration, connections, BROKERS,
                "{connection: <an amqp connection>, queue: <the queue>} or {connection: <an mqtt or nats "
                        + "connection>, topic: <the topic filter or subject>}",
                "kind: amqp | mqtt | nats, url: amqp://host:5672/vhost, tcp://host:1883 or nats://host:4222");
        IntegrationsProperties.Source source = integration.source();
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
            if (integration.trigger() == Trigger.QUEUE) {
                startConsumer(id, integration);
            }
        });
        running = true;
    }

    private void startConsumer(String id, Integration integration) {
        if (pauses == null) {
            pauses = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "queue-pauses");
                thread.setDaemon(true);
                return thread;
            });
        }
        String name = integration.source().connection();
        ConnectionsProperties.Connection connection = connections.connections().get(name);
        QueueConsumer.Store store = new QueueConsumer.Store() {
            @Override
            public void accept(String integrationId, String deliveryId, byte[] body, String contentType,
                    String headers) {
                inbox.accept(integrationId, deliveryId, body, contentType, headers);
            }

            @Override
            public void acceptAll(String integrationId, List<Delivery> deliveries) {
                inbox.acceptAll(integrationId, deliveries);
            }
        };
        BrokerConsumer consumer = switch (connection.kind()) {
            case MQTT -> new MqttConsumer(id, mqttClientId(id), connection, integration.source().topic(),
                    reportingOutages(store, outages), () -> signal.wake(id), backOff, sessionExpiry, pauses);
            case NATS -> new NatsConsumer(id, connection, integration.source().topic(),
                    reportingOutages(store, outages), () -> signal.wake(id), backOff);
            // The AMQP consumer reports its outcomes itself: the alert goes out after the nack.
            default -> new QueueConsumer(id, brokers.computeIfAbsent(name, n -> broker(connection)),
                    integration.source().queue(), integration.source().batch(), store, outcomes(id), backOff, pauses);
        };
        consumers.put(id, consumer);
        sources.put(id, integration.source());
        measure(id, consumer);
        consumer.start();
    }

    /**
     * A queue card added, removed or given another source while the server runs (the dev
     * profile's reload): its consumer starts, stops or starts again, without a restart. A card
     * that cannot run (no such broker connection) is logged; the reload had accepted the card.
     */
    @EventListener
    public synchronized void cardChanged(CardChanged changed) {
        String id = changed.integration();
        if (!running) {
            return;
        }
        Optional<Integration> now = integrations.find(id).filter(integration -> integration.trigger() == Trigger.QUEUE);
        BrokerConsumer old = consumers.get(id);
        if (old != null && now.isPresent() && Objects.equals(sources.get(id), now.get().source())) {
            return;
        }
        if (old != null) {
            old.stop();
            consumers.remove(id);
            sources.remove(id);
            registered.removeIf(meter -> {
                boolean mine = id.equals(meter.getId().getTag("integration"));
                if (mine && meters != null) {
                    meters.remove(meter);
                }
                return mine;
            });
            log.info("queue source of integration '{}' stopped: its card {}", id,
                    now.isPresent() ? "changed its source" : "is gone or no longer reads a queue");
        }
        if (now.isPresent()) {
            try {
                check(id, now.get());
                startConsumer(id, now.get());
                log.info("queue source of integration '{}' started from its new card", id);
            } catch (RuntimeException refused) {
                log.error("queue source of integration '{}' not started, fix its card: {}", id,
                        OneLine.escape(String.valueOf(refused.getMessage())));
            }
        }
    }

    @Override
    public synchronized void stop() {
        consumers.values().forEach(BrokerConsumer::stop);
        if (meters != null) {
            // Bound to these consumers: a start after this registers new ones.
            registered.forEach(meters::remove);
        }
        registered.clear();
        consumers.clear();
        sources.clear();
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
    private void measure(String integration, BrokerConsumer consumer) {
        if (meters == null) {
            return;
        }
        registered.add(Gauge.builder("switchboard.queue.consuming", consumer, c -> c.isConsuming() ? 1 : 0)
                .description("1 while the queue trigger takes messages, 0 while it pauses or is stopped")
                .tag("integration", integration).register(meters));
        if (consumer instanceof QueueConsumer amqp) {
            registered.add(FunctionCounter.builder("switchboard.queue.pauses", amqp, QueueConsumer::pauses)
                    .description("pauses of the queue trigger after a message could not be stored")
                    .tag("integration", integration).register(meters));
        }
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

    /** This node's MQTT session for the integration. */
    String mqttClientId(String integration) {
        return MqttConsumer.clientId(integration, node);
    }

    /**
     * The node's part of its MQTT client ids: {@code switchboard.node-id} when set, else host
     * name and HTTP port, not the process id {@code NodeId} adds, which would start a new
     * session (and strand the old one's messages) on every restart.
     */
    static String sessionNode(String nodeId, String port) {
        if (!blank(nodeId)) {
            return nodeId;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException unknown) {
            host = "node";
        }
        return host + "-" + port;
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

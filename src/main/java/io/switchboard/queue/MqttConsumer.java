package io.switchboard.queue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.MqttOptions;
import io.switchboard.ingress.HeaderMask;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one MQTT 5 topic filter for one integration: every message is stored in the
 * integration's inbox and acknowledged (PUBACK) only once that commit returned. The session is
 * persistent (clean start off, a session expiry, client id {@code switchboard-<integration>-<node>},
 * the same on every start of the same node), so what arrives while this node is down, paused or
 * cut off waits at the broker, and a message received but never acknowledged is sent again when
 * the session resumes. Every node subscribes to the shared subscription
 * {@code $share/switchboard-<integration>/<filter>} (MQTT 5.0 §4.8.2), so the broker hands each
 * message to one node of the group rather than to all of them. When the store fails
 * the consumer leaves the message unacknowledged, disconnects for a back-off and resumes the
 * session, which brings that message back: an outage is a slow retry, not a loss.
 *
 * <p>Why Paho's client rather than Camel's {@code paho-mqtt5} consumer: since Camel 4.10 that
 * consumer can acknowledge at the end of the exchange ({@code manualAcksEnabled}), but on a
 * failed exchange it only logs, and MQTT never resends an unacknowledged message on a live
 * connection (MQTT 5.0 §4.4: only when the session resumes). Pausing it means stopping the
 * route from inside the exchange, which runs on Paho's callback thread, where Paho refuses to
 * disconnect (reason 32107). Here the pause runs off that thread. The subscription asks for
 * QoS 1, the highest Paho 1.2.5 acknowledges manually (its QoS 2 manual acks are broken,
 * eclipse-paho/paho.mqtt.java#994); a QoS 2 publish arrives as QoS 1. A QoS 0 publish has no
 * acknowledgement to withhold and is lost if it cannot be stored: publishers use QoS 1.
 *
 * @see <a href="https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html#_Toc3901238">MQTT 5.0 message delivery retry</a>
 */
final class MqttConsumer implements BrokerConsumer {

    private static final Logger log = LoggerFactory.getLogger(MqttConsumer.class);

    /** The highest QoS Paho acknowledges only when told to. */
    private static final int QOS = 1;

    private final String integration;
    private final String clientId;
    private final ConnectionsProperties.Connection connection;
    private final String topic;
    private final QueueConsumer.Store store;
    private final Runnable stored;
    private final Duration backOff;
    private final Duration sessionExpiry;
    private final ScheduledExecutorService pauses;
    private final AtomicBoolean paused = new AtomicBoolean(true);
    private final Object lifecycle = new Object();
    private volatile MqttClient client;
    private volatile boolean running;
    /** Whether the broker's absence was already logged: one warning per outage, not one per retry. */
    private boolean unreachableLogged;

    /**
     * @param clientId      this node's session, {@link #clientId(String, String)}
     * @param stored        called after each commit (wakes the integration's inbox consumers)
     * @param backOff       how long the consumer stays away after a failed commit or a failed connect
     * @param sessionExpiry how long the broker keeps the session (and its messages) while this node is away
     * @param pauses        connects, pauses and resumes off Paho's callback thread
     */
    MqttConsumer(String integration, String clientId, ConnectionsProperties.Connection connection, String topic,
            QueueConsumer.Store store, Runnable stored, Duration backOff, Duration sessionExpiry,
            ScheduledExecutorService pauses) {
        this.integration = integration;
        this.clientId = clientId;
        this.connection = connection;
        this.topic = topic;
        this.store = store;
        this.stored = stored;
        this.backOff = backOff;
        this.sessionExpiry = sessionExpiry;
        this.pauses = pauses;
    }

    /**
     * The session's client id: one per node, since a broker disconnects a client when another
     * connects with its id (MQTT 5.0 §3.1.4), and the same on every start of that node, so the
     * broker hands it its session back.
     */
    static String clientId(String integration, String node) {
        return "switchboard-" + integration + "-" + node;
    }

    /** The shared subscription all nodes join: one group per integration (its id holds no {@code / + #}). */
    static String sharedTopic(String integration, String topic) {
        return "$share/switchboard-" + integration + "/" + topic;
    }

    /** Connects in the background: a broker that is down at start is retried, it does not stop the server. */
    @Override
    public void start() {
        running = true;
        pauses.execute(this::connect);
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            running = false;
            paused.set(true);
            disconnect();
            if (client != null) {
                try {
                    client.close();
                } catch (MqttException ignored) {
                    // Closing a client that could not disconnect cleanly: the session stays at the broker either way.
                }
                client = null;
            }
        }
    }

    @Override
    public boolean isConsuming() {
        MqttClient current = client;
        return running && !paused.get() && current != null && current.isConnected();
    }

    private void connect() {
        synchronized (lifecycle) {
            if (!running) {
                return;
            }
            try {
                if (client != null && !client.isConnected()) {
                    // A fresh client for every session resume: one whose connection broke during a
                    // delivery did not connect again within 30 s in tests (Paho 1.2.5).
                    discard(client);
                    client = null;
                }
                if (client == null) {
                    client = new MqttClient(connection.url(), clientId, new MemoryPersistence());
                    client.setManualAcks(true);
                    client.setCallback(new Session(client));
                }
                // Taking messages again before CONNACK: a resumed session redelivers at once.
                paused.set(false);
                client.connect(options());
                subscribe();
                unreachableLogged = false;
            } catch (MqttException | RuntimeException failed) {
                paused.set(true);
                if (!unreachableLogged) {
                    log.warn("MQTT topic {} for integration {}: cannot connect to {} ({}); retrying every {}", topic,
                            integration, connection.url(), failed.toString(), backOff);
                }
                unreachableLogged = true;
                disconnect();
                pauses.schedule(this::connect, backOff.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private MqttConnectionOptions options() {
        // Reconnects are this consumer's own (see disconnected), with a fresh client each time.
        MqttConnectionOptions options = MqttOptions.of(connection);
        options.setCleanStart(false);
        options.setSessionExpiryInterval(sessionExpiry.toSeconds());
        // One unacknowledged message at a time: nothing waits in this node's memory during a pause.
        options.setReceiveMaximum(1);
        return options;
    }

    /**
     * Subscribes on every connect: a resumed session already has the subscription, a new or
     * expired one needs it. Retained messages only for a new subscription, so a reconnect does
     * not bring the retained message back as if it were new (a broker sends none on a shared
     * subscription anyway, MQTT 5.0 §4.8.2).
     */
    private void subscribe() throws MqttException {
        MqttSubscription subscription = new MqttSubscription(sharedTopic(integration, topic), QOS);
        subscription.setRetainHandling(1);
        client.subscribe(new MqttSubscription[] {subscription});
    }

    private static void discard(MqttClient old) {
        try {
            old.close(true);
        } catch (MqttException ignored) {
            // Its connection is gone already; the session lives at the broker, not in this object.
        }
    }

    private void disconnect() {
        MqttClient current = client;
        if (current != null && current.isConnected()) {
            try {
                current.disconnect();
            } catch (MqttException notCleanly) {
                try {
                    current.disconnectForcibly();
                } catch (MqttException ignored) {
                    // Already gone: the broker keeps the session and its unacknowledged message.
                }
            }
        }
    }

    /** One message from {@code owner}, the client it came on (acknowledged there and nowhere else). */
    private void arrived(MqttClient owner, String receivedOn, MqttMessage message) {
        if (paused.get() || owner != client) {
            // Not acknowledged (paused, or a client already replaced): the broker sends it again
            // when the session resumes.
            return;
        }
        String deliveryId = MqttDeliveryIds.of(receivedOn, message);
        try {
            store.accept(integration, deliveryId, message.getPayload(), contentType(message),
                    headers(receivedOn, message));
        } catch (RuntimeException notStored) {
            log.warn("MQTT topic {} for integration {}: message {} not stored ({}); left unacknowledged at the "
                    + "broker, consumer paused for {}", topic, integration, deliveryId, notStored.toString(), backOff);
            pause();
            return;
        }
        try {
            // On the client it came on: a packet id means nothing on a newer connection.
            owner.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException | RuntimeException notAcked) {
            // Stored but not acknowledged: the broker sends it again and the inbox calls it a duplicate.
            log.warn("MQTT topic {} for integration {}: stored {} but could not acknowledge it ({})", topic,
                    integration, deliveryId, notAcked.toString());
        }
        stored.run();
    }

    /** Disconnects off Paho's callback thread (Paho refuses it there) and resumes the session after the back-off. */
    private void pause() {
        if (!paused.compareAndSet(false, true)) {
            return;
        }
        pauses.execute(() -> {
            synchronized (lifecycle) {
                disconnect();
            }
            pauses.schedule(this::connect, backOff.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** The connection was lost or the broker disconnected us: resume the session after the back-off. */
    private void lost(MqttClient owner, MqttDisconnectResponse response) {
        if (owner != client || !running || !paused.compareAndSet(false, true)) {
            return;
        }
        log.warn("MQTT topic {} for integration {}: connection lost ({}); resuming the session in {}", topic,
                integration, response.getException() != null ? response.getException().toString()
                        : response.getReasonString(), backOff);
        pauses.schedule(this::connect, backOff.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Paho's callbacks for one client: a callback knows its client, so nothing is acked on another. */
    private final class Session implements MqttCallback {

        private final MqttClient owner;

        Session(MqttClient owner) {
            this.owner = owner;
        }

        @Override
        public void messageArrived(String receivedOn, MqttMessage message) {
            arrived(owner, receivedOn, message);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            lost(owner, response);
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // connect() subscribes once the connection is up.
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("MQTT topic {} for integration {}: {}", topic, integration, exception.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // This consumer publishes nothing.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // No enhanced authentication: user name and password only.
        }
    }

    private static String contentType(MqttMessage message) {
        String type = message.getProperties() == null ? null : message.getProperties().getContentType();
        return type == null || type.isBlank() ? "application/octet-stream" : type;
    }

    /**
     * What the route sees besides the body: the topic the message came on, its QoS, and the
     * publisher's user properties, those named like a credential masked as a webhook's are.
     */
    static String headers(String receivedOn, MqttMessage message) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (message.getProperties() != null && message.getProperties().getUserProperties() != null) {
            for (UserProperty property : message.getProperties().getUserProperties()) {
                headers.putIfAbsent(property.getKey().toLowerCase(Locale.ROOT), property.getValue());
            }
        }
        headers.put("mqtt-topic", receivedOn);
        headers.put("mqtt-qos", Integer.toString(message.getQos()));
        if (message.isRetained()) {
            headers.put("mqtt-retained", "true");
        }
        return HeaderMask.toJson(headers, null);
    }
}

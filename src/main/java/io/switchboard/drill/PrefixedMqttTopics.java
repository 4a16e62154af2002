package io.switchboard.drill;

import java.util.UUID;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.MqttOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * An mqtt connection's double: its own broker under {@code switchboard-drill/<marker>/<connection>/},
 * a subscriber to {@code <prefix>/#} counting what arrives ({@link TopicPrefixDouble}).
 */
final class PrefixedMqttTopics extends TopicPrefixDouble implements MqttCallback {

    private final String url;
    private final MqttClient subscriber;

    private PrefixedMqttTopics(String connection, String prefix, TcpFaultProxy proxy, String url,
            MqttClient subscriber) {
        super(connection, prefix, "/", proxy);
        this.url = url;
        this.subscriber = subscriber;
    }

    static PrefixedMqttTopics start(String connection, ConnectionsProperties.Connection settings, String marker) {
        String prefix = "switchboard-drill/" + marker + "/" + connection.replaceAll("[^A-Za-z0-9_-]", "_");
        TcpFaultProxy proxy = null;
        MqttClient subscriber = null;
        try {
            proxy = proxyFor(settings.url(), 1883);
            subscriber = new MqttClient(settings.url(), "switchboard-drill-" + UUID.randomUUID().toString()
                    .substring(0, 8), new MemoryPersistence());
            PrefixedMqttTopics started = new PrefixedMqttTopics(connection, prefix, proxy,
                    throughProxy(settings.url(), proxy), subscriber);
            subscriber.setCallback(started);
            MqttConnectionOptions options = MqttOptions.of(settings);
            options.setCleanStart(true);
            subscriber.setTimeToWait(settings.readTimeout().toMillis());
            subscriber.connect(options);
            subscriber.subscribe(prefix + "/#", 1);
            return started;
        } catch (Exception broken) {
            if (proxy != null) {
                proxy.close();
            }
            if (subscriber != null) {
                MqttOptions.closeQuietly(subscriber);
            }
            throw new IllegalStateException("the MQTT double (a topic prefix on the connection's broker) for "
                    + "connection " + connection + " could not start: " + broken.getMessage(), broken);
        }
    }

    @Override
    String throughProxyUrl() {
        return url;
    }

    @Override
    void publishSettled(String topic) throws MqttException {
        subscriber.publish(topic, new MqttMessage(new byte[0], 1, false, null));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        String messageId = null;
        if (message.getProperties() != null) {
            for (UserProperty property : message.getProperties().getUserProperties()) {
                if (property.getKey().equals("message-id")) {
                    messageId = property.getValue();
                }
            }
        }
        arrived(topic, messageId, message.getPayload());
    }

    @Override
    public String describe() {
        return "the connection's own MQTT broker under the topic prefix " + prefix + "/, which nothing else "
                + "publishes to or reads";
    }

    @Override
    public void close() {
        proxy.close();
        try {
            subscriber.unsubscribe(prefix + "/#");
        } catch (MqttException gone) {
            // the session ends below anyway (a clean start keeps nothing)
        }
        MqttOptions.closeQuietly(subscriber);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        // effects() says so when it hears nothing back
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        // as above
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
}

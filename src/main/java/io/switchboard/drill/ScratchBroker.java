package io.switchboard.drill;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.SystemDouble;
import io.switchboard.sandbox.EmbeddedAmqpBroker;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * An amqp connection's double: a throwaway AMQP 0-9-1 broker of the drill's own (Qpid Broker-J
 * in this process, the sandbox's broker's kind, on a free loopback port, in memory) with the
 * connection's virtual host and user and a random password, behind a {@link TcpFaultProxy}. A
 * message published to a queue it does not have makes the queue, so whatever the route
 * publishes stays there for the drill to count; none reaches the real broker.
 */
final class ScratchBroker implements DrillDouble {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String connection;
    private final String virtualHost;
    private final EmbeddedAmqpBroker broker;
    private final TcpFaultProxy proxy;
    private final CachingConnectionFactory factory;
    private final String username;
    private final String password;

    private ScratchBroker(String connection, String virtualHost, EmbeddedAmqpBroker broker, TcpFaultProxy proxy,
            CachingConnectionFactory factory, String username, String password) {
        this.connection = connection;
        this.virtualHost = virtualHost;
        this.broker = broker;
        this.proxy = proxy;
        this.factory = factory;
        this.username = username;
        this.password = password;
    }

    static ScratchBroker start(String connection, ConnectionsProperties.Connection settings, String marker) {
        String virtualHost = virtualHostOf(settings.url());
        String username = settings.username() == null || settings.username().isBlank() ? "drill"
                : settings.username();
        String password = UUID.randomUUID().toString();
        EmbeddedAmqpBroker broker = null;
        try {
            broker = EmbeddedAmqpBroker.start(marker + "-" + connection.replaceAll("[^A-Za-z0-9-]", "_"), 0,
                    virtualHost, username, password, true, JSON);
            TcpFaultProxy proxy = new TcpFaultProxy("127.0.0.1", broker.port());
            CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", proxy.port());
            factory.setVirtualHost(virtualHost);
            factory.setUsername(username);
            factory.setPassword(password);
            factory.setConnectionTimeout((int) settings.connectTimeout().toMillis());
            // As the connection's own publisher: the broker confirms each message before the call returns.
            factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
            return new ScratchBroker(connection, virtualHost, broker, proxy, factory, username, password);
        } catch (Exception broken) {
            if (broker != null) {
                broker.close();
            }
            throw new IllegalStateException("the AMQP broker double for connection " + connection + " could not "
                    + "start: " + broken.getMessage(), broken);
        }
    }

    /** The url's virtual host ({@code amqp://host/shop}: shop), else the broker's default one. */
    private static String virtualHostOf(String url) {
        String path = url == null ? null : URI.create(url).getRawPath();
        if (path == null || path.isBlank() || path.equals("/")) {
            return "default";
        }
        return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public SystemDouble clients() {
        return SystemDouble.amqpBroker(factory);
    }

    /** The broker's own port; the calls go to the proxy's. */
    int brokerPort() {
        return broker.port();
    }

    @Override
    public TcpFaultProxy proxy() {
        return proxy;
    }

    @Override
    public boolean refusesCredentials() {
        return true;
    }

    /** The calls log in with a wrong password (the broker closes the connection: ACCESS_REFUSED), or the right one again. */
    @Override
    public void refuseCredentials(boolean refuse) {
        factory.setPassword(refuse ? password + "-refused" : password);
        // The open connection logged in already: the next call opens a new one with the password now set.
        factory.resetConnection();
    }

    @Override
    public String describe() {
        return "a throwaway AMQP broker (Qpid Broker-J, virtual host " + virtualHost + ")";
    }

    /**
     * Messages whose body or message id names {@code instance}, by the queue they are in (the
     * routing key, through the default exchange): {@code "shop-broker message to orders.accepted" -> 1}.
     * Read without taking them: the channel closes with them unacknowledged, so they stay.
     */
    @Override
    public Map<String, Integer> effects(String instance) {
        Map<String, Integer> effects = new TreeMap<>();
        ConnectionFactory reader = new ConnectionFactory();
        reader.setHost("127.0.0.1");
        // Straight to the broker, not through the proxy: a cut-off double still shows what it kept.
        reader.setPort(broker.port());
        reader.setVirtualHost(virtualHost);
        reader.setUsername(username);
        reader.setPassword(password);
        reader.setAutomaticRecoveryEnabled(false);
        try (Connection reading = reader.newConnection("drill-effects")) {
            for (String queue : broker.queues()) {
                try (Channel channel = reading.createChannel()) {
                    GetResponse message;
                    while ((message = channel.basicGet(queue, false)) != null) {
                        String id = message.getProps().getMessageId();
                        if ((id != null && id.contains(instance))
                                || new String(message.getBody(), StandardCharsets.UTF_8).contains(instance)) {
                            effects.merge(connection + " message to " + queue, 1, Integer::sum);
                        }
                    }
                }
            }
        } catch (IOException | TimeoutException unreadable) {
            throw new IllegalStateException("the messages of " + connection + "'s double could not be read: "
                    + unreadable.getMessage(), unreadable);
        }
        return effects;
    }

    @Override
    public void close() {
        factory.destroy();
        proxy.close();
        broker.close();
    }
}

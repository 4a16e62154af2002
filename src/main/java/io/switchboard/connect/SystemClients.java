package io.switchboard.connect;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.journal.ClusterNodes;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

/**
 * The clients of the connections that are not HTTP, each made on first use and kept: a small
 * connection pool per database ({@code max-concurrent} connections), a mail sender per SMTP
 * server, a publisher with confirms per AMQP broker, a client per MQTT broker and NATS server. Credentials go from
 * {@code switchboard.connections.<name>} into the client and nowhere else.
 */
@Component
public class SystemClients implements DisposableBean {

    private final Map<String, SystemConnection> connections = new LinkedHashMap<>();
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private final Map<String, JavaMailSenderImpl> senders = new ConcurrentHashMap<>();
    private final Map<String, CachingConnectionFactory> brokers = new ConcurrentHashMap<>();
    private final Map<String, RabbitTemplate> publishers = new ConcurrentHashMap<>();
    private final Map<String, RabbitTemplate> doublePublishers = new ConcurrentHashMap<>();
    private final Map<String, MqttClient> mqttClients = new ConcurrentHashMap<>();
    private final Map<String, Connection> natsConnections = new ConcurrentHashMap<>();
    private final Map<String, MqttClient> mqttDoubleClients = new ConcurrentHashMap<>();
    private final Map<String, Connection> natsDoubleConnections = new ConcurrentHashMap<>();
    private final SystemDoubles doubles;

    @Autowired
    public SystemClients(ConnectionsProperties properties, ConnectionStates states, Clock clock,
            ClusterNodes clusterNodes) {
        this(properties, states, clock, clusterNodes::live);
    }

    /** @param liveNodes how many nodes share each connection's rate limit right now */
    SystemClients(ConnectionsProperties properties, ConnectionStates states, Clock clock, IntSupplier liveNodes) {
        this.doubles = new SystemDoubles(clock, this::closeDoubleClients);
        properties.connections().forEach((name, settings) -> {
            if (settings.kind() != ConnectionKind.HTTP) {
                connections.put(name, new SystemConnection(name, settings, states, clock, liveNodes));
            }
        });
    }

    /** The test doubles that stand in for these connections while a drill runs. */
    public SystemDoubles doubles() {
        return doubles;
    }

    /** The connection called {@code name}, if it is one that is not HTTP. */
    SystemConnection find(String name) {
        return connections.get(name);
    }

    /** The pooled DataSource of a {@code jdbc} connection: the outbox trigger reads through it too. */
    public HikariDataSource dataSource(String name) {
        SystemConnection connection = require(name, ConnectionKind.JDBC);
        return pools.computeIfAbsent(name, n -> {
            ConnectionsProperties.Connection settings = connection.settings();
            HikariConfig config = new HikariConfig();
            config.setPoolName("connection-" + n);
            config.setJdbcUrl(settings.url());
            config.setUsername(settings.username());
            config.setPassword(settings.password());
            config.setMaximumPoolSize(settings.maxConcurrent());
            config.setMinimumIdle(0);
            config.setConnectionTimeout(Math.max(250, settings.connectTimeout().toMillis()));
            // A pool that cannot open a connection at start still starts: the database may come later.
            config.setInitializationFailTimeout(-1);
            return new HikariDataSource(config);
        });
    }

    NamedParameterJdbcTemplate jdbc(String name) {
        return new NamedParameterJdbcTemplate(dataSource(name));
    }

    JavaMailSenderImpl mailSender(String name) {
        SystemConnection connection = require(name, ConnectionKind.MAIL);
        return senders.computeIfAbsent(name, n -> {
            ConnectionsProperties.Connection settings = connection.settings();
            URI url = URI.create(settings.url());
            String scheme = url.getScheme();
            if (!"smtp".equals(scheme) && !"smtps".equals(scheme)) {
                throw new IllegalArgumentException("Connection '" + n + "' sends mail, so its url must be "
                        + "smtp://host:port or smtps://host:port (it is " + scheme + "://...)");
            }
            JavaMailSenderImpl sender = new JavaMailSenderImpl();
            sender.setProtocol(scheme);
            sender.setHost(url.getHost());
            if (url.getPort() > 0) {
                sender.setPort(url.getPort());
            }
            if (settings.username() != null && !settings.username().isBlank()) {
                sender.setUsername(settings.username());
                sender.setPassword(settings.password());
            }
            Properties mail = sender.getJavaMailProperties();
            String timeout = String.valueOf(settings.connectTimeout().toMillis());
            mail.setProperty("mail." + scheme + ".connectiontimeout", timeout);
            mail.setProperty("mail." + scheme + ".timeout", String.valueOf(settings.readTimeout().toMillis()));
            mail.setProperty("mail." + scheme + ".writetimeout", String.valueOf(settings.readTimeout().toMillis()));
            mail.setProperty("mail." + scheme + ".auth", String.valueOf(sender.getUsername() != null));
            return sender;
        });
    }

    /** The connection's publisher: one template per connection, safe for concurrent calls. */
    RabbitTemplate publisher(String name) {
        return publishers.computeIfAbsent(name, n -> new RabbitTemplate(broker(n)));
    }

    /** A publisher to the broker a drill's double gives instead, kept until the double stands down. */
    RabbitTemplate publisher(String name, ConnectionFactory standIn) {
        return doublePublishers.compute(name, (n, known) ->
                known != null && known.getConnectionFactory() == standIn ? known : new RabbitTemplate(standIn));
    }

    private CachingConnectionFactory broker(String name) {
        SystemConnection connection = require(name, ConnectionKind.AMQP);
        return brokers.computeIfAbsent(name, n -> {
            ConnectionsProperties.Connection settings = connection.settings();
            CachingConnectionFactory created = new CachingConnectionFactory(URI.create(settings.url()));
            if (settings.username() != null && !settings.username().isBlank()) {
                created.setUsername(settings.username());
            }
            if (settings.password() != null) {
                created.setPassword(settings.password());
            }
            created.setConnectionTimeout((int) settings.connectTimeout().toMillis());
            // The broker confirms each message before the call returns: a published message is the broker's.
            created.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
            return created;
        });
    }

    /**
     * A connected MQTT 5 client for publishing (its own client id, a clean session: a publisher
     * keeps nothing at the broker); reconnected on the next call when the broker dropped it.
     */
    synchronized MqttClient mqtt(String name) throws MqttException {
        return mqtt(name, require(name, ConnectionKind.MQTT).settings().url(), mqttClients, "switchboard-publish-");
    }

    /** A client like {@link #mqtt(String)}'s, to the address a drill's double gives instead; closed when it stands down. */
    synchronized MqttClient mqtt(String name, SystemDouble.TopicPrefix standIn) throws MqttException {
        return mqtt(name, standIn.url(), mqttDoubleClients, "switchboard-drill-");
    }

    private MqttClient mqtt(String name, String url, Map<String, MqttClient> clients, String idPrefix)
            throws MqttException {
        SystemConnection connection = require(name, ConnectionKind.MQTT);
        MqttClient client = clients.get(name);
        if (client != null && client.isConnected()) {
            return client;
        }
        if (client != null) {
            MqttOptions.closeQuietly(client);
        }
        ConnectionsProperties.Connection settings = connection.settings();
        client = new MqttClient(url, idPrefix + name + "-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        MqttConnectionOptions options = MqttOptions.of(settings);
        options.setCleanStart(true);
        client.setTimeToWait(settings.readTimeout().toMillis());
        client.connect(options);
        clients.put(name, client);
        return client;
    }

    /** A NATS connection for publishing; jnats reconnects it by itself. */
    synchronized Connection nats(String name) throws IOException, InterruptedException {
        return nats(name, require(name, ConnectionKind.NATS).settings().url(), natsConnections, "switchboard-publish-");
    }

    /** A connection like {@link #nats(String)}'s, to the address a drill's double gives instead; closed when it stands down. */
    synchronized Connection nats(String name, SystemDouble.TopicPrefix standIn) throws IOException,
            InterruptedException {
        return nats(name, standIn.url(), natsDoubleConnections, "switchboard-drill-");
    }

    private Connection nats(String name, String url, Map<String, Connection> open, String namePrefix)
            throws IOException, InterruptedException {
        SystemConnection connection = require(name, ConnectionKind.NATS);
        Connection nats = open.get(name);
        if (nats != null && nats.getStatus() != Connection.Status.CLOSED) {
            return nats;
        }
        ConnectionsProperties.Connection settings = connection.settings();
        Options.Builder options = NatsOptions.of(settings, url, namePrefix + name);
        if (open == natsDoubleConnections) {
            // A double's connection closes when cut off rather than keeping the message to resend
            // on reconnect: the drill's retry sends it again, and each effect must show once.
            options.maxReconnects(0);
        }
        nats = Nats.connect(options.build());
        open.put(name, nats);
        return nats;
    }

    /** The clients a connection's double had its calls use, closed when the double stands down. */
    private synchronized void closeDoubleClients(String name) {
        MqttClient client = mqttDoubleClients.remove(name);
        if (client != null) {
            MqttOptions.closeQuietly(client);
        }
        NatsOptions.closeQuietly(natsDoubleConnections.remove(name));
        doublePublishers.remove(name);
    }

    private SystemConnection require(String name, ConnectionKind kind) {
        SystemConnection connection = connections.get(name);
        if (connection == null || connection.settings().kind() != kind) {
            throw new IllegalArgumentException("No connection '" + name + "' of kind " + kind.label()
                    + " under switchboard.connections");
        }
        return connection;
    }

    @Override
    public void destroy() {
        pools.values().forEach(HikariDataSource::close);
        brokers.values().forEach(CachingConnectionFactory::destroy);
        mqttClients.values().forEach(MqttOptions::closeQuietly);
        natsConnections.values().forEach(NatsOptions::closeQuietly);
        mqttDoubleClients.values().forEach(MqttOptions::closeQuietly);
        natsDoubleConnections.values().forEach(NatsOptions::closeQuietly);
    }
}

package io.switchboard.connect;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import io.nats.client.AuthenticationException;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.switchboard.connect.ConnectionState.Status;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;

/**
 * One cheap look at a system that is not called over HTTP: can the platform reach it, and does
 * it take our credentials? Brokers (amqp, mqtt, nats) and databases (jdbc) are logged in to and
 * left at once; a mail server must greet; a folder must exist and be writable. Never prints a secret: the detail names the host, not the URL's user part.
 */
final class SystemProbe {

    /** What the probe found: the state and, when not ok, why. */
    record Finding(Status status, String detail) {

        static final Finding OK = new Finding(Status.OK, null);
    }

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("amqp", 5672, "amqps", 5671, "tcp", 1883,
            "mqtt", 1883, "ssl", 8883, "nats", 4222, "imap", 143, "imaps", 993, "smtp", 587, "smtps", 465);

    private SystemProbe() {
    }

    static Finding of(ConnectionsProperties.Connection connection) {
        try {
            return switch (connection.kind()) {
                case AMQP -> amqp(connection);
                case JDBC -> jdbc(connection);
                case FILE -> folder(connection);
                case MQTT -> mqtt(connection);
                case NATS -> nats(connection);
                case MAIL -> greeting(connection);
                case HTTP -> Finding.OK;
            };
        } catch (RuntimeException unexpected) {
            return new Finding(Status.UNREACHABLE, unexpected.getClass().getSimpleName() + ": "
                    + String.valueOf(unexpected.getMessage()));
        }
    }

    private static Finding amqp(ConnectionsProperties.Connection connection) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(connection.url());
        } catch (Exception malformed) {
            return new Finding(Status.UNREACHABLE, "the url is not an amqp:// URL");
        }
        if (connection.username() != null && !connection.username().isBlank()) {
            factory.setUsername(connection.username());
        }
        if (connection.password() != null) {
            factory.setPassword(connection.password());
        }
        int timeout = (int) connection.connectTimeout().toMillis();
        factory.setConnectionTimeout(timeout);
        factory.setHandshakeTimeout(timeout);
        factory.setAutomaticRecoveryEnabled(false);
        try (var opened = factory.newConnection("switchboard-probe")) {
            return Finding.OK;
        } catch (AuthenticationFailureException refused) {
            return new Finding(Status.CREDENTIALS_REJECTED, where(connection) + " refused the user '"
                    + connection.username() + "'");
        } catch (IOException | TimeoutException unreachable) {
            return unreachable(connection, unreachable);
        }
    }

    private static Finding jdbc(ConnectionsProperties.Connection connection) {
        Properties login = new Properties();
        if (connection.username() != null) {
            login.setProperty("user", connection.username());
        }
        if (connection.password() != null) {
            login.setProperty("password", connection.password());
        }
        // Each driver names its own timeout (never DriverManager's, which is the whole JVM's).
        long seconds = Math.max(1, connection.connectTimeout().toSeconds());
        if (connection.url().startsWith("jdbc:postgresql:")) {
            login.setProperty("connectTimeout", String.valueOf(seconds));
            login.setProperty("loginTimeout", String.valueOf(seconds));
        } else if (connection.url().startsWith("jdbc:mariadb:") || connection.url().startsWith("jdbc:mysql:")) {
            login.setProperty("connectTimeout", String.valueOf(connection.connectTimeout().toMillis()));
        }
        try (Connection opened = DriverManager.getConnection(connection.url(), login)) {
            return opened.isValid((int) seconds) ? Finding.OK
                    : new Finding(Status.UNREACHABLE, "the database did not answer a validation query");
        } catch (SQLException failed) {
            String state = failed.getSQLState();
            if (state != null && state.startsWith("28")) {
                return new Finding(Status.CREDENTIALS_REJECTED, "the database at " + where(connection) + " refused the user '"
                        + connection.username() + "' (SQLSTATE " + state + ")");
            }
            return new Finding(Status.UNREACHABLE, "the database at " + where(connection) + " cannot be reached"
                    + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + firstLine(failed.getMessage()));
        }
    }

    private static Finding folder(ConnectionsProperties.Connection connection) {
        Path folder = Path.of(connection.path());
        if (!Files.isDirectory(folder)) {
            return new Finding(Status.UNREACHABLE, "the folder " + folder.toAbsolutePath() + " does not exist");
        }
        if (!Files.isReadable(folder) || !Files.isWritable(folder)) {
            return new Finding(Status.UNREACHABLE, "the folder " + folder.toAbsolutePath()
                    + " is not readable and writable by the server");
        }
        return Finding.OK;
    }

    private static Finding mqtt(ConnectionsProperties.Connection connection) {
        MqttClient client;
        try {
            client = new MqttClient(connection.url(), "switchboard-probe-" + UUID.randomUUID().toString().substring(0, 8),
                    new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException malformed) {
            return new Finding(Status.UNREACHABLE, "the url is not an MQTT URL (tcp://host:1883)");
        }
        MqttConnectionOptions options = MqttOptions.of(connection);
        options.setCleanStart(true);
        try {
            client.connect(options);
            client.disconnect();
            return Finding.OK;
        } catch (MqttException refused) {
            int reason = refused.getReasonCode();
            if (reason == MqttReturnCode.RETURN_CODE_BAD_USERNAME_OR_PASSWORD
                    || reason == MqttReturnCode.RETURN_CODE_NOT_AUTHORIZED) {
                return new Finding(Status.CREDENTIALS_REJECTED, where(connection) + " refused the user '"
                        + connection.username() + "' (MQTT reason " + reason + ")");
            }
            return unreachable(connection, refused);
        } finally {
            MqttOptions.closeQuietly(client);
        }
    }

    private static Finding nats(ConnectionsProperties.Connection connection) {
        Options.Builder options = NatsOptions.of(connection, connection.url(), "switchboard-probe").maxReconnects(0)
                .errorListener(new ErrorListener() { });
        try (var opened = Nats.connect(options.build())) {
            return Finding.OK;
        } catch (AuthenticationException refused) {
            return new Finding(Status.CREDENTIALS_REJECTED, where(connection) + " refused the user '"
                    + connection.username() + "'");
        } catch (IOException | IllegalArgumentException unreachable) {
            return unreachable(connection, unreachable);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new Finding(Status.UNREACHABLE, "the probe was interrupted");
        }
    }

    /**
     * IMAP and SMTP servers speak first: a greeting ({@code * OK}, {@code 220}) says the server,
     * not just something that accepts connections, is there.
     */
    private static Finding greeting(ConnectionsProperties.Connection connection) {
        URI uri;
        try {
            uri = URI.create(connection.url());
        } catch (IllegalArgumentException malformed) {
            return new Finding(Status.UNREACHABLE, "the url is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.endsWith("s")) {
            // imaps and smtps greet only after the TLS handshake: reaching the port is what is checked.
            return tcp(connection);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORTS.getOrDefault(scheme, -1);
        if (uri.getHost() == null || port < 0) {
            return new Finding(Status.UNREACHABLE, "the url names no host or port");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) connection.connectTimeout().toMillis());
            socket.setSoTimeout((int) connection.connectTimeout().toMillis());
            byte[] start = new byte[4];
            int read = socket.getInputStream().read(start);
            String greeting = read <= 0 ? "" : new String(start, 0, read, StandardCharsets.US_ASCII);
            if (greeting.startsWith("* OK") || greeting.startsWith("220")) {
                return Finding.OK;
            }
            return new Finding(Status.UNREACHABLE, where(connection) + " did not greet as a mail server"
                    + (read <= 0 ? " (it closed the connection)" : ""));
        } catch (IOException unreachable) {
            return unreachable(connection, unreachable);
        }
    }

    private static Finding tcp(ConnectionsProperties.Connection connection) {
        URI uri;
        try {
            uri = URI.create(connection.url());
        } catch (IllegalArgumentException malformed) {
            return new Finding(Status.UNREACHABLE, "the url is not a URL");
        }
        if (uri.getHost() == null) {
            return new Finding(Status.UNREACHABLE, "the url names no host");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORTS.getOrDefault(scheme, -1);
        if (port < 0) {
            return new Finding(Status.UNREACHABLE, "the url names no port");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) connection.connectTimeout().toMillis());
            return Finding.OK;
        } catch (IOException unreachable) {
            return unreachable(connection, unreachable);
        }
    }

    private static Finding unreachable(ConnectionsProperties.Connection connection, Exception why) {
        // The client's own exception often only wraps the cause that says what happened.
        Throwable cause = why;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return new Finding(Status.UNREACHABLE, where(connection) + " cannot be reached: "
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + firstLine(cause.getMessage())));
    }

    /** host:port of the URL, without its user part. */
    static String where(ConnectionsProperties.Connection connection) {
        String url = connection.url() == null ? "" : connection.url();
        try {
            URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
            return uri.getHost() == null ? "the system" : uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        } catch (IllegalArgumentException malformed) {
            return "the system";
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}

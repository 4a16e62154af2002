package io.switchboard.connect;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import io.switchboard.connect.ConnectionState.Status;

/**
 * One cheap look at a system that is not called over HTTP: can the platform reach it, and does
 * it take our credentials? A broker (amqp) and a database (jdbc) are logged in to and left at
 * once; mqtt, nats and mail are asked for a TCP connection; a folder must exist and be
 * writable. Never prints a secret: the detail names the host, not the URL's user part.
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
                case MQTT, NATS, MAIL -> tcp(connection);
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

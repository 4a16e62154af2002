package io.switchboard.connect;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * What stands in for a connection's system while a drill runs, as its client: a scratch
 * database's DataSource (jdbc), a mail sender to a throwaway mail server (mail), a temporary
 * folder (file), a connection factory of a throwaway AMQP broker (amqp), or a topic prefix on
 * the connection's own broker reached at another address (mqtt, nats). Only the field of the
 * connection's kind is set. The drill makes it, reads its effects and cuts it off
 * ({@code io.switchboard.drill}); {@link SystemDoubles} routes the calls.
 */
public record SystemDouble(DataSource dataSource, JavaMailSender mailSender, Path folder, ConnectionFactory broker,
        TopicPrefix topics) {

    /**
     * The connection's own MQTT or NATS broker, under a prefix nothing else reads.
     *
     * @param url    where to connect instead of the connection's url (a fault proxy in front of it)
     * @param prefix put before every topic ({@code <prefix>/<topic>}) or subject ({@code <prefix>.<subject>})
     */
    public record TopicPrefix(String url, String prefix) {
    }

    public static SystemDouble database(DataSource dataSource) {
        return new SystemDouble(dataSource, null, null, null, null);
    }

    public static SystemDouble mailServer(JavaMailSender sender) {
        return new SystemDouble(null, sender, null, null, null);
    }

    public static SystemDouble folder(Path folder) {
        return new SystemDouble(null, null, folder, null, null);
    }

    public static SystemDouble amqpBroker(ConnectionFactory broker) {
        return new SystemDouble(null, null, null, broker, null);
    }

    public static SystemDouble topicPrefix(String url, String prefix) {
        return new SystemDouble(null, null, null, null, new TopicPrefix(url, prefix));
    }
}

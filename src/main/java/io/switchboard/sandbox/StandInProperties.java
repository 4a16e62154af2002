package io.switchboard.sandbox;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.sandbox.stand-ins.*}: the sandbox's in-process stand-ins for systems that
 * speak their own protocols, each switched on by itself (all on in the demo profile, off
 * elsewhere; never in the {@code postgres} or {@code cluster} profile). A port of {@code 0}
 * is replaced by a free port before anything binds it ({@link StandInSecrets}), so the
 * connections that point at the stand-in know where it listens.
 */
@ConfigurationProperties("switchboard.sandbox.stand-ins")
public record StandInProperties(Broker broker, MailServer mailServer, ShopDb shopDb, Drop drop) {

    public StandInProperties {
        broker = broker == null ? new Broker(false, 0, null, null, null, null) : broker;
        mailServer = mailServer == null ? new MailServer(false, 0, 0, null, null, null) : mailServer;
        shopDb = shopDb == null ? new ShopDb(false, null, null, null) : shopDb;
        drop = drop == null ? new Drop(false, null, null) : drop;
    }

    /**
     * An AMQP 0-9-1 broker (Apache Qpid Broker-J, in memory) on 127.0.0.1.
     *
     * @param port        where it listens (default 5673, beside a real RabbitMQ's 5672)
     * @param virtualHost its one virtual host
     * @param username    the one user
     * @param password    that user's password: the broker connection's, generated when not set
     * @param queues      durable queues declared at start (default: {@code orders}, which order-intake
     *                    reads, and {@code orders.accepted}, which partner-orders publishes to)
     */
    public record Broker(boolean enabled, int port, String virtualHost, String username, String password,
            List<String> queues) {

        public Broker {
            virtualHost = blank(virtualHost) ? "shop" : virtualHost;
            username = blank(username) ? "switchboard" : username;
            queues = queues == null ? List.of("orders", "orders.accepted") : List.copyOf(queues);
        }

        @Override
        public String toString() {
            return "Broker[port=" + port + ", virtualHost=" + virtualHost + ", username=" + username + ", queues="
                    + queues + ", password=***]";
        }
    }

    /**
     * A mail server (GreenMail) with SMTP and IMAP on 127.0.0.1 and one mailbox.
     *
     * @param smtpPort where SMTP listens (default 3025)
     * @param imapPort where IMAP listens (default 3143)
     * @param address  the mailbox's address
     * @param username the mailbox's login
     * @param password its password: the mailbox connection's, generated when not set
     */
    public record MailServer(boolean enabled, int smtpPort, int imapPort, String address, String username,
            String password) {

        public MailServer {
            address = blank(address) ? "support@shop.example" : address;
            username = blank(username) ? "support" : username;
        }

        @Override
        public String toString() {
            return "MailServer[smtpPort=" + smtpPort + ", imapPort=" + imapPort + ", address=" + address
                    + ", username=" + username + ", password=***]";
        }
    }

    /**
     * The shop's own database (H2) with its {@code orders} and {@code outbox} tables.
     *
     * @param url      its JDBC URL (default an in-memory database of this server's process)
     * @param username its user
     * @param password that user's password: the jdbc connection's, generated when not set
     */
    public record ShopDb(boolean enabled, String url, String username, String password) {

        public ShopDb {
            url = blank(url) ? "jdbc:h2:mem:sandbox-shop;DB_CLOSE_DELAY=-1" : url;
            username = blank(username) ? "shop" : username;
        }

        @Override
        public String toString() {
            return "ShopDb[url=" + url + ", username=" + username + ", password=***]";
        }
    }

    /**
     * A folder a partner drops files into.
     *
     * @param directory its root; each sub-folder is one drop folder (default {@code ./data/drop})
     */
    /** {@code folders}: made at start, so a {@code file} trigger on one finds it on a fresh clone. */
    public record Drop(boolean enabled, Path directory, List<String> folders) {

        public Drop {
            directory = directory == null ? Path.of("data", "drop") : directory;
            folders = folders == null ? List.of() : List.copyOf(folders);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

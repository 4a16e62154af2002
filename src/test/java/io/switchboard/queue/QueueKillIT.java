package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.switchboard.storage.Databases;
import io.switchboard.support.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a server consuming a real RabbitMQ queue while orders keep arriving: the
 * server runs as a process of its own on a PostgreSQL database of its own, each order mails its
 * customer in a once-only step (the sandbox's mail API keeps the Idempotency-Key), and the node
 * is killed with SIGKILL when a third of the orders are done, then started again. Every message
 * must become exactly one event that ends DONE, every customer get exactly one mail, and the
 * queue end empty. A message taken but not yet stored goes back to the queue with the killed
 * connection; one stored but not acknowledged comes back as a duplicate of its event; an event
 * in hand comes back to the inbox when its lease (5 s) runs out.
 */
class QueueKillIT {

    private static final int ORDERS = Integer.getInteger("switchboard.test.queue-kill-orders", 300);
    private static final String QUEUE = "kill-orders";
    private static final String INTEGRATION = "queue-kill";
    private static final String MAIL_KEY = "queue-kill-mail-key";

    private String database;
    private TestBroker broker;
    private ServerProcess server;

    @AfterEach
    void stopAndDrop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            Databases.dropPostgresDatabase(database);
        }
    }

    @Test
    void aNodeKilledMidRunLeavesEveryMessageOneDoneEventAndEveryCustomerOneMail() throws Exception {
        database = Databases.newPostgresDatabase("queue_kill");
        broker = new TestBroker("sb-test-queue-kill-" + UUID.randomUUID().toString().substring(0, 8));
        broker.declareQueue(QUEUE);
        Path routes = Files.createTempDirectory("queue-kill-routes");
        for (String file : List.of("queue-kill.camel.yaml", "queue-kill.card.yaml")) {
            Files.copy(Path.of("src", "test", "resources", "kill-routes", file), routes.resolve(file));
        }
        server = new ServerProcess("queue-kill", Path.of("target", "queue-kill-it"), List.of(
                "--spring.profiles.active=postgres",
                "--spring.datasource.url=" + Databases.postgresDatabaseUrl(database),
                "--spring.datasource.username=" + Databases.POSTGRES_USER,
                "--spring.datasource.password=",
                "--switchboard.security.admin.password=queue-kill-admin-password",
                "--switchboard.routes.directory=" + routes,
                "--switchboard.queue.back-off=1s",
                "--switchboard.connections.kill-broker.kind=amqp",
                "--switchboard.connections.kill-broker.url=" + broker.url(),
                "--switchboard.connections.kill-broker.username=guest",
                "--switchboard.connections.kill-broker.password=${KILL_BROKER_PASSWORD}",
                "--switchboard.connections.mail.rate-limit=1000",
                "--switchboard.sandbox.enabled=true",
                "--switchboard.sandbox.mail.api-key=" + MAIL_KEY),
                Map.of("KILL_BROKER_PASSWORD", "guest", "MAIL_API_KEY", MAIL_KEY,
                        "SWITCHBOARD_ENCRYPTION_KEY", "cXVldWUta2lsbC10ZXN0LXRva2VuLWtleS0zMi1ieSE="));
        server.start();
        server.awaitReady(Duration.ofMinutes(3));

        int doneAtKill;
        int storedAtKill;
        try (TestPublisher publisher = new TestPublisher(broker, QUEUE, "kill", ORDERS).start(20)) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from event where integration = 'queue-kill' and status = 'DONE'")
                            >= ORDERS / 3);
            server.kill();
            doneAtKill = count("select count(*) from event where integration = 'queue-kill' and status = 'DONE'");
            storedAtKill = count("select count(*) from event where integration = 'queue-kill'");
            server.start();
            server.awaitReady(Duration.ofMinutes(3));
            await().atMost(Duration.ofMinutes(1)).until(publisher::finished);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    count("select count(*) from event where integration = 'queue-kill' and status = 'DONE'")
                            >= publisher.count() && broker.ready(QUEUE) == 0);
            assertPublishedOnceEach(publisher.published(), doneAtKill, storedAtKill);
        }
    }

    private void assertPublishedOnceEach(Set<String> published, int doneAtKill, int storedAtKill) throws Exception {
        Map<String, Integer> eventsPerMessage = new HashMap<>();
        Map<String, String> statusOf = new HashMap<>();
        query("select delivery_id, status from event where integration = 'queue-kill'", rs -> {
            eventsPerMessage.merge(rs.getString(1), 1, Integer::sum);
            statusOf.put(rs.getString(1), rs.getString(2));
        });
        Map<String, Integer> mailsPerCustomer = new HashMap<>();
        query("select recipient from sandbox_mail_message where recipient like '%@queue-kill.test'",
                rs -> mailsPerCustomer.merge(rs.getString(1).replace("@queue-kill.test", ""), 1, Integer::sum));
        int resumed = count("select count(*) from event where integration = 'queue-kill' and attempts > 1");
        int answeredFromKey = count("select count(*) from event_step where step = 'order-mail' and outcome = "
                + "'already-done'");
        int duplicates = count("select count(*) from event_step s join event e on e.id = s.event_id where "
                + "e.integration = 'queue-kill' and s.step = 'duplicate-delivery'");
        int deadLetters = count("select count(*) from dead_letter");
        System.out.printf("queue kill: published=%d events=%d done=%d doneAtKill=%d storedAtKill=%d resumedEvents=%d "
                        + "redeliveredDuplicates=%d mailsAnsweredFromIdempotencyKey=%d mails=%d doubledMails=%d lost=%d "
                        + "deadLetters=%d%n", published.size(), eventsPerMessage.size(),
                statusOf.values().stream().filter("DONE"::equals).count(), doneAtKill, storedAtKill, resumed, duplicates,
                answeredFromKey, mailsPerCustomer.values().stream().mapToInt(Integer::intValue).sum(),
                mailsPerCustomer.values().stream().filter(n -> n > 1).count(),
                published.stream().filter(id -> !eventsPerMessage.containsKey(id)).count(), deadLetters);

        assertThat(published).hasSize(ORDERS);
        assertThat(doneAtKill).as("killed mid-run").isLessThan(ORDERS);
        assertThat(eventsPerMessage.keySet()).as("every message one event, none lost")
                .containsExactlyInAnyOrderElementsOf(published);
        assertThat(eventsPerMessage.values()).allMatch(n -> n == 1);
        assertThat(statusOf.values()).allMatch("DONE"::equals);
        assertThat(mailsPerCustomer.keySet()).as("every customer mailed").containsExactlyInAnyOrderElementsOf(published);
        assertThat(mailsPerCustomer.values()).as("no mail doubled").allMatch(n -> n == 1);
        assertThat(deadLetters).isZero();
        assertThat(broker.ready(QUEUE)).isZero();
        assertThat(count("select count(*) from inbox where integration = 'queue-kill'")).isZero();
    }

    private int count(String sql) throws Exception {
        int[] value = new int[1];
        query(sql, rs -> value[0] = rs.getInt(1));
        return value[0];
    }

    private interface Row {
        void read(ResultSet rs) throws Exception;
    }

    private void query(String sql, Row row) throws Exception {
        try (Connection c = DriverManager.getConnection(Databases.postgresDatabaseUrl(database),
                Databases.POSTGRES_USER, ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
            }
        }
    }
}

package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.journal.EventMetrics;
import io.switchboard.journal.Journal;
import io.switchboard.journal.NodeId;
import io.switchboard.storage.Database;
import io.switchboard.storage.Databases;
import io.switchboard.storage.GroupCommit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** On PostgreSQL, consumers on two nodes claim with SKIP LOCKED and share the inbox without taking a row twice. */
class InboxPostgresIT {

    private String schema;
    private HikariDataSource dataSource;
    private GroupCommit groupCommit;

    @BeforeEach
    void createSchema() throws Exception {
        schema = Databases.newPostgresSchema("inbox");
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(Databases.postgresUrl(schema));
        dataSource.setUsername(Databases.POSTGRES_USER);
        dataSource.setMaximumPoolSize(12);
        groupCommit = new GroupCommit(dataSource, 2, 64, Duration.ofSeconds(30));
        groupCommit.start();
        Flyway.configure().dataSource(dataSource).schemas(schema).locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
    }

    @AfterEach
    void dropSchema() throws Exception {
        groupCommit.stop();
        dataSource.close();
        Databases.dropPostgresSchema(schema);
    }

    @Test
    void twoNodesWithConcurrentConsumersProcessEachOf2000RowsExactlyOnce() throws Exception {
        InboxStore nodeA = store("node-a");
        InboxStore nodeB = store("node-b");
        int events = 2000;
        for (int i = 0; i < events; i++) {
            (i % 2 == 0 ? nodeA : nodeB).accept("load", "delivery-" + i, ("{\"n\":" + i + "}").getBytes(), "application/json", null);
        }
        Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            InboxStore node = w % 2 == 0 ? nodeA : nodeB;
            results.add(workers.submit(() -> {
                int mine = 0;
                while (true) {
                    var claimed = node.claim("load", Duration.ofMinutes(5));
                    if (claimed.isEmpty()) {
                        return mine;
                    }
                    processed.computeIfAbsent(claimed.get().eventId(), id -> new AtomicInteger()).incrementAndGet();
                    node.complete(claimed.get(), 0);
                    mine++;
                }
            }));
        }
        int total = 0;
        List<Integer> perWorker = new ArrayList<>();
        for (Future<Integer> result : results) {
            int count = result.get();
            perWorker.add(count);
            total += count;
        }
        workers.shutdown();
        System.out.printf("inbox on PostgreSQL: %d events, 2 nodes x 4 consumers, per consumer %s%n", total, perWorker);

        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(total).isEqualTo(events);
        assertThat(processed).hasSize(events);
        assertThat(processed.values()).allSatisfy(count -> assertThat(count.get()).isOne());
        assertThat(jdbc.queryForObject("select count(*) from event where status = 'DONE'", Integer.class)).isEqualTo(events);
        assertThat(jdbc.queryForObject("select count(*) from inbox", Integer.class)).isZero();
        assertThat(perWorker).allSatisfy(count -> assertThat(count).isPositive());
        assertThat(jdbc.queryForList("select distinct node_id from event", String.class))
                .containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void repeatedDeliveryIsRefusedByTheDatabaseConstraint() {
        InboxStore nodeA = store("node-a");
        InboxStore nodeB = store("node-b");
        var first = nodeA.accept("load", "same-delivery", "{}".getBytes(), "application/json", null);
        var second = nodeB.accept("load", "same-delivery", "{}".getBytes(), "application/json", null);
        assertThat(first.duplicate()).isFalse();
        assertThat(second.duplicate()).isTrue();
        assertThat(second.eventId()).isEqualTo(first.eventId());
        assertThat(new JdbcTemplate(dataSource).queryForObject("select count(*) from inbox", Integer.class)).isOne();
    }

    @Test
    void aRedeliveredBatchStoresOnlyItsNewMessagesEachOnce() {
        InboxStore node = store("node-a");
        List<InboxStore.Accepted> firstBatch = node.acceptAll("load", List.of(delivery("batch-1"), delivery("batch-2")));
        assertThat(firstBatch).extracting(InboxStore.Accepted::duplicate).containsExactly(false, false);

        // The broker redelivers the batch (the ack was lost) with a message that came after it.
        List<InboxStore.Accepted> again = node.acceptAll("load",
                List.of(delivery("batch-1"), delivery("batch-2"), delivery("batch-3")));

        assertThat(again).extracting(InboxStore.Accepted::duplicate).containsExactly(true, true, false);
        assertThat(again.get(0).eventId()).isEqualTo(firstBatch.get(0).eventId());
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(jdbc.queryForObject("select count(*) from inbox", Integer.class)).isEqualTo(3);
        assertThat(jdbc.queryForObject("select count(*) from event_step where step = 'received'", Integer.class))
                .isEqualTo(3);
    }

    private static InboxStore.Delivery delivery(String id) {
        return new InboxStore.Delivery(id, ("{\"id\":\"" + id + "\"}").getBytes(), "application/json", null);
    }

    @Test
    void anEventWhoseLeaseRanOutIsClaimedAgainAsResumedWithItsAttemptCounted() {
        InboxStore deadNode = store("node-a");
        // The survivor's clock is two minutes on: the dead node's one-minute lease has run out.
        InboxStore survivor = store("node-b", Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2)));
        var accepted = deadNode.accept("load", "delivery-resumed", "{\"n\":1}".getBytes(), "application/json",
                "{\"webhook-id\":\"delivery-resumed\"}");
        var first = deadNode.claimBatch("load", Duration.ofMinutes(1), 5);
        assertThat(first).singleElement().satisfies(claimed -> {
            assertThat(claimed.eventId()).isEqualTo(accepted.eventId());
            assertThat(claimed.attempt()).isOne();
            assertThat(claimed.resumed()).isFalse();
            assertThat(claimed.payload()).isEqualTo("{\"n\":1}");
            assertThat(claimed.headers()).contains("delivery-resumed");
            assertThat(claimed.deliveryId()).isEqualTo("delivery-resumed");
            assertThat(claimed.receivedAt()).isNotNull();
        });
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(jdbc.queryForObject("select lease_owner from inbox", String.class)).isEqualTo("node-a");
        assertThat(deadNode.claimBatch("load", Duration.ofMinutes(1), 5)).as("leased to node-a").isEmpty();
        var again = survivor.claimBatch("load", Duration.ofMinutes(5), 5);
        assertThat(again).singleElement().satisfies(claimed -> {
            assertThat(claimed.attempt()).isEqualTo(2);
            assertThat(claimed.resumed()).isTrue();
        });
        assertThat(survivor.claimBatch("load", Duration.ofMinutes(5), 5)).as("leased to node-b now").isEmpty();
        survivor.complete(again.get(0), 3);
        assertThat(jdbc.queryForObject("select status from event", String.class)).isEqualTo("DONE");
        assertThat(jdbc.queryForObject("select finished_at is not null from event", Boolean.class)).isTrue();
        assertThat(jdbc.queryForList("select step || ':' || outcome || ':' || coalesce(duration_ms, -1) || ':' || node_id "
                + "from event_step order by id", String.class))
                .containsExactly("received:ok:-1:node-a", "done:ok:3:node-b");
        assertThat(jdbc.queryForObject("select count(*) from inbox", Integer.class)).isZero();
    }

    private InboxStore store(String nodeName) {
        return store(nodeName, Clock.systemUTC());
    }

    private InboxStore store(String nodeName, Clock clock) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        NodeId node = new NodeId(nodeName);
        return new InboxStore(jdbc, tx, new Journal(jdbc, node, clock), node, clock, new DeadLetterStore(jdbc, clock),
                new EventMetrics(new SimpleMeterRegistry(), jdbc,
                        new IntegrationsProperties(Map.of())),
                new Database(dataSource), groupCommit);
    }
}

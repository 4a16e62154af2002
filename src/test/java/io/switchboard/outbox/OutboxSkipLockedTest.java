package io.switchboard.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.source.SourceNotStoredException;
import io.switchboard.source.SourcePause;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.ScheduledPollConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The outbox source's Camel JPA endpoint against the real PostgreSQL and MariaDB, without the
 * server: two nodes polling one table never take the same row (SKIP LOCKED), and a row whose
 * store fails stays unprocessed while the rows stored before it are marked, the route pauses and
 * takes the row again after its back-off (also on H2, which has no SKIP LOCKED: one node).
 */
class OutboxSkipLockedTest {

    private static final Duration BACK_OFF = Duration.ofSeconds(3);

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void twoNodesPollingOneTableNeverTakeTheSameRow(String database) throws Exception {
        try (ShopDatabase shop = shop(database);
             OutboxDatabases nodeA = new OutboxDatabases();
             OutboxDatabases nodeB = new OutboxDatabases()) {
            List<String> ids = insertRows(shop, 20);
            Map<String, List<String>> taken = new ConcurrentHashMap<>();
            // Each node's first row waits for the other's: both hold a locked batch at the same time,
            // so the second query must pass over the first's rows rather than wait for them.
            CyclicBarrier bothHoldRows = new CyclicBarrier(2);
            AtomicBoolean metTheOther = new AtomicBoolean(true);
            Map<String, Boolean> first = new ConcurrentHashMap<>();
            List<CamelContext> nodes = new ArrayList<>();
            for (String node : List.of("a", "b")) {
                nodes.add(start(node, shop, node.equals("a") ? nodeA : nodeB, 5, exchange -> {
                    String id = exchange.getProperty(OutboxRows.ROW, OutboxEvent.class).getId();
                    taken.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(node);
                    if (first.putIfAbsent(node, true) == null) {
                        try {
                            bothHoldRows.await(20, TimeUnit.SECONDS);
                        } catch (Exception timedOut) {
                            metTheOther.set(false);
                        }
                    }
                }));
            }
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> shop.pending().isEmpty());
            } finally {
                nodes.forEach(CamelContext::stop);
            }

            assertThat(metTheOther).as("each node held rows while the other polled").isTrue();
            assertThat(taken.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(taken.values()).allSatisfy(takers -> assertThat(takers).hasSize(1));
            assertThat(taken.values().stream().flatMap(List::stream).distinct()).containsExactlyInAnyOrder("a", "b");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb", "h2"})
    void aRowWhoseStoreFailsStaysAndIsTakenAfterTheBackOff(String database) throws Exception {
        try (ShopDatabase shop = shop(database); OutboxDatabases node = new OutboxDatabases()) {
            List<String> ids = insertRows(shop, 3);
            List<String> stored = new CopyOnWriteArrayList<>();
            List<String> before = new CopyOnWriteArrayList<>();
            String failing = ids.get(1);
            AtomicBoolean failed = new AtomicBoolean();
            CamelContext camel = start("a", shop, node, 10, exchange -> {
                String id = exchange.getProperty(OutboxRows.ROW, OutboxEvent.class).getId();
                if (id.equals(failing) && failed.compareAndSet(false, true)) {
                    before.addAll(stored);
                    throw new SourceNotStoredException("test", "outbox:outbox:" + id,
                            new IllegalStateException("platform database unreachable"));
                }
                stored.add(id);
            });
            try {
                await().atMost(Duration.ofSeconds(30)).untilTrue(failed);
                ScheduledPollConsumer consumer = (ScheduledPollConsumer) camel.getRoute("source-a").getConsumer();
                await().atMost(Duration.ofSeconds(10)).until(consumer::isSuspended);
                // The rows stored before the failure are marked in the same poll; the failed row is not.
                await().atMost(Duration.ofSeconds(10)).until(() -> allProcessed(shop, before));
                assertThat(shop.processed(failing)).as("the row whose store failed").isFalse();
                assertThat(stored).doesNotContain(failing);

                await().atMost(Duration.ofSeconds(30)).until(() -> shop.pending().isEmpty());
                assertThat(stored).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(consumer.isSuspended()).isFalse();
            } finally {
                camel.stop();
            }
        }
    }

    private static boolean allProcessed(ShopDatabase shop, List<String> ids) throws SQLException {
        for (String id : ids) {
            if (!shop.processed(id)) {
                return false;
            }
        }
        return true;
    }

    private interface Store {
        void accept(Exchange exchange);
    }

    /** One node's source route as OutboxTriggers builds it, with the test's store in place of the inbox. */
    private static CamelContext start(String node, ShopDatabase shop, OutboxDatabases databases, int batchSize,
            Store store) throws Exception {
        Connection connection = new Connection(ConnectionKind.JDBC, null, null, null, null, 0, 0, null, shop.url,
                shop.user, "", null);
        OutboxDatabases.Table reader = databases.table("shop", connection, "outbox", 3);
        OutboxTableWatch watch = new OutboxTableWatch(node, "shop", "outbox", reader.database());
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(noErrorHandler());
                from(OutboxEndpoints.endpoint(getContext(), "shop", "outbox", reader, watch, batchSize,
                        Duration.ofMillis(50)))
                        .routeId("source-" + node)
                        .routePolicy(SourcePause.after(BACK_OFF))
                        .process(new OutboxRows())
                        .process(store::accept);
            }
        });
        camel.start();
        return camel;
    }

    private static ShopDatabase shop(String database) throws SQLException {
        return switch (database) {
            case "postgres" -> ShopDatabase.postgres();
            case "mariadb" -> ShopDatabase.mariaDb();
            default -> ShopDatabase.h2();
        };
    }

    private static List<String> insertRows(ShopDatabase shop, int count) throws SQLException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            shop.insert(id, "order", "o-" + i, "order.placed", "{\"n\": " + i + "}");
            ids.add(id);
        }
        return Collections.unmodifiableList(ids);
    }
}

package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.source.SourceOutages;
import io.switchboard.storage.Databases;
import io.switchboard.support.IntegrationTestSupport;
import io.switchboard.support.TcpFaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The platform database cut off (a TCP proxy resetting every connection, not a stopped server)
 * for longer than every retry window of the queue trigger, while orders keep arriving on a real
 * RabbitMQ queue: the consumer pauses and resumes by itself, the messages wait in the queue,
 * one alert tells of it, and afterwards every message is one event that is DONE, with its
 * once-only effect done once. The windows are short here (back-off 1 s, pool timeout 1 s,
 * lease 3 s); {@code bench/source-outage.sh} does the same with the defaults and a 2-minute cut.
 */
@TestPropertySource(properties = {
        "switchboard.queue.enabled=true",
        "switchboard.queue.back-off=1s",
        // A connection the pool cannot get fails after a second instead of five.
        "spring.datasource.hikari.connection-timeout=1000",
        "spring.datasource.hikari.validation-timeout=500",
        "switchboard.storage.group-commit.timeout=3s",
        "switchboard.inbox.group-commit.timeout=3s",
        "camel.main.routes-include-pattern=file:${switchboard.routes.directory}/*.camel.yaml,"
                + "classpath:test-routes/*.camel.yaml,classpath:outage-routes/*.camel.yaml",
        "switchboard.integrations.queue-outage.trigger=queue",
        "switchboard.integrations.queue-outage.source.connection=outage-broker",
        "switchboard.integrations.queue-outage.source.queue=" + QueueStoreOutageTest.QUEUE,
        "switchboard.integrations.queue-outage.card.description=Orders from the queue, through a database outage",
        "switchboard.integrations.queue-outage.card.owner=tests",
        "switchboard.integrations.queue-outage.inbox.concurrency=2",
        "switchboard.integrations.queue-outage.inbox.lease=3s",
        "switchboard.integrations.queue-outage.inbox.retry-delay=200ms",
        "switchboard.integrations.queue-outage.inbox.max-retry-delay=1s",
        "switchboard.connections.outage-broker.kind=amqp",
        "switchboard.connections.outage-broker.username=guest",
        "switchboard.connections.outage-broker.password=${OUTAGE_BROKER_PASSWORD:guest}" })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class QueueStoreOutageTest extends IntegrationTestSupport {

    static final String QUEUE = "outage-orders";
    private static final String INTEGRATION = "queue-outage";
    /** Longer than the back-off, the pool's timeout, the group commits' timeouts and the lease together. */
    private static final Duration CUT = Duration.ofSeconds(15);

    private static TestBroker broker;
    private static TcpFaultProxy database;
    private static String databaseName;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private RecordingAlertSink alerts;

    @Autowired
    private OrderEffects effects;

    @DynamicPropertySource
    static void ownDatabaseBehindAProxyAndOwnVhost(DynamicPropertyRegistry registry) throws Exception {
        databaseName = Databases.newPostgresDatabase("queue_outage");
        database = new TcpFaultProxy("127.0.0.1", 5432);
        String url = "jdbc:postgresql://127.0.0.1:" + database.port() + "/" + databaseName;
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> Databases.POSTGRES_USER);
        registry.add("spring.datasource.password", () -> "");
        broker = new TestBroker("sb-test-queue-outage-" + UUID.randomUUID().toString().substring(0, 8));
        broker.declareQueue(QUEUE);
        // queue-intake (the shared test config's queue integration) consumes here too, quietly.
        broker.declareQueue("orders");
        registry.add("switchboard.connections.outage-broker.url", broker::url);
        registry.add("switchboard.connections.orders-broker.url", broker::url);
    }

    @AfterAll
    static void dropDatabaseAndVhost() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            database.close();
        }
        if (databaseName != null) {
            Databases.dropPostgresDatabase(databaseName);
        }
    }

    @Test
    void aDatabaseCutLongerThanEveryRetryWindowPausesTheQueueAndLosesOrDoublesNothingWithOneAlert()
            throws Exception {
        String key = SourceOutages.alertKey(INTEGRATION);
        alerts.clear();
        effects.reset();
        AtomicLong waitingPeak = new AtomicLong();
        TestPublisher publisher = new TestPublisher(broker, QUEUE, "outage", Integer.MAX_VALUE).start(50);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> done() >= 10);

            database.cut();
            Instant cutAt = Instant.now();
            // A webhook meanwhile is refused with 503, never accepted unstored (the inbox writer's side).
            assertThat(deliver("probe", Map.of("orderId", "during-cut")).status()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(20)).until(() -> pauses() >= 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts.raised(key).size() == 1);
            long pausesAtCut = pauses();
            AtomicBoolean seenPaused = new AtomicBoolean();
            // Hold the cut: the consumer keeps pausing, trying once after each back-off, and the
            // messages wait in the queue, ready, not in this node's memory.
            await().atMost(CUT.plusSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                waitingPeak.accumulateAndGet(broker.ready(QUEUE), Math::max);
                if (!consuming()) {
                    seenPaused.set(true);
                }
                return Duration.between(cutAt, Instant.now()).compareTo(CUT) >= 0;
            });
            long pausesDuringCut = pauses();
            assertThat(seenPaused).as("the consumer was seen paused").isTrue();
            assertThat(pausesDuringCut - pausesAtCut).as("it resumed by itself and tried again while the database "
                    + "was away").isGreaterThanOrEqualTo(3);
            assertThat(waitingPeak.get()).as("messages waited in the queue during the cut").isGreaterThanOrEqualTo(20);
            assertThat(alerts.raised(key)).as("one alert for the whole outage, however many pauses").hasSize(1);
            assertThat(alerts.resolved(key)).isEmpty();

            database.restore();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> consuming());
            // Orders keep coming a little after the database is back.
            int publishedAtRestore = publisher.count();
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.count() >= publishedAtRestore + 10);
        } finally {
            publisher.close();
        }
        Set<String> published = publisher.published();
        Instant drainStarted = Instant.now();
        // Right after the restore the pool may still meet a connection the cut left half-open:
        // a failed poll is a retry here, not the verdict.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> done() == published.size() && broker.ready(QUEUE) == 0);
        long drainMillis = Duration.between(drainStarted, Instant.now()).toMillis();

        List<Map<String, Object>> events = jdbc.queryForList("select delivery_id, status, attempts from event "
                + "where integration = ?", INTEGRATION);
        Map<String, Integer> eventsPerMessage = new ConcurrentHashMap<>();
        events.forEach(e -> eventsPerMessage.merge((String) e.get("delivery_id"), 1, Integer::sum));
        long resumed = events.stream().filter(e -> ((Number) e.get("attempts")).intValue() > 1).count();
        int calls = effects.calls().values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf("queue outage: published=%d events=%d done=%d lost=%d duplicates=%d effects=%d calls=%d "
                        + "resumedEvents=%d pauses=%d waitingInQueuePeak=%d alertsRaised=%d alertsResolved=%d cut=%ds "
                        + "drainAfterPublishing=%dms%n",
                published.size(), events.size(), done(),
                published.stream().filter(id -> !eventsPerMessage.containsKey(id)).count(),
                eventsPerMessage.values().stream().filter(n -> n > 1).count(), effects.effects().size(),
                calls, resumed, pauses(), waitingPeak.get(), alerts.raised(key).size(),
                alerts.resolved(key).size(), CUT.toSeconds(), drainMillis);

        assertThat(eventsPerMessage.keySet()).as("every message is an event, none lost")
                .containsExactlyInAnyOrderElementsOf(published);
        assertThat(eventsPerMessage.values()).as("one event per message id").allMatch(n -> n == 1);
        assertThat(events).allSatisfy(e -> assertThat(e.get("status")).isEqualTo("DONE"));
        assertThat(effects.effects().keySet()).containsExactlyInAnyOrderElementsOf(published);
        assertThat(effects.effects().values()).allSatisfy(n -> assertThat(n.get()).isOne());
        // A call repeats only for an event whose attempt the cut broke off before its once-only
        // step was recorded; the target's Idempotency-Key kept its effect single.
        assertThat(calls - published.size()).isLessThanOrEqualTo((int) resumed);
        assertThat(alerts.raised(key)).as("still one alert").hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> alerts.resolved(key).size() == 1);
        assertThat(jdbc.queryForObject("select count(*) from inbox where integration = ?", Integer.class,
                INTEGRATION)).isZero();
        // The webhook side is back too: the inbox writer stores and the probe's consumer runs it.
        String probe = deliverAccepted("probe", Map.of("orderId", "after-cut"));
        awaitStatus(probe, "DONE");
    }

    /** What an operator sees on /actuator/prometheus: switchboard_queue_consuming{integration="queue-outage"}. */
    private boolean consuming() {
        return meters.get("switchboard.queue.consuming").tag("integration", INTEGRATION).gauge().value() == 1;
    }

    private long pauses() {
        return (long) meters.get("switchboard.queue.pauses").tag("integration", INTEGRATION).functionCounter().count();
    }

    private int done() {
        return jdbc.queryForObject("select count(*) from event where integration = ? and status = 'DONE'",
                Integer.class, INTEGRATION);
    }
}

package io.switchboard.inbox;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.inbox.DeadLetterStore;
import io.switchboard.journal.EventMetrics;
import io.switchboard.journal.EventStatus;
import io.switchboard.journal.Journal;
import io.switchboard.journal.NodeId;
import io.switchboard.journal.StepJournal;
import io.switchboard.reliability.Failure;
import io.switchboard.storage.Database;
import io.switchboard.storage.GroupCommit.Statement;
import io.switchboard.storage.GroupCommit;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The inbox and the journal rows that go with it. Accepting an event writes the journal
 * entry, its first step and the inbox row in one transaction; claiming takes one ready
 * row with {@code FOR UPDATE SKIP LOCKED} and a lease, so consumers on any number of
 * nodes share the work without taking the same row, and a crashed node's rows come back
 * once their lease runs out.
 */
@Component
public class InboxStore {

    /** The rows of an accepted event, shared with the group commit ({@link InboxWriter}). */
    static final String INSERT_EVENT = "insert into event (id, integration, delivery_id, status, attempts, payload, "
            + "content_type, headers, received_at, updated_at, node_id) values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)";
    /** The same row, marked as a test event (a drill's scheduled run). */
    private static final String INSERT_TEST_EVENT = "insert into event (id, integration, delivery_id, status, attempts, "
            + "payload, content_type, headers, received_at, updated_at, node_id, test_event) "
            + "values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, true)";
    /** The event's arrival and test mark travel with it, so the health reads the backlog from the inbox alone. */
    static final String INSERT_INBOX = "insert into inbox (event_id, integration, not_before, received_at, test_event) "
            + "values (?, ?, ?, ?, ?)";
    static final String RECEIVED_STEP = "received";

    static String receivedDetail(String deliveryId) {
        return deliveryId == null ? "accepted" : "accepted delivery " + deliveryId;
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Journal journal;
    private final NodeId node;
    private final Clock clock;
    private final DeadLetterStore deadLetters;
    private final EventMetrics metrics;
    private final Database database;
    private final GroupCommit groupCommit;

    public InboxStore(JdbcTemplate jdbc, TransactionTemplate tx, Journal journal, NodeId node, Clock clock,
            DeadLetterStore deadLetters, EventMetrics metrics, Database database, GroupCommit groupCommit) {
        this.metrics = metrics;
        this.database = database;
        this.groupCommit = groupCommit;
        this.jdbc = jdbc;
        this.tx = tx;
        this.journal = journal;
        this.node = node;
        this.clock = clock;
        this.deadLetters = deadLetters;
    }

    /** The answer to an accepted delivery: the event's id, and whether it had been accepted before. */
    public record Accepted(String eventId, boolean duplicate) {
    }

    /**
     * An event claimed for processing by this node.
     *
     * @param resumed the previous attempt never finished (its node died holding the lease)
     * @param headers the delivery's stored headers (a JSON object, credentials masked), or null
     */
    public record Claimed(String eventId, String integration, String deliveryId, String payload, int attempt,
            boolean resumed, Instant receivedAt, String headers, boolean test) {

        /** {@code test}: a test event or a drill's, whose failures page nobody and open no incident. */
        public Claimed(String eventId, String integration, String deliveryId, String payload, int attempt,
                boolean test) {
            this(eventId, integration, deliveryId, payload, attempt, false, null, null, test);
        }
    }

    /**
     * Stores a new event, or finds the one a repeated delivery id already created. The
     * unique constraint on (integration, delivery_id) decides, so two nodes receiving the
     * same retry at once still store it once.
     */
    public Accepted accept(String integration, String deliveryId, byte[] payload, String contentType,
            String maskedHeaders) {
        return accept(integration, deliveryId, payload, contentType, maskedHeaders, Instant.now(clock));
    }

    /** An internal event for a subscriber, to be processed not before the given time. */
    public Accepted accept(String integration, String deliveryId, String payload, Instant notBefore) {
        return accept(integration, deliveryId, payload.getBytes(StandardCharsets.UTF_8), "application/json", null,
                notBefore);
    }

    private Accepted accept(String integration, String deliveryId, byte[] payload, String contentType,
            String maskedHeaders, Instant notBefore) {
        String eventId = EventIds.next();
        Timestamp now = Timestamp.from(Instant.now(clock));
        try {
            // The three rows commit together, sharing the commit with other workers' writes.
            groupCommit.commit(newEvent(eventId, integration, new Delivery(deliveryId, payload, contentType,
                    maskedHeaders), now, Timestamp.from(notBefore)));
            metrics.received(integration);
            return new Accepted(eventId, false);
        } catch (DuplicateKeyException repeated) {
            return duplicateOf(integration, deliveryId);
        }
    }

    /** One item a source read, as {@link #acceptAll} takes it. */
    public record Delivery(String deliveryId, byte[] payload, String contentType, String maskedHeaders) {
    }

    /**
     * Stores several deliveries of one integration in one commit (a queue consumer's batch): all
     * of them, or, when the commit fails, none. A delivery stored before (a redelivered batch)
     * makes the batch's commit fail on the unique key; then each is stored on its own, the
     * repeated ones found as duplicates, so the outcome is that of {@link #accept} for each.
     */
    public List<Accepted> acceptAll(String integration, List<Delivery> deliveries) {
        if (deliveries.size() == 1) {
            Delivery only = deliveries.get(0);
            return List.of(accept(integration, only.deliveryId(), only.payload(), only.contentType(),
                    only.maskedHeaders()));
        }
        Timestamp now = Timestamp.from(Instant.now(clock));
        List<Statement> statements = new ArrayList<>(3 * deliveries.size());
        List<Accepted> accepted = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            String eventId = EventIds.next();
            statements.addAll(newEvent(eventId, integration, delivery, now, now));
            accepted.add(new Accepted(eventId, false));
        }
        try {
            groupCommit.commit(statements);
        } catch (DuplicateKeyException repeated) {
            return deliveries.stream().map(d -> accept(integration, d.deliveryId(), d.payload(), d.contentType(),
                    d.maskedHeaders())).toList();
        }
        accepted.forEach(a -> metrics.received(integration));
        return accepted;
    }

    /** The event, its received step and its inbox row: the three rows a new event is. */
    private List<Statement> newEvent(String eventId, String integration, Delivery delivery, Timestamp now,
            Timestamp notBefore) {
        return List.of(
                new Statement(INSERT_EVENT, eventId, integration, delivery.deliveryId(), EventStatus.RECEIVED.name(),
                        new String(delivery.payload(), StandardCharsets.UTF_8), delivery.contentType(),
                        new SqlParameterValue(Types.VARCHAR, delivery.maskedHeaders()), now, now, node.value()),
                new Statement(Journal.INSERT_STEP, eventId, now, RECEIVED_STEP, "ok", Journal.NO_DURATION,
                        Journal.truncate(receivedDetail(delivery.deliveryId())), node.value()),
                new Statement(INSERT_INBOX, eventId, integration, notBefore, now, false));
    }

    /**
     * Stores a test event a person sent: processed like any other, under a delivery id of its
     * own (never a duplicate of a real delivery), and marked as a test in the journal.
     */
    public String acceptTest(String integration, String payload, String requestedBy) {
        String eventId = EventIds.next();
        return acceptTest(eventId, integration, "test-" + eventId, payload, requestedBy, Instant.now(clock)).eventId();
    }

    /**
     * A test event under a delivery id the caller chose (a reliability drill delivering the
     * same test delivery twice): a repeat is a duplicate like a real one, never a second event.
     */
    public Accepted acceptTest(String integration, String deliveryId, String payload, String requestedBy) {
        return acceptTest(EventIds.next(), integration, deliveryId, payload, requestedBy, Instant.now(clock));
    }

    /**
     * An internal event emitted by a test event or a drill's event: a test event too, so a drill's
     * chain never shows in the live health of the integrations downstream.
     */
    public Accepted acceptTestAfter(String integration, String deliveryId, String payload, String emittedBy,
            Instant notBefore) {
        return acceptTest(EventIds.next(), integration, deliveryId, payload, emittedBy, notBefore);
    }

    private Accepted acceptTest(String eventId, String integration, String deliveryId, String payload,
            String requestedBy, Instant notBefore) {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("insert into event (id, integration, delivery_id, status, attempts, payload, content_type, "
                        + "received_at, updated_at, node_id, test_event) values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, true)",
                        eventId, integration, deliveryId, EventStatus.RECEIVED.name(), payload, "application/json", now,
                        now, node.value());
                journal.step(eventId, RECEIVED_STEP, "ok", null, "test event sent by " + requestedBy);
                jdbc.update(INSERT_INBOX, eventId, integration, Timestamp.from(notBefore), now, true);
            });
        } catch (DuplicateKeyException repeated) {
            return duplicateOf(integration, deliveryId);
        }
        metrics.received(integration);
        return new Accepted(eventId, false);
    }

    /** What closing a test event did ({@link #closeTest}). */
    public enum TestClosing {
        /** It waited in the inbox: it left it unrun, DEAD with the reason. */
        CLOSED,
        /** It had parked a dead letter: the letter is discarded with the reason. */
        DISCARDED,
        /** A worker holds it now: left to finish. */
        IN_FLIGHT,
        /** Nothing left: it had ended, or it is no test event (a real event is never touched). */
        NOTHING
    }

    /**
     * Closes what a test event left behind, {@code why} on its trail (a drill's cleanup): still
     * waiting in the inbox (a follow-up due in two days), it leaves the inbox unrun and ends
     * {@code DEAD}; parked, its dead letter is discarded, so no person has it to decide on. A
     * row a worker holds is left alone. Only test events: a real event is never touched.
     */
    public TestClosing closeTest(String eventId, String why) {
        return tx.execute(status -> {
            if (!isTest(eventId)) {
                return TestClosing.NOTHING;
            }
            Timestamp now = Timestamp.from(Instant.now(clock));
            if (jdbc.update("delete from inbox where event_id = ? and (lease_until is null or lease_until < ?)",
                    eventId, now) == 1) {
                jdbc.update("update event set status = ?, updated_at = ?, finished_at = ?, last_error = ? where id = ? "
                        + "and test_event = true", EventStatus.DEAD.name(), now, now, Journal.truncate(why), eventId);
                journal.step(eventId, "drill-cleanup", "closed", null, why + ": left the inbox without running");
                return TestClosing.CLOSED;
            }
            if (!jdbc.queryForList("select event_id from inbox where event_id = ?", String.class, eventId).isEmpty()) {
                return TestClosing.IN_FLIGHT;
            }
            int discarded = 0;
            for (String letter : jdbc.queryForList("select id from dead_letter where event_id = ? and status = ?",
                    String.class, eventId, DeadLetterStore.PARKED)) {
                discarded += deadLetters.resolve(letter, DeadLetterStore.DISCARDED, "drill cleanup") ? 1 : 0;
            }
            if (discarded > 0) {
                journal.step(eventId, "drill-cleanup", "discarded", null, why + ": its dead letter discarded");
                return TestClosing.DISCARDED;
            }
            return TestClosing.NOTHING;
        });
    }

    /** A delivery received again: the first event's id, with the repeat on its trail. */
    private Accepted duplicateOf(String integration, String deliveryId) {
        metrics.duplicate(integration);
        String firstId = jdbc.queryForObject("select id from event where integration = ? and delivery_id = ?",
                String.class, integration, deliveryId);
        journal.step(firstId, "duplicate-delivery", "ignored", null, "delivery " + deliveryId + " received again");
        return new Accepted(firstId, true);
    }

    /** What became of a re-run request. */
    public enum RerunOutcome { STARTED, UNKNOWN, IN_PROGRESS }

    /** What became of a re-run request, and the event's integration (to wake its consumers). */
    public record Rerun(RerunOutcome outcome, String integration) {
    }

    /**
     * Runs a stored event's original payload through the current route again, whatever it
     * ended as. The trail gets a {@code rerun} step; the once-only steps before it no longer
     * count ({@link io.switchboard.journal.StepJournal#pending}), and the route's idempotent
     * consumer lets the event through although its key is recorded (it is handed over as
     * re-run, {@link Claimed#resumed()}).
     */
    public Rerun rerun(String eventId, String requestedBy) {
        return tx.execute(status -> {
            List<Map<String, Object>> found = jdbc.queryForList("select status, integration, received_at, test_event "
                    + "from event where id = ? for update", eventId);
            if (found.isEmpty()) {
                return new Rerun(RerunOutcome.UNKNOWN, null);
            }
            String integration = (String) found.get(0).get("integration");
            Integer waiting = jdbc.queryForObject("select count(*) from inbox where event_id = ?", Integer.class, eventId);
            if (waiting != null && waiting > 0) {
                return new Rerun(RerunOutcome.IN_PROGRESS, integration);
            }
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update("update event set status = ?, updated_at = ?, finished_at = null where id = ?",
                    EventStatus.REPLAYED.name(), now, eventId);
            jdbc.update(INSERT_INBOX, eventId, integration, now, found.get(0).get("received_at"),
                    found.get(0).get("test_event"));
            journal.step(eventId, StepJournal.RERUN, "ok", null, "re-run requested by "
                    + requestedBy + " (it was " + found.get(0).get("status") + ")");
            return new Rerun(RerunOutcome.STARTED, integration);
        });
    }

    /** Writes a run's payload, {"run": "<who started it>"}, escaped whatever the name. */
    private static final ObjectMapper RUN_PAYLOAD =
            new ObjectMapper();

    /** A scheduled run asked for: the new run's event, or the one still waiting or going. */
    public record RunStart(String eventId, boolean alreadyGoing) {
    }

    /**
     * Starts a run of a scheduled integration: an event in its inbox, processed (and retried,
     * parked, replayed) like any other. Never two at a time: while one of its runs waits in the
     * inbox or runs, on any node, that run is the answer and nothing is added.
     */
    public RunStart startRun(String integration, String startedBy) {
        return startRun(integration, startedBy, false);
    }

    /**
     * A run a drill starts: a test event like the drill's others, so it shows in the drill and
     * never in the schedule's live health (its last run, success, failure and count).
     */
    public RunStart startTestRun(String integration, String startedBy) {
        return startRun(integration, startedBy, true);
    }

    private RunStart startRun(String integration, String startedBy, boolean test) {
        try {
            // Once per integration; after that the row is only locked.
            jdbc.update("insert into schedule_run_lock (integration) select ? where not exists "
                    + "(select 1 from schedule_run_lock where integration = ?)", integration, integration);
        } catch (DuplicateKeyException anotherNodeWasFirst) {
            // two nodes inserted it at once: it is there either way
        }
        RunStart start = tx.execute(status -> {
            jdbc.queryForList("select integration from schedule_run_lock where integration = ? for update", String.class,
                    integration);
            List<String> going = jdbc.queryForList("select event_id from inbox where integration = ?", String.class,
                    integration);
            if (!going.isEmpty()) {
                return new RunStart(going.get(0), true);
            }
            String eventId = EventIds.next();
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update(test ? INSERT_TEST_EVENT : INSERT_EVENT, eventId, integration, "run-" + eventId,
                    EventStatus.RECEIVED.name(), RUN_PAYLOAD.createObjectNode().put("run", startedBy).toString(),
                    "application/json", null, now, now, node.value());
            journal.step(eventId, RECEIVED_STEP, "ok", null, "run started by " + startedBy);
            jdbc.update(INSERT_INBOX, eventId, integration, now, now, test);
            return new RunStart(eventId, false);
        });
        if (!start.alreadyGoing()) {
            metrics.received(integration);
        }
        return start;
    }

    /** Stores an event that another integration emitted, to be processed like any webhook. */
    public String enqueue(String integration, String deliveryId, String payload) {
        return accept(integration, deliveryId, payload.getBytes(StandardCharsets.UTF_8), "application/json", null)
                .eventId();
    }

    /** Claims the oldest ready event of an integration for this node, for the length of the lease. */
    public Optional<Claimed> claim(String integration, Duration lease) {
        return claimBatch(integration, lease, 1).stream().findFirst();
    }

    /**
     * Claims up to {@code max} ready events of an integration for this node in one short
     * transaction. Rows other consumers hold are skipped, not waited for.
     */
    public List<Claimed> claimBatch(String integration, Duration lease, int max) {
        if (database.postgres()) {
            return claimInOneStatement(integration, lease, Math.max(1, max));
        }
        List<Claimed> claimed = tx.execute(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            List<String> ids = jdbc.queryForList(claimSql(Math.max(1, max)), String.class, integration, now, now);
            if (ids.isEmpty()) {
                return List.<Claimed>of();
            }
            String in = String.join(",", Collections.nCopies(ids.size(), "?"));
            Set<String> resumed = new HashSet<>();
            jdbc.query("select id, status from event where id in (" + in + ")", rs -> {
                if (isResumed(rs.getString(2))) {
                    resumed.add(rs.getString(1));
                }
            }, ids.toArray());
            List<Object> args = new ArrayList<>(List.of(node.value(), Timestamp.from(now.toInstant().plus(lease))));
            args.addAll(ids);
            jdbc.update("update inbox set lease_owner = ?, lease_until = ? where event_id in (" + in + ")", args.toArray());
            List<Object> eventArgs = new ArrayList<>(List.of(EventStatus.PROCESSING.name(), now, node.value()));
            eventArgs.addAll(ids);
            jdbc.update("update event set status = ?, attempts = attempts + 1, updated_at = ?, node_id = ? where id in ("
                    + in + ")", eventArgs.toArray());
            return jdbc.query("select id, integration, delivery_id, payload, attempts, received_at, headers, test_event "
                    + "from event where id in (" + in + ")", (rs, n) -> new Claimed(rs.getString(1), rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getInt(5), resumed.contains(rs.getString(1)),
                            rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getBoolean(8)),
                    ids.toArray());
        });
        return claimed == null ? List.of() : claimed;
    }

    /**
     * The same claim as one statement on PostgreSQL: the rows picked with SKIP LOCKED, their
     * lease, the attempt counted and the events read, in one round trip that commits on its
     * own. Every part of a {@code WITH} sees the rows as they were before it, so
     * {@code before.status} is the status the event had when it was picked. PostgreSQL walks
     * the (integration, not_before) index in order, so the oldest rows go first.
     */
    private static final String CLAIM_IN_ONE_STATEMENT = "with picked as (select event_id from inbox "
            + "where integration = ? and not_before <= ? and (lease_until is null or lease_until < ?) "
            + "order by not_before limit ? for update skip locked), "
            + "leased as (update inbox set lease_owner = ?, lease_until = ? "
            + "where event_id in (select event_id from picked)), "
            + "before as (select id, status from event where id in (select event_id from picked)) "
            + "update event e set status = 'PROCESSING', attempts = e.attempts + 1, updated_at = ?, node_id = ? "
            + "from before where e.id = before.id "
            + "returning e.id, e.integration, e.delivery_id, e.payload, e.attempts, e.received_at, e.headers, before.status, "
            + "e.test_event";

    private List<Claimed> claimInOneStatement(String integration, Duration lease, int max) {
        Timestamp now = Timestamp.from(Instant.now(clock));
        List<Claimed> claimed = jdbc.query(CLAIM_IN_ONE_STATEMENT, (rs, n) -> new Claimed(rs.getString(1),
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), isResumed(rs.getString(8)),
                rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getBoolean(9)), integration, now, now, max, node.value(),
                Timestamp.from(now.toInstant().plus(lease)), now, node.value());
        // RETURNING gives no order; the oldest first, as the ids are time-ordered.
        claimed.sort(Comparator.comparing(Claimed::eventId));
        return claimed;
    }

    /**
     * Still PROCESSING although the lease ran out: the node that held it died mid-event.
     * REPLAYED: a person asked to run it again. Either way its idempotency key may be
     * recorded by the attempt before, and must not stop it.
     */
    private static boolean isResumed(String statusWhenClaimed) {
        return EventStatus.PROCESSING.name().equals(statusWhenClaimed)
                || EventStatus.REPLAYED.name().equals(statusWhenClaimed);
    }

    /** H2 would sort every waiting row for an ORDER BY under FOR UPDATE (tens of ms at a few thousand rows, measured), so there the index scan's own order serves. */
    private String claimSql(int max) {
        return "select event_id from inbox where integration = ? and not_before <= ? "
                + "and (lease_until is null or lease_until < ?) "
                + "limit " + max + " for update skip locked";
    }

    /** Gives claimed but unstarted events back at once (the node is stopping). */
    public void release(List<Claimed> events) {
        for (Claimed event : events) {
            jdbc.update("update inbox set lease_owner = null, lease_until = null where event_id = ? and lease_owner = ?",
                    event.eventId(), node.value());
            jdbc.update("update event set status = ?, attempts = attempts - 1 where id = ?",
                    EventStatus.RECEIVED.name(), event.eventId());
        }
    }

    /**
     * {@link #complete} as one statement on PostgreSQL. It is committed together with the
     * other workers' completions ({@link GroupCommit}): the delete, the status and the step
     * still commit as one, and the worker goes on only once they have.
     */
    private static final String COMPLETE_IN_ONE_STATEMENT = "with gone as (delete from inbox where event_id = ?), "
            + "done as (update event set status = ?, updated_at = ?, finished_at = ?, last_error = null where id = ?) "
            + "insert into event_step (event_id, at, step, outcome, duration_ms, detail, node_id) "
            + "values (?, ?, 'done', 'ok', ?, ?, ?)";

    /** The route finished: the event is DONE and leaves the inbox, committed before this returns. */
    public void complete(Claimed event, long durationMs) {
        Timestamp now = Timestamp.from(Instant.now(clock));
        String detail = Journal.truncate("attempt " + event.attempt());
        if (database.postgres()) {
            groupCommit.update(COMPLETE_IN_ONE_STATEMENT, event.eventId(), EventStatus.DONE.name(), now, now,
                    event.eventId(), event.eventId(), now, durationMs, detail, node.value());
        } else {
            groupCommit.commit(List.of(
                    new Statement("delete from inbox where event_id = ?", event.eventId()),
                    new Statement("update event set status = ?, updated_at = ?, finished_at = ?, last_error = null "
                            + "where id = ?", EventStatus.DONE.name(), now, now, event.eventId()),
                    new Statement(Journal.INSERT_STEP, event.eventId(), now, "done", "ok", durationMs, detail,
                            node.value())));
        }
        if (event.receivedAt() != null) {
            metrics.done(event.integration(), Duration.between(event.receivedAt(), Instant.now(clock)));
        }
    }

    /** The route failed but may succeed later: back to the inbox, not before the given time. */
    /** Whether the event is a test event or a drill's, for callers that have no claimed event in hand. */
    public boolean isTest(String eventId) {
        return jdbc.queryForList("select test_event from event where id = ?", Boolean.class, eventId).stream()
                .findFirst().orElse(false);
    }

    public void retryLater(Claimed event, Instant notBefore, String error, long durationMs) {
        tx.executeWithoutResult(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update("update inbox set not_before = ?, lease_owner = null, lease_until = null where event_id = ?",
                    Timestamp.from(notBefore), event.eventId());
            jdbc.update("update event set status = ?, updated_at = ?, last_error = ?, "
                            + "first_failed_at = coalesce(first_failed_at, ?) where id = ?",
                    EventStatus.FAILED.name(), now, Journal.truncate(error), now, event.eventId());
            journal.step(event.eventId(), "attempt-failed", "retry", durationMs,
                    "attempt " + event.attempt() + " failed: " + error + "; next attempt not before " + notBefore);
        });
        metrics.failedAttempt(event.integration());
    }

    /** Not claimable while it waits: far beyond any real not-before time. */
    private static final Timestamp UNTIL_CONNECTED = Timestamp.from(Instant.parse("9999-01-01T00:00:00Z"));

    /**
     * The route stopped at a step whose connection needs connecting: the event waits in the
     * inbox as WAITING, unclaimable until {@link #resumeWaiting}. The attempt is given back,
     * since the event itself did not fail.
     */
    public void holdFor(Claimed event, String connection, String why, long durationMs) {
        tx.executeWithoutResult(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update("update inbox set not_before = ?, waiting_for = ?, lease_owner = null, lease_until = null "
                    + "where event_id = ?", UNTIL_CONNECTED, connection, event.eventId());
            jdbc.update("update event set status = ?, attempts = attempts - 1, updated_at = ?, last_error = ? "
                    + "where id = ?", EventStatus.WAITING.name(), now, Journal.truncate(why), event.eventId());
            journal.step(event.eventId(), "waiting", "waiting", durationMs, why);
        });
    }

    /**
     * The connection is connected: every event waiting for it becomes ready again, oldest
     * first (its not-before is its arrival), on whichever node claims it.
     *
     * @return the integrations that had events waiting, and how many
     */
    public Map<String, Integer> resumeWaiting(String connection, String why) {
        Map<String, Integer> resumed = new LinkedHashMap<>();
        tx.executeWithoutResult(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.query("select integration, count(*) from inbox where waiting_for = ? group by integration",
                    rs -> { resumed.put(rs.getString(1), rs.getInt(2)); }, connection);
            if (resumed.isEmpty()) {
                return;
            }
            jdbc.update("insert into event_step (event_id, at, step, outcome, detail) select event_id, ?, 'resumed', "
                    + "'ok', ? from inbox where waiting_for = ?", now, Journal.truncate(why), connection);
            jdbc.update("update event set status = ?, updated_at = ?, last_error = null where id in "
                    + "(select event_id from inbox where waiting_for = ?) and status = ?", EventStatus.RECEIVED.name(),
                    now, connection, EventStatus.WAITING.name());
            jdbc.update("update inbox set not_before = (select received_at from event where event.id = inbox.event_id), "
                    + "waiting_for = null where waiting_for = ?", connection);
        });
        return resumed;
    }

    /** Events waiting, by connection and then integration, on all nodes. */
    public Map<String, Map<String, Long>> waitingByConnection() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        jdbc.query("select waiting_for, integration, count(*) from inbox where waiting_for is not null "
                + "group by waiting_for, integration", rs -> {
                    counts.computeIfAbsent(rs.getString(1), c -> new TreeMap<>()).put(rs.getString(2),
                            rs.getLong(3));
                });
        return counts;
    }

    /**
     * The event cannot succeed: it leaves the inbox as DEAD and its original payload is
     * parked in the dead-letter table with its category, in the same transaction.
     */
    public String bury(Claimed event, Failure failure, Throwable thrown, String routeId, String reason, long durationMs) {
        metrics.failedAttempt(event.integration());
        metrics.dead(event.integration(), failure.category().label());
        return tx.execute(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update("delete from inbox where event_id = ?", event.eventId());
            jdbc.update("update event set status = ?, updated_at = ?, finished_at = ?, last_error = ?, "
                            + "first_failed_at = coalesce(first_failed_at, ?) where id = ?",
                    EventStatus.DEAD.name(), now, now, Journal.truncate(reason), now, event.eventId());
            journal.step(event.eventId(), "dead", "failed", durationMs, reason);
            return jdbc.query("select payload, headers, first_failed_at from event where id = ?", rs -> {
                rs.next();
                return deadLetters.park(event.eventId(), event.integration(), routeId, failure, thrown,
                        rs.getString(1), rs.getString(2), event.attempt(), rs.getTimestamp(3).toInstant());
            }, event.eventId());
        });
    }

    /**
     * A replay refused because a worker holds the event's inbox row: replaying now would
     * delete the row under it and let a second worker run the event at the same time.
     */
    public static final class EventLeasedException extends RuntimeException {

        private final String eventId;
        private final String node;
        private final Instant until;

        EventLeasedException(String eventId, String node, Instant until) {
            super("Event " + eventId + " is being processed by node " + node + " until " + secondAfter(until)
                    + "; try again after that.");
            this.eventId = eventId;
            this.node = node;
            this.until = until;
        }

        private static Instant secondAfter(Instant at) {
            Instant second = at.truncatedTo(ChronoUnit.SECONDS);
            return second.equals(at) ? at : second.plusSeconds(1);
        }

        public String eventId() {
            return eventId;
        }

        public String node() {
            return node;
        }

        public Instant until() {
            return until;
        }
    }

    /**
     * A person asked for another go: the event returns to the inbox with fresh attempts.
     * Refused with {@link EventLeasedException}, and nothing changed (the caller's transaction
     * rolls back too), while a worker's lease on its inbox row runs: the row is locked first,
     * only an unleased row is deleted, and a row still there afterwards is a worker's.
     */
    public void replay(String eventId, String requestedBy) {
        tx.executeWithoutResult(status -> {
            Timestamp now = Timestamp.from(Instant.now(clock));
            // The inbox row before the event, in the order a worker takes them.
            refuseWhileLeased(eventId, now, " for update");
            jdbc.update("update event set status = ?, attempts = 0, updated_at = ?, finished_at = null where id = ?",
                    EventStatus.REPLAYED.name(), now, eventId);
            jdbc.update("delete from inbox where event_id = ? and (lease_until is null or lease_until < ?)", eventId, now);
            // A row that a claim committed after the lock above (there was no row to lock yet).
            refuseWhileLeased(eventId, now, "");
            jdbc.update("insert into inbox (event_id, integration, not_before, received_at, test_event) "
                    + "select id, integration, ?, received_at, test_event from event where id = ?", now, eventId);
            journal.step(eventId, "replayed", "ok", null, "replay requested by " + requestedBy);
        });
    }

    private void refuseWhileLeased(String eventId, Timestamp now, String lock) {
        jdbc.query("select lease_owner, lease_until from inbox where event_id = ?" + lock, rs -> {
            Timestamp until = rs.getTimestamp(2);
            if (until != null && !until.before(now)) {
                throw new EventLeasedException(eventId, rs.getString(1), until.toInstant());
            }
        }, eventId);
    }

    /** Ready events of an integration on all nodes: the backlog. */
    public long backlog(String integration) {
        Long count = jdbc.queryForObject("select count(*) from inbox where integration = ?", Long.class, integration);
        return count == null ? 0 : count;
    }
}

package io.switchboard.schedule;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.switchboard.integration.InboxHeaders;
import io.switchboard.journal.ActivitySource;
import io.switchboard.journal.Journal;
import io.switchboard.journal.NodeId;
import io.switchboard.reliability.Failure;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The persisted watermarks of scheduled syncs, and their runs. A sync's main route (its id
 * is the integration id) calls, in this order:
 * <ol>
 * <li>{@link #begin}: claims the run, so it never overlaps another run of the same sync on
 * any node, and sets {@value #SINCE} (the watermark, ISO-8601, empty on the first run) and
 * {@value #NEXT_CURSOR} (empty: the first page);</li>
 * <li>per page, after every record of it is in the target, {@link #pageDone}: moves the
 * watermark to the page's {@value #PAGE_WATERMARK} and logs one line for the page;</li>
 * <li>{@link #finish}: books the run as done.</li>
 * </ol>
 * A run that fails keeps the watermark of its last stored page, and is booked as failed
 * when its exchange ends; the next run starts from that watermark.
 */
@Component("watermarks")
public class Watermarks implements ActivitySource {

    /** Exchange property: the watermark the run reads from, ISO-8601 (empty: from the beginning). */
    public static final String SINCE = "syncSince";
    /** Exchange property: the cursor of the next page; empty for the first page, absent after the last. */
    public static final String NEXT_CURSOR = "nextCursor";
    /** Exchange property: the latest change time among the page's records, set by whoever reads the page. */
    public static final String PAGE_WATERMARK = "syncPageWatermark";
    /** Exchange property: the journal event of a run that came through the inbox. */
    static final String RUN_EVENT = "SwitchboardRunEventId";

    public static final String RUNNING = "RUNNING";
    public static final String OK = "OK";
    public static final String FAILED = "FAILED";
    public static final String ABANDONED = "ABANDONED";

    private static final Logger log = LoggerFactory.getLogger(Watermarks.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final NodeId node;
    private final Duration lease;
    private final Duration retention;

    public Watermarks(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock, NodeId node,
            @Value("${switchboard.schedule.run-lease:5m}") Duration lease,
            @Value("${switchboard.schedule.run-retention:7d}") Duration retention) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.clock = clock;
        this.node = node;
        this.lease = lease;
        this.retention = retention;
    }

    /** Where a sync stands. */
    public record State(String integration, Instant watermark, String runningRunId, Instant leasedUntil,
            Instant lastRunAt, Instant lastSuccessAt, Instant lastFailureAt) {
    }

    /** One run, as the API shows it. */
    public record RunRecord(String id, String integration, String node, Instant startedAt, Instant finishedAt,
            String status, Instant watermarkFrom, Instant watermarkTo, int pages, int records, int upserted,
            Long durationMs, String error) {
    }

    // --- the steps a sync route calls

    /**
     * Claims a run of the calling route's sync. When another run holds the claim, sets no
     * run: the route then does nothing this time.
     */
    public void begin(Exchange exchange) {
        // The run's journal event, kept before the route's pages clear the headers (removeHeaders "*").
        exchange.setProperty(RUN_EVENT, exchange.getMessage().getHeader(InboxHeaders.EVENT_ID,
                String.class));
        String integration = ExchangeHelper.getAtRouteId(exchange) != null ? ExchangeHelper.getAtRouteId(exchange)
                : exchange.getFromRouteId();
        Optional<SyncRun> claimed = claim(integration, exchange.getMessage().getHeader(InboxHeaders.TEST, false,
                Boolean.class));
        if (claimed.isEmpty()) {
            log.info("sync {} skipped: the previous run is still going", integration);
            step(exchange, "sync", "skipped", null, "the previous run of " + integration + " is still going");
            return;
        }
        SyncRun run = claimed.get();
        step(exchange, "sync", "ok", null, "run " + run.id() + " from watermark "
                + (run.since() == null ? "(none: everything)" : run.since()));
        exchange.setProperty(SyncRun.PROPERTY, run);
        exchange.setProperty(SINCE, run.since() == null ? "" : run.since().toString());
        exchange.setProperty(NEXT_CURSOR, "");
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!run.finished()) {
                    failed(run, reason(done, run));
                }
            }
        });
    }

    /** Counts one record written to the target; call it right after the write. */
    public void upserted(Exchange exchange) {
        SyncRun run = exchange.getProperty(SyncRun.PROPERTY, SyncRun.class);
        if (run != null) {
            run.countUpsert();
        }
    }

    /** The page is stored: the watermark moves to the page's latest change, and the page is logged. */
    public void pageDone(Exchange exchange) {
        SyncRun run = required(exchange);
        List<?> page = exchange.getMessage().getBody(List.class);
        int records = page == null ? 0 : page.size();
        Instant pageWatermark = exchange.getProperty(PAGE_WATERMARK, Instant.class);
        long pageMs = run.pageMs();
        int upserted = run.pageDone(records, pageWatermark);
        Instant now = Instant.now(clock);
        tx.executeWithoutResult(status -> {
            if (run.watermark() != null) {
                jdbc.update("update sync_watermark set watermark = ?, leased_until = ?, updated_at = ? "
                        + "where integration = ? and run_id = ? and (watermark is null or watermark <= ?)",
                        ts(run.watermark()), ts(now.plus(lease)), ts(now), run.integration(), run.id(),
                        ts(run.watermark()));
            }
            jdbc.update("update sync_run set pages = ?, records = ?, upserted = ?, watermark_to = ? where id = ?",
                    run.pages(), run.records(), run.upserted(), ts(run.watermark()), run.id());
        });
        exchange.removeProperty(PAGE_WATERMARK);
        step(exchange, "page-" + run.pages(), "ok", pageMs, records + " records, " + upserted + " upserted, "
                + (records - upserted) + " skipped; watermark " + run.watermark());
        log.info("sync page integration={} run={} page={} records={} upserted={} skipped={} watermark={} more={} "
                + "durationMs={}", run.integration(), run.id(), run.pages(), records, upserted, records - upserted,
                run.watermark(), exchange.getProperty(NEXT_CURSOR) != null, pageMs);
    }

    /** Books the run as done and frees the claim. */
    public void finish(Exchange exchange) {
        SyncRun run = required(exchange);
        Instant now = Instant.now(clock);
        run.markFinished();
        long duration = run.elapsedMs();
        tx.executeWithoutResult(status -> {
            jdbc.update("update sync_run set status = ?, finished_at = ?, duration_ms = ?, pages = ?, records = ?, "
                    + "upserted = ?, watermark_to = ? where id = ?", OK, ts(now), duration, run.pages(), run.records(),
                    run.upserted(), ts(run.watermark()), run.id());
            jdbc.update("update sync_watermark set run_id = null, leased_until = null, last_success_at = "
                    + (run.test() ? "last_success_at" : "?") + ", updated_at = ? where integration = ? and run_id = ?",
                    run.test() ? new Object[] {ts(now), run.integration(), run.id()}
                            : new Object[] {ts(now), ts(now), run.integration(), run.id()});
        });
        jdbc.update("delete from sync_run where integration = ? and started_at < ?", run.integration(),
                ts(now.minus(retention)));
        step(exchange, "sync-done", "ok", duration, run.pages() + " pages, " + run.records() + " records, "
                + run.upserted() + " upserted; watermark " + run.since() + " -> " + run.watermark());
        log.info("sync run integration={} run={} outcome=ok pages={} records={} upserted={} watermark={} durationMs={}",
                run.integration(), run.id(), run.pages(), run.records(), run.upserted(), run.watermark(), duration);
    }

    /**
     * A step in the run's journal event, when the run came through the inbox (a scheduled,
     * manual or replayed run); a direct call (a test) has no event to write to.
     */
    private void step(Exchange exchange, String step, String outcome, Long durationMs, String detail) {
        String eventId = exchange.getProperty(RUN_EVENT, String.class);
        if (journal != null && eventId != null) {
            journal.step(eventId, step, outcome, durationMs, detail);
        }
    }

    private Journal journal;

    /** The journal the inbox's runs are written to. */
    @Autowired(required = false)
    void setJournal(Journal journal) {
        this.journal = journal;
    }

    // --- for people and other beans

    public Optional<State> state(String integration) {
        return jdbc.query("select * from sync_watermark where integration = ?", Watermarks::state, integration)
                .stream().findFirst();
    }

    /** The latest runs, newest first. */
    public List<RunRecord> runs(String integration, int limit) {
        return jdbc.query("select * from sync_run where integration = ? order by started_at desc limit "
                + Math.max(1, Math.min(limit, 500)), Watermarks::run, integration);
    }

    /**
     * Sets the watermark by hand, e.g. back to an earlier time to read changes again after
     * the source changed records with old timestamps. Records read again are skipped by
     * their idempotency keys unless their version changed. Refused while a run is going.
     *
     * @return false when a run holds the claim
     */
    public boolean rewind(String integration, Instant watermark) {
        Instant now = Instant.now(clock);
        ensureRow(integration, now);
        return jdbc.update("update sync_watermark set watermark = ?, updated_at = ? where integration = ? "
                + "and (run_id is null or leased_until < ?)", ts(watermark), ts(now), integration, ts(now)) == 1;
    }

    @Override
    public Map<String, Activity> activity() {
        Map<String, Activity> activity = new LinkedHashMap<>();
        jdbc.query("select integration, last_run_at, last_success_at, last_failure_at from sync_watermark", rs -> {
            activity.put(rs.getString(1), new Activity(instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)),
                    instant(rs.getTimestamp(4))));
        });
        return activity;
    }

    // --- the claim and the bookkeeping

    Optional<SyncRun> claim(String integration) {
        return claim(integration, false);
    }

    /** {@code test}: a drill's run, which leaves the last run, success and failure times as they were. */
    Optional<SyncRun> claim(String integration, boolean test) {
        Instant now = Instant.now(clock);
        ensureRow(integration, now);
        String runId = UUID.randomUUID().toString();
        SyncRun run = tx.execute(status -> {
            State current = jdbc.query("select * from sync_watermark where integration = ? for update",
                    Watermarks::state, integration).get(0);
            if (current.runningRunId() != null && current.leasedUntil() != null
                    && current.leasedUntil().isAfter(now)) {
                return null;
            }
            if (current.runningRunId() != null) {
                jdbc.update("update sync_run set status = ?, finished_at = ?, error = ? where id = ? and status = ?",
                        ABANDONED, ts(now), "its node stopped renewing the claim; a later run took over",
                        current.runningRunId(), RUNNING);
            }
            jdbc.update("update sync_watermark set run_id = ?, leased_until = ?, last_run_at = "
                    + (test ? "last_run_at" : "?") + ", updated_at = ? where integration = ?", test
                    ? new Object[] {runId, ts(now.plus(lease)), ts(now), integration}
                    : new Object[] {runId, ts(now.plus(lease)), ts(now), ts(now), integration});
            jdbc.update("insert into sync_run (id, integration, node, started_at, status, watermark_from, watermark_to) "
                    + "values (?, ?, ?, ?, ?, ?, ?)", runId, integration, node.value(), ts(now), RUNNING,
                    ts(current.watermark()), ts(current.watermark()));
            return new SyncRun(runId, integration, now, current.watermark(), test);
        });
        return Optional.ofNullable(run);
    }

    void failed(SyncRun run, String reason) {
        Instant now = Instant.now(clock);
        run.markFinished();
        long duration = run.elapsedMs();
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("update sync_run set status = ?, finished_at = ?, duration_ms = ?, pages = ?, records = ?, "
                        + "upserted = ?, watermark_to = ?, error = ? where id = ?", FAILED, ts(now), duration,
                        run.pages(), run.records(), run.upserted(), ts(run.watermark()), Journal.truncate(reason),
                        run.id());
                jdbc.update("update sync_watermark set run_id = null, leased_until = null, last_failure_at = "
                        + (run.test() ? "last_failure_at" : "?") + ", updated_at = ? where integration = ? "
                        + "and run_id = ?", run.test() ? new Object[] {ts(now), run.integration(), run.id()}
                                : new Object[] {ts(now), ts(now), run.integration(), run.id()});
            });
        } catch (RuntimeException storageTrouble) {
            // The claim runs out with its lease; the next run takes over from the stored watermark.
            log.warn("sync {} run {} could not be booked as failed: {}", run.integration(), run.id(),
                    storageTrouble.toString());
        }
        log.warn("sync run integration={} run={} outcome=failed pages={} records={} upserted={} watermark={} "
                + "durationMs={} reason={}", run.integration(), run.id(), run.pages(), run.records(), run.upserted(),
                run.watermark(), duration, reason);
    }

    String reason(Exchange exchange, SyncRun run) {
        Throwable thrown = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (thrown != null) {
            Failure failure = Failure.of(thrown);
            return failure.category().label() + ": " + failure.message();
        }
        // The dead-letter channel took the failure where it happened (e.g. inside a split).
        List<String> parked = jdbc.queryForList("select category || ': ' || coalesce(exception_message, '') "
                + "from dead_letter where integration = ? and last_failed_at >= ? order by last_failed_at desc limit 1",
                String.class, run.integration(), ts(run.startedAt()));
        return parked.isEmpty() ? "the run stopped before its last page" : parked.get(0);
    }

    private void ensureRow(String integration, Instant now) {
        if (jdbc.queryForObject("select count(*) from sync_watermark where integration = ?", Integer.class,
                integration) == 0) {
            try {
                jdbc.update("insert into sync_watermark (integration, updated_at) values (?, ?)", integration, ts(now));
            } catch (DuplicateKeyException anotherNodeWasFirst) {
                // the row is there, which is all we need
            }
        }
    }

    private static SyncRun required(Exchange exchange) {
        SyncRun run = exchange.getProperty(SyncRun.PROPERTY, SyncRun.class);
        if (run == null) {
            throw new IllegalStateException("no sync run on this exchange: call watermarks begin first");
        }
        return run;
    }

    private static State state(ResultSet rs, int row) throws SQLException {
        return new State(rs.getString("integration"), instant(rs.getTimestamp("watermark")), rs.getString("run_id"),
                instant(rs.getTimestamp("leased_until")), instant(rs.getTimestamp("last_run_at")),
                instant(rs.getTimestamp("last_success_at")), instant(rs.getTimestamp("last_failure_at")));
    }

    private static RunRecord run(ResultSet rs, int row) throws SQLException {
        return new RunRecord(rs.getString("id"), rs.getString("integration"), rs.getString("node"),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")), rs.getString("status"),
                instant(rs.getTimestamp("watermark_from")), instant(rs.getTimestamp("watermark_to")), rs.getInt("pages"),
                rs.getInt("records"), rs.getInt("upserted"), (Long) rs.getObject("duration_ms", Long.class),
                rs.getString("error"));
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

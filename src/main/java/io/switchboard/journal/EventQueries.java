package io.switchboard.journal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Reads the journal for people (masked) and purges what is past its retention. */
@Component
public class EventQueries {

    private static final Logger log = LoggerFactory.getLogger(EventQueries.class);
    /** Candidates a search reads per query, and at most in all: a search costs a bounded amount. */
    private static final int SEARCH_BATCH = 200;
    private static final int SEARCH_MAX_SCANNED = 10_000;

    private final JdbcTemplate jdbc;
    private final JournalProperties properties;
    private final PayloadMask mask;
    private final Clock clock;

    public EventQueries(JdbcTemplate jdbc, JournalProperties properties, PayloadMask mask, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.mask = mask;
        this.clock = clock;
    }

    /** One line of the event list. */
    public record EventSummary(String id, String integration, String deliveryId, String status, int attempts,
            Instant receivedAt, Instant updatedAt, Instant finishedAt, Long durationMs, String lastError,
            String nodeId, boolean test) {
    }

    /** One step of an event's trail. */
    public record Step(Instant at, String step, String outcome, Long durationMs, String detail, String nodeId) {
    }

    /** An event with its step trail and masked payload. */
    public record EventDetail(EventSummary event, String payload, String headers, List<Step> steps,
            String deadLetterId) {
    }

    /** Filter for the event list; every field optional. */
    public record Filter(String integration, String status, String q, Instant since, Instant until, int limit,
            int offset) {
    }

    public List<EventSummary> find(Filter filter) {
        StringBuilder sql = new StringBuilder("select * from event where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (filter.integration() != null && !filter.integration().isBlank()) {
            sql.append(" and integration = ?");
            args.add(filter.integration());
        }
        if (filter.status() != null && !filter.status().isBlank()) {
            sql.append(" and status = ?");
            args.add(filter.status().toUpperCase(Locale.ROOT));
        }
        if (filter.since() != null) {
            sql.append(" and received_at >= ?");
            args.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" and received_at < ?");
            args.add(Timestamp.from(filter.until()));
        }
        int limit = Math.max(1, Math.min(filter.limit(), 500));
        int offset = Math.max(0, filter.offset());
        if (filter.q() == null || filter.q().isBlank()) {
            sql.append(" order by received_at desc, id limit ").append(limit).append(" offset ").append(offset);
            return jdbc.query(sql.toString(), EventQueries::summary, args.toArray());
        }
        // An event id, a delivery id, or any value in the payload as a person sees it (an e-mail,
        // a submissionId). The database finds the candidates in the raw payloads; each is kept
        // only when its masked payload holds the text too, so a masked value can never be
        // found, guessed piece by piece or confirmed by search.
        String q = filter.q().trim();
        sql.append(" and (id = ? or delivery_id = ? or payload like ?)");
        args.add(q);
        args.add(q);
        args.add("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        sql.append(" order by received_at desc, id limit ").append(SEARCH_BATCH).append(" offset ?");
        List<EventSummary> found = new ArrayList<>();
        int skipped = 0;
        for (int scanned = 0; scanned < SEARCH_MAX_SCANNED && found.size() < limit; scanned += SEARCH_BATCH) {
            List<Object> page = new ArrayList<>(args);
            page.add(scanned);
            List<SearchHit> hits = jdbc.query(sql.toString(), (rs, n) -> new SearchHit(summary(rs, n),
                    rs.getString("payload")), page.toArray());
            for (SearchHit hit : hits) {
                if (found.size() < limit && matches(hit, q)) {
                    if (skipped < offset) {
                        skipped++;
                    } else {
                        found.add(hit.summary());
                    }
                }
            }
            if (hits.size() < SEARCH_BATCH) {
                break;
            }
        }
        return found;
    }

    /** A candidate of a search: its line in the list and its raw payload, which never leaves here. */
    private record SearchHit(EventSummary summary, String payload) {
    }

    private boolean matches(SearchHit hit, String q) {
        if (q.equals(hit.summary().id()) || q.equals(hit.summary().deliveryId())) {
            return true;
        }
        String shown = mask.searchable(hit.payload());
        return shown != null && shown.contains(q);
    }

    public Optional<EventDetail> get(String id) {
        List<Map<String, Object>> rows = jdbc.queryForList("select payload, headers from event where id = ?", id);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        EventSummary summary = jdbc.queryForObject("select * from event where id = ?", EventQueries::summary, id);
        List<Step> steps = jdbc.query("select * from event_step where event_id = ? order by id",
                (rs, n) -> new Step(instant(rs.getTimestamp("at")), rs.getString("step"), rs.getString("outcome"),
                        (Long) rs.getObject("duration_ms", Long.class), rs.getString("detail"),
                        rs.getString("node_id")), id);
        String deadLetterId = jdbc.queryForList("select id from dead_letter where event_id = ? order by last_failed_at "
                + "desc", String.class, id).stream().findFirst().orElse(null);
        return Optional.of(new EventDetail(summary, mask.mask((String) rows.get(0).get("payload")),
                (String) rows.get(0).get("headers"), steps, deadLetterId));
    }

    /** The newest real (not test) event's payload of an integration, its sensitive fields left out. */
    public Optional<JsonNode> lastRealPayload(String integration) {
        return jdbc.queryForList("select payload from event where integration = ? and test_event = false "
                        + "order by received_at desc limit 1", String.class, integration).stream().findFirst()
                .map(mask::withoutSensitive);
    }

    /**
     * Per integration: counts by status since a moment, last success, last failure, last
     * arrival and backlog. The moment's rows are found through the {@code updated_at} index
     * (V18), so the cost follows the window, not the journal's size. A "last" that is older
     * than the window is looked up once over the whole table and kept: such a moment can only
     * be overtaken by a newer one, which the window then finds.
     */
    public Map<String, IntegrationActivity> activitySince(Instant since) {
        Map<String, IntegrationActivity> activity = new TreeMap<>();
        // Test events and drills are reported where they were sent from, never in the live health.
        jdbc.query("select integration, status, count(*), max(updated_at), max(finished_at), max(received_at) from event "
                + "where updated_at >= ? and test_event = false group by integration, status", rs -> {
                    IntegrationActivity a = activity.computeIfAbsent(rs.getString(1), k -> new IntegrationActivity());
                    String status = rs.getString(2);
                    a.counts.put(status, rs.getLong(3));
                    if ("DONE".equals(status)) {
                        a.lastSuccess = instant(rs.getTimestamp(5));
                    } else if ("FAILED".equals(status) || "DEAD".equals(status)) {
                        a.lastFailure = latest(a.lastFailure, instant(rs.getTimestamp(4)));
                    }
                    a.lastReceived = latest(a.lastReceived, instant(rs.getTimestamp(6)));
                }, Timestamp.from(since));
        if (!olderLastsRead) {
            readOlderLasts();
        }
        activity.forEach((id, a) -> remember(id, a));
        olderLasts.forEach((id, lasts) -> {
            IntegrationActivity a = activity.computeIfAbsent(id, k -> new IntegrationActivity());
            a.lastSuccess = latest(a.lastSuccess, lasts[0]);
            a.lastFailure = latest(a.lastFailure, lasts[1]);
            a.lastReceived = latest(a.lastReceived, lasts[2]);
        });
        // From the inbox alone (it carries the test mark): no event row read per waiting event.
        jdbc.query("select integration, count(*), sum(case when waiting_for is null then 0 else 1 end) from inbox "
                + "where test_event = false group by integration", rs -> {
                    IntegrationActivity a = activity.computeIfAbsent(rs.getString(1), k -> new IntegrationActivity());
                    a.backlog = rs.getLong(2);
                    a.waitingForConnection = rs.getLong(3);
                });
        return activity;
    }

    /** Last success, failure and arrival per integration, as far as known: [success, failure, received]. */
    private final Map<String, Instant[]> olderLasts = new ConcurrentHashMap<>();
    private volatile boolean olderLastsRead;

    /** Once per start: the whole table's last moments, for integrations quiet for longer than the window. */
    private synchronized void readOlderLasts() {
        if (olderLastsRead) {
            return;
        }
        jdbc.query("select integration, max(finished_at) from event where status = 'DONE' and test_event = false "
                + "group by integration", rs -> {
            lasts(rs.getString(1))[0] = instant(rs.getTimestamp(2));
        });
        jdbc.query("select integration, max(updated_at) from event where status in ('FAILED', 'DEAD') "
                + "and test_event = false group by integration", rs -> {
                    lasts(rs.getString(1))[1] = instant(rs.getTimestamp(2));
                });
        jdbc.query("select integration, max(received_at) from event where test_event = false group by integration",
                rs -> {
            lasts(rs.getString(1))[2] = instant(rs.getTimestamp(2));
        });
        olderLastsRead = true;
    }

    private Instant[] lasts(String integration) {
        return olderLasts.computeIfAbsent(integration, k -> new Instant[3]);
    }

    private void remember(String integration, IntegrationActivity seen) {
        Instant[] lasts = lasts(integration);
        synchronized (lasts) {
            lasts[0] = latest(lasts[0], seen.lastSuccess);
            lasts[1] = latest(lasts[1], seen.lastFailure);
            lasts[2] = latest(lasts[2], seen.lastReceived);
        }
    }

    /** The later of two moments, either of which may be unknown (null). */
    static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    /**
     * An integration's attempts since a moment, however the events ended: failed (retried
     * or parked) and succeeded, and when the last one failed. A failure that a retry mended
     * counts too, so retries show on the card and in the failure-rate alert alike.
     */
    public record Attempts(long failed, long succeeded, Instant lastFailedAt) {

        public static final Attempts NONE = new Attempts(0, 0, null);

        public double failureRate() {
            return failed + succeeded == 0 ? 0.0 : (double) failed / (failed + succeeded);
        }
    }

    public Map<String, Attempts> attemptsSince(Instant since) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Instant> lastFailed = new TreeMap<>();
        // Test events and drills never count: a drill's outage case must not page the on-call person.
        jdbc.query("select e.integration, s.step, count(*), max(s.at) from event_step s join event e on e.id = s.event_id "
                + "where s.at >= ? and s.step in ('attempt-failed', 'dead', 'done') and e.test_event = false "
                + "group by e.integration, s.step", rs -> {
                    long[] c = counts.computeIfAbsent(rs.getString(1), k -> new long[2]);
                    if ("done".equals(rs.getString(2))) {
                        c[1] += rs.getLong(3);
                    } else {
                        c[0] += rs.getLong(3);
                        Instant at = instant(rs.getTimestamp(4));
                        lastFailed.merge(rs.getString(1), at, (a, b) -> a.isAfter(b) ? a : b);
                    }
                }, Timestamp.from(since));
        Map<String, Attempts> attempts = new TreeMap<>();
        counts.forEach((id, c) -> attempts.put(id, new Attempts(c[0], c[1], lastFailed.get(id))));
        return attempts;
    }

    /** Mutable tally for one integration. */
    public static final class IntegrationActivity {
        public final Map<String, Long> counts = new TreeMap<>();
        public Instant lastSuccess;
        public Instant lastFailure;
        public Instant lastReceived;
        public long backlog;
        /** Of the backlog: events held until a connection is connected (WAITING). */
        public long waitingForConnection;

        /** Share of settled events in the window that did not end well. */
        public double failureRate() {
            long done = counts.getOrDefault("DONE", 0L);
            long bad = counts.getOrDefault("FAILED", 0L) + counts.getOrDefault("DEAD", 0L);
            return done + bad == 0 ? 0.0 : (double) bad / (done + bad);
        }
    }

    /**
     * Deletes finished events past the retention in small batches (each its own short
     * transaction), oldest first, so the purge never holds locks that ingress would wait on.
     */
    @Scheduled(cron = "${switchboard.journal.purge-cron:0 37 3 * * *}")
    public int purgeExpired() {
        Timestamp cutoff = Timestamp.from(Instant.now(clock).minus(properties.retention()));
        int total = 0;
        while (true) {
            List<String> ids = jdbc.queryForList("select id from event where finished_at < ? and status in "
                    + "('DONE', 'DEAD') and id not in (select event_id from inbox) order by finished_at limit "
                    + properties.purgeBatch(), String.class, cutoff);
            if (ids.isEmpty()) {
                break;
            }
            String placeholders = String.join(",", Collections.nCopies(ids.size(), "?"));
            jdbc.update("update dead_letter set event_id = null where event_id in (" + placeholders + ")", ids.toArray());
            jdbc.update("delete from event_step where event_id in (" + placeholders + ")", ids.toArray());
            total += jdbc.update("delete from event where id in (" + placeholders + ")", ids.toArray());
        }
        if (total > 0) {
            log.info("purged {} journal entries older than {}", total, properties.retention());
        }
        return total;
    }

    private static EventSummary summary(ResultSet rs, int row) throws SQLException {
        Instant received = instant(rs.getTimestamp("received_at"));
        Instant finished = instant(rs.getTimestamp("finished_at"));
        return new EventSummary(rs.getString("id"), rs.getString("integration"), rs.getString("delivery_id"),
                rs.getString("status"), rs.getInt("attempts"), received, instant(rs.getTimestamp("updated_at")),
                finished, finished == null || received == null ? null : finished.toEpochMilli() - received.toEpochMilli(),
                rs.getString("last_error"), rs.getString("node_id"), rs.getBoolean("test_event"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

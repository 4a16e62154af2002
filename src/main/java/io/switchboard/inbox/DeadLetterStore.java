package io.switchboard.inbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

import io.switchboard.journal.Journal;
import io.switchboard.journal.PayloadMask;
import io.switchboard.reliability.Failure;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The dead-letter table: parked events and what a person decided about them. */
@Component
public class DeadLetterStore {

    public static final String PARKED = "PARKED";
    public static final String REPLAYED = "REPLAYED";
    public static final String DISCARDED = "DISCARDED";

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public DeadLetterStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** What was parked, with enough to decide what to do about it. */
    public record DeadLetter(String id, String eventId, String integration, String routeId, String category,
            String payload, String headers, String exceptionClass, String exceptionMessage, int attempts,
            Instant firstFailedAt, Instant lastFailedAt, String status, Instant resolvedAt, String resolvedBy) {

        /** The same letter with its payload as a person may see it. */
        public DeadLetter shownWith(PayloadMask mask) {
            return new DeadLetter(id, eventId, integration, routeId, category, mask.mask(payload), headers,
                    exceptionClass, exceptionMessage, attempts, firstFailedAt, lastFailedAt, status, resolvedAt,
                    resolvedBy);
        }
    }

    /** Parks an event (or, for routes without an inbox event, a payload) for good. Joins the caller's transaction. */
    public String park(String eventId, String integration, String routeId, Failure failure, Throwable thrown,
            String payload, String headers, int attempts, Instant firstFailedAt) {
        String id = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now(clock));
        jdbc.update("insert into dead_letter (id, event_id, integration, route_id, category, payload, headers, "
                        + "exception_class, exception_message, attempts, first_failed_at, last_failed_at, status) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, eventId, integration, routeId, failure.category().label(), payload, headers,
                thrown == null ? null : thrown.getClass().getName(), Journal.truncate(failure.message()), attempts,
                firstFailedAt == null ? now : Timestamp.from(firstFailedAt), now, PARKED);
        return id;
    }

    /**
     * Parks the failure of a route with no inbox event behind it (a schedule's run). A run
     * that fails the same way on every tick would otherwise park a letter per tick: while a
     * letter of the same route, category and payload is still parked, the failure is counted
     * on it (attempts, last failure, latest message) instead.
     */
    public String parkOrCount(String integration, String routeId, Failure failure, Throwable thrown, String payload) {
        Timestamp now = Timestamp.from(Instant.now(clock));
        List<Map<String, Object>> parked = jdbc.queryForList("select id, payload from dead_letter where event_id is null "
                + "and status = ? and integration = ? and route_id = ? and category = ? order by last_failed_at desc "
                + "limit 20", PARKED, integration, routeId, failure.category().label());
        for (Map<String, Object> letter : parked) {
            if (Objects.equals(letter.get("payload") == null ? null : letter.get("payload").toString(),
                    payload)) {
                String id = (String) letter.get("id");
                if (jdbc.update("update dead_letter set attempts = attempts + 1, last_failed_at = ?, exception_class = ?, "
                        + "exception_message = ? where id = ? and status = ?", now,
                        thrown == null ? null : thrown.getClass().getName(), Journal.truncate(failure.message()), id,
                        PARKED) == 1) {
                    return id;
                }
            }
        }
        return park(null, integration, routeId, failure, thrown, payload, null, 1, now.toInstant());
    }

    public List<DeadLetter> find(String integration, String category, String status, Instant since, Instant until,
            int limit) {
        StringBuilder sql = new StringBuilder("select * from dead_letter where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (integration != null) {
            sql.append(" and integration = ?");
            args.add(integration);
        }
        if (category != null) {
            sql.append(" and category = ?");
            args.add(category);
        }
        if (status != null) {
            sql.append(" and status = ?");
            args.add(status);
        }
        if (since != null) {
            sql.append(" and last_failed_at >= ?");
            args.add(Timestamp.from(since));
        }
        if (until != null) {
            sql.append(" and last_failed_at < ?");
            args.add(Timestamp.from(until));
        }
        sql.append(" order by last_failed_at desc limit ").append(Math.max(1, Math.min(limit, 1000)));
        return jdbc.query(sql.toString(), DeadLetterStore::map, args.toArray());
    }

    /** The parked letters of the events an incident affected, oldest first (replayed in their order). */
    public List<DeadLetter> parkedOfIncident(String incidentId, int limit) {
        return jdbc.query("select * from dead_letter where status = ? and event_id in (select event_id from "
                + "incident_event where incident_id = ?) order by last_failed_at limit " + Math.max(1, Math.min(limit,
                        10_000)), DeadLetterStore::map, PARKED, incidentId);
    }

    public DeadLetter get(String id) {
        return jdbc.query("select * from dead_letter where id = ?", DeadLetterStore::map, id)
                .stream().findFirst().orElse(null);
    }

    private static DeadLetter map(ResultSet rs, int row) throws SQLException {
        return new DeadLetter(rs.getString("id"), rs.getString("event_id"), rs.getString("integration"),
                rs.getString("route_id"), rs.getString("category"), rs.getString("payload"), rs.getString("headers"),
                rs.getString("exception_class"), rs.getString("exception_message"), rs.getInt("attempts"),
                instant(rs.getTimestamp("first_failed_at")), instant(rs.getTimestamp("last_failed_at")),
                rs.getString("status"), instant(rs.getTimestamp("resolved_at")), rs.getString("resolved_by"));
    }

    /** Marks a parked letter resolved; false when it was not parked any more (someone else got there first). */
    boolean resolve(String id, String status, String by) {
        return jdbc.update("update dead_letter set status = ?, resolved_at = ?, resolved_by = ? where id = ? and status = ?",
                status, Timestamp.from(Instant.now(clock)), by, id, PARKED) == 1;
    }

    public Map<String, Long> parkedCounts() {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.query("select integration, count(*) from dead_letter where status = ? group by integration",
                rs -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                }, PARKED);
        return counts;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

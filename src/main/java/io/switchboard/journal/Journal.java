package io.switchboard.journal;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Component;

/**
 * Writes the step trail of an event. Each step is its own small insert, committed at
 * once, so the trail shows what happened even when the event later fails.
 */
@Component
public class Journal {

    static final int DETAIL_LIMIT = 2000;

    private final JdbcTemplate jdbc;
    private final NodeId node;
    private final Clock clock;

    public Journal(JdbcTemplate jdbc, NodeId node, Clock clock) {
        this.jdbc = jdbc;
        this.node = node;
        this.clock = clock;
    }

    /** A step row: event id, time, step, outcome, duration in ms, detail ({@link #truncate}d), node. */
    public static final String INSERT_STEP = "insert into event_step (event_id, at, step, outcome, duration_ms, detail, "
            + "node_id) values (?, ?, ?, ?, ?, ?, ?)";

    /**
     * A step without a duration, as an {@link #INSERT_STEP} argument: typed, because an untyped
     * null makes the driver ask the database for the column's type first.
     */
    public static final SqlParameterValue NO_DURATION =
            new SqlParameterValue(Types.BIGINT, null);

    public void step(String eventId, String step, String outcome, Long durationMs, String detail) {
        jdbc.update(INSERT_STEP,
                eventId, Timestamp.from(Instant.now(clock)), step, outcome, durationMs, truncate(detail), node.value());
    }

    public static String truncate(String text) {
        if (text == null || text.length() <= DETAIL_LIMIT) {
            return text;
        }
        return text.substring(0, DETAIL_LIMIT - 1) + "…";
    }
}

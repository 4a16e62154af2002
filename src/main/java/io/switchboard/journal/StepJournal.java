package io.switchboard.journal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

import io.switchboard.storage.GroupCommit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Lets a route record each step's outcome in the event's trail and skip a side effect
 * (an e-mail, a chat message) that an earlier attempt of the same event already did, so a
 * retry after a later step failed does not send it twice.
 */
@Component("steps")
public class StepJournal {

    private final JdbcTemplate jdbc;
    private final GroupCommit groupCommit;
    private final NodeId node;
    private final Clock clock;

    public StepJournal(JdbcTemplate jdbc, GroupCommit groupCommit, NodeId node, Clock clock) {
        this.jdbc = jdbc;
        this.groupCommit = groupCommit;
        this.node = node;
        this.clock = clock;
    }

    /** The trail's mark of a re-run: the once-only steps before it are done again. */
    public static final String RERUN = "rerun";

    /** A step the target had done already: it answered a repeated Idempotency-Key with the first result. */
    public static final String ALREADY_DONE = "already-done";

    /** True when no earlier attempt of this event finished the step (since its last re-run). */
    public boolean pending(String eventId, String step) {
        if (eventId == null) {
            return true;
        }
        Integer done = jdbc.queryForObject("select count(*) from event_step where event_id = ? and step = ? "
                + "and outcome in ('ok', '" + ALREADY_DONE + "') and id > coalesce((select max(r.id) from event_step r where r.event_id = ? "
                + "and r.step = '" + RERUN + "'), 0)", Integer.class, eventId, step, eventId);
        return done == null || done == 0;
    }

    /** Records that the step finished, with what it did; committed before this returns. */
    public void done(String eventId, String step, String detail) {
        note(eventId, step, "ok", detail);
    }

    /**
     * Records that the step finished with the target saying it had done it already (a re-run's
     * call answered from the target's Idempotency-Key record): nothing was done twice.
     */
    public void alreadyDone(String eventId, String step, String detail) {
        note(eventId, step, ALREADY_DONE, detail);
    }

    /**
     * Records a step that was skipped or changed course, e.g. a fallback owner. The row is
     * committed before this returns, as a once-only step's must be before the route goes on,
     * and shares its commit with the other workers' steps ({@link GroupCommit}).
     */
    public void note(String eventId, String step, String outcome, String detail) {
        if (eventId != null) {
            groupCommit.update(Journal.INSERT_STEP, eventId, Timestamp.from(Instant.now(clock)), step, outcome,
                    Journal.NO_DURATION, Journal.truncate(detail), node.value());
        }
    }
}

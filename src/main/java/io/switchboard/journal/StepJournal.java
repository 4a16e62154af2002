package io.switchboard.journal;

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
    private final Journal journal;

    public StepJournal(JdbcTemplate jdbc, Journal journal) {
        this.jdbc = jdbc;
        this.journal = journal;
    }

    /** The trail's mark of a re-run: the once-only steps before it are done again. */
    public static final String RERUN = "rerun";

    /** True when no earlier attempt of this event finished the step (since its last re-run). */
    public boolean pending(String eventId, String step) {
        if (eventId == null) {
            return true;
        }
        Integer done = jdbc.queryForObject("select count(*) from event_step where event_id = ? and step = ? "
                + "and outcome = 'ok' and id > coalesce((select max(r.id) from event_step r where r.event_id = ? "
                + "and r.step = '" + RERUN + "'), 0)", Integer.class, eventId, step, eventId);
        return done == null || done == 0;
    }

    /** Records that the step finished, with what it did. */
    public void done(String eventId, String step, String detail) {
        if (eventId != null) {
            journal.step(eventId, step, "ok", null, detail);
        }
    }

    /** Records a step that was skipped or changed course, e.g. a fallback owner. */
    public void note(String eventId, String step, String outcome, String detail) {
        if (eventId != null) {
            journal.step(eventId, step, outcome, null, detail);
        }
    }
}

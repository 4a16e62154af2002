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

    /** True when no earlier attempt of this event finished the step. */
    public boolean pending(String eventId, String step) {
        if (eventId == null) {
            return true;
        }
        Integer done = jdbc.queryForObject("select count(*) from event_step where event_id = ? and step = ? "
                + "and outcome = 'ok'", Integer.class, eventId, step);
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

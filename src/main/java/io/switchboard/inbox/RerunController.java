package io.switchboard.inbox;

import java.security.Principal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Re-runs (operator): a stored event's original payload through the current route again,
 * whatever it ended as, e.g. after fixing a route whose result was wrong. One event, or
 * every finished event that a filter matches (with {@code dryRun=true} first, to see how
 * many that is). Unlike a dead letter's replay, which carries on where the event failed, a
 * re-run does every step again.
 */
@RestController
class RerunController {

    /** At most this many events per bulk request, so one click cannot flood the systems. */
    static final int MAX_BULK = 10_000;

    private final InboxStore inbox;
    private final InboxSignal signal;
    private final JdbcTemplate jdbc;

    RerunController(InboxStore inbox, InboxSignal signal, JdbcTemplate jdbc) {
        this.inbox = inbox;
        this.signal = signal;
        this.jdbc = jdbc;
    }

    @PostMapping("/api/events/{id}/rerun")
    ResponseEntity<?> rerun(@PathVariable String id, Principal who) {
        InboxStore.Rerun rerun = inbox.rerun(id, who.getName());
        return switch (rerun.outcome()) {
            case UNKNOWN -> problem(HttpStatus.NOT_FOUND, "Unknown event", "No event " + id + ".");
            case IN_PROGRESS -> problem(HttpStatus.CONFLICT, "Still in progress", "Event " + id
                    + " is waiting in the inbox or running; re-run it once it is DONE or DEAD.");
            case STARTED -> {
                signal.wake(rerun.integration());
                yield ResponseEntity.accepted().body(Map.of("eventId", id, "status", "REPLAYED"));
            }
        };
    }

    @PostMapping("/api/events/rerun")
    ResponseEntity<?> rerunMatching(@RequestParam(required = false) String integration,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(defaultValue = "false") boolean dryRun, Principal who) {
        if (integration == null || integration.isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "Integration required", "Name the integration whose events to "
                    + "re-run: ?integration=<id> (with status, since and until to narrow it down).");
        }
        StringBuilder where = new StringBuilder(" from event where integration = ? and status in ('DONE', 'DEAD')"
                + " and id not in (select event_id from inbox)");
        List<Object> args = new ArrayList<>(List.of(integration));
        if (status != null && !status.isBlank()) {
            String wanted = status.toUpperCase(Locale.ROOT);
            if (!wanted.equals("DONE") && !wanted.equals("DEAD")) {
                return problem(HttpStatus.BAD_REQUEST, "Finished events only", "status may be DONE or DEAD; events "
                        + "that are still going cannot be re-run.");
            }
            where.append(" and status = ?");
            args.add(wanted);
        }
        if (since != null) {
            where.append(" and received_at >= ?");
            args.add(Timestamp.from(since));
        }
        if (until != null) {
            where.append(" and received_at < ?");
            args.add(Timestamp.from(until));
        }
        Integer matching = jdbc.queryForObject("select count(*)" + where, Integer.class, args.toArray());
        int count = matching == null ? 0 : matching;
        if (dryRun) {
            return ResponseEntity.ok(Map.of("matching", count, "limit", MAX_BULK));
        }
        if (count > MAX_BULK) {
            return problem(HttpStatus.BAD_REQUEST, "Too many events", count + " events match; narrow the filter to "
                    + "at most " + MAX_BULK + " (since, until, status).");
        }
        int started = 0;
        for (String id : jdbc.queryForList("select id" + where + " order by received_at", String.class,
                args.toArray())) {
            if (inbox.rerun(id, who.getName()).outcome() == InboxStore.RerunOutcome.STARTED) {
                started++;
            }
        }
        signal.wake(integration);
        return ResponseEntity.accepted().body(Map.of("rerun", started));
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}

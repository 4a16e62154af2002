package io.switchboard.incident;

import java.security.Principal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import io.switchboard.incident.Incidents.Incident;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.PageLimit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/incidents}: what is broken now, each incident with what happens next and the
 * events it affected (viewer); acknowledge or resolve one (operator). Replaying what it
 * parked is {@code POST /api/dead-letters/replay?incident=<id>} (with {@code dryRun=true} first).
 */
@RestController
@RequestMapping("/api/incidents")
class IncidentsController {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Incidents incidents;
    private final JdbcTemplate jdbc;
    private final IntegrationsProperties integrations;

    IncidentsController(Incidents incidents, JdbcTemplate jdbc, IntegrationsProperties integrations) {
        this.incidents = incidents;
        this.jdbc = jdbc;
        this.integrations = integrations;
    }

    /**
     * An incident for a person.
     *
     * @param events        events it affected
     * @param waiting       of those, still in the inbox (retrying or waiting for a connection)
     * @param parked        of those, parked as dead letters
     * @param nextAttemptAt the earliest next attempt of a waiting event
     * @param nextStep      what happens next, or what a person must do
     */
    record View(String id, String kind, String connection, String title, String status, Instant firstSeen,
            Instant lastSeen, long failures, String lastError, List<String> integrations, long events, long waiting,
            long parked, Instant nextAttemptAt, boolean retriesByItself, String nextStep, String acknowledgedBy,
            Instant acknowledgedAt, String resolvedBy, Instant resolvedAt) {
    }

    /** One affected event, as the incident's page lists it. */
    record Affected(String eventId, String integration, String status, int attempts, Instant receivedAt,
            String lastError) {
    }

    /** An incident with its affected events, newest first. */
    record Detail(View incident, List<Affected> events) {
    }

    @GetMapping
    List<View> list(@RequestParam(defaultValue = "unresolved") String status,
            @RequestParam(defaultValue = "100") int limit) {
        List<Incident> found = "all".equalsIgnoreCase(status) ? incidents.recent(PageLimit.of(limit, 500))
                : incidents.unresolved();
        return found.stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    ResponseEntity<?> get(@PathVariable String id) {
        return incidents.get(id).<ResponseEntity<?>>map(incident -> ResponseEntity.ok(new Detail(view(incident),
                jdbc.query("select e.id, ie.integration, e.status, e.attempts, e.received_at, e.last_error from "
                        + "incident_event ie join event e on e.id = ie.event_id where ie.incident_id = ? order by "
                        + "ie.at desc limit 500", (rs, n) -> new Affected(rs.getString(1), rs.getString(2),
                                rs.getString(3), rs.getInt(4), rs.getTimestamp(5).toInstant(), rs.getString(6)), id))))
                .orElseGet(() -> problem(HttpStatus.NOT_FOUND, "Unknown incident", "No incident " + id + "."));
    }

    @PostMapping("/{id}/acknowledge")
    ResponseEntity<?> acknowledge(@PathVariable String id, Principal who) {
        if (incidents.get(id).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "Unknown incident", "No incident " + id + ".");
        }
        if (!incidents.acknowledge(id, who.getName())) {
            return problem(HttpStatus.CONFLICT, "Not open", "Incident " + id + " is "
                    + incidents.get(id).map(Incident::status).orElse("gone") + ", not OPEN; nothing was changed.");
        }
        return ResponseEntity.ok(view(incidents.get(id).orElseThrow()));
    }

    @PostMapping("/{id}/resolve")
    ResponseEntity<?> resolve(@PathVariable String id, Principal who) {
        if (incidents.get(id).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "Unknown incident", "No incident " + id + ".");
        }
        if (!incidents.resolve(id, who.getName())) {
            return problem(HttpStatus.CONFLICT, "Already resolved", "Incident " + id + " is resolved already.");
        }
        return ResponseEntity.ok(view(incidents.get(id).orElseThrow()));
    }

    private View view(Incident incident) {
        Map<String, Object> counts = jdbc.queryForMap("select count(*) as events, "
                + "coalesce(sum(case when i.event_id is null then 0 else 1 end), 0) as waiting, "
                + "coalesce(sum(case when e.status = 'DEAD' then 1 else 0 end), 0) as parked, "
                // Events held for a connection have no next attempt: they run once it is connected.
                + "min(case when i.waiting_for is null then i.not_before end) as next_attempt, "
                + "min(case when i.event_id is null then null else e.received_at end) "
                + "as oldest_waiting from incident_event ie join event e on e.id = ie.event_id "
                + "left join inbox i on i.event_id = ie.event_id where ie.incident_id = ?", incident.id());
        List<String> affected = jdbc.queryForList("select distinct integration from incident_event where incident_id = ? "
                + "order by integration", String.class, incident.id());
        long events = number(counts.get("events"));
        long waiting = number(counts.get("waiting"));
        long parked = number(counts.get("parked"));
        Instant next = instant(counts.get("next_attempt"));
        Instant oldest = instant(counts.get("oldest_waiting"));
        return new View(incident.id(), incident.kind().label(), incident.connection(), incident.title(),
                incident.status(), incident.firstSeen(), incident.lastSeen(), incident.failures(),
                incident.lastError(), affected, events, waiting, parked, next, incident.kind().retriesByItself(),
                nextStep(incident, affected, waiting, parked, next, oldest), incident.acknowledgedBy(),
                incident.acknowledgedAt(), incident.resolvedBy(), incident.resolvedAt());
    }

    private String nextStep(Incident incident, List<String> affected, long waiting, long parked, Instant next,
            Instant oldestWaiting) {
        if (Incidents.RESOLVED.equals(incident.status())) {
            return "Resolved by " + incident.resolvedBy() + " at " + incident.resolvedAt() + "."
                    + (waiting > 0 ? " " + waiting + " affected events are still finishing by themselves." : "")
                    + (parked > 0 ? " " + parked + " stay parked: replay them from the dead letters." : "");
        }
        String system = incident.connection();
        return switch (incident.kind()) {
            case SYSTEM_DOWN, TRANSIENT -> {
                StringBuilder text = new StringBuilder("Retrying on its own: ").append(waiting)
                        .append(waiting == 1 ? " event waits" : " events wait");
                if (next != null) {
                    text.append(", next attempt at ").append(CLOCK.format(next)).append(" UTC");
                }
                Instant deadline = deadline(affected, oldestWaiting);
                if (deadline != null && system != null) {
                    text.append("; they finish within the latency budget if ").append(system).append(" is back by ")
                            .append(CLOCK.format(deadline)).append(" UTC");
                }
                text.append(". Nothing to do unless it lasts; the incident resolves itself when ")
                        .append(system == null ? "events succeed" : "calls to " + system + " succeed").append(" again.");
                if (parked > 0) {
                    text.append(" ").append(parked).append(" gave up and are parked: replay them once it is back.");
                }
                yield text.toString();
            }
            case CREDENTIALS -> "Reconnect " + system + " in the console (Connections), or fix its credentials: "
                    + waiting + " events wait and run by themselves afterwards"
                    + (parked > 0 ? "; replay the " + parked + " parked ones." : ".");
            case PERMISSION -> "Grant the missing permission (scope) at " + system + ", then replay the " + parked
                    + " parked events.";
            case DATA -> "Fix the data (or ask the sender to), then replay the " + parked + " parked events; "
                    + "discard those that should not run.";
            case BUG -> "A bug in the route: deploy a fix, then re-run the " + (parked + waiting)
                    + " affected events (POST /api/events/rerun, or replay the parked ones).";
        };
    }

    /** When the oldest waiting event overruns its integration's latency budget. */
    private Instant deadline(List<String> affected, Instant oldestWaiting) {
        if (oldestWaiting == null) {
            return null;
        }
        Duration budget = null;
        for (String id : affected) {
            Duration own = integrations.find(id).map(i -> i.card() == null ? null : i.card().latencyBudget()).orElse(null);
            if (own != null && (budget == null || own.compareTo(budget) < 0)) {
                budget = own;
            }
        }
        return budget == null ? null : oldestWaiting.plus(budget);
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        return null;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}

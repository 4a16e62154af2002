package io.switchboard.schedule;

import java.security.Principal;

import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A scheduled sync's state for a person: {@code GET /api/integrations/{id}/runs} (viewer)
 * answers the watermark, whether a run is going, and the latest runs with their numbers;
 * {@code POST /api/integrations/{id}/runs} (operator) starts a run now, and
 * {@code POST /api/integrations/{id}/watermark} (operator) sets the watermark by hand.
 */
@RestController
class SyncRunsController {

    private final Watermarks watermarks;
    private final IntegrationsProperties integrations;
    private final InboxStore inbox;
    private final InboxSignal signal;

    SyncRunsController(Watermarks watermarks, IntegrationsProperties integrations, InboxStore inbox,
            InboxSignal signal) {
        this.watermarks = watermarks;
        this.integrations = integrations;
        this.inbox = inbox;
        this.signal = signal;
    }

    /**
     * Run now: a run event in the integration's inbox, taken by whichever node is free. While
     * a run waits or goes, the answer is 409 with that run's event id.
     */
    @PostMapping("/api/integrations/{integration}/runs")
    ResponseEntity<?> runNow(@PathVariable String integration, Principal who) {
        if (integrations.find(integration).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "Unknown integration", "No integration " + integration + ".");
        }
        if (!isSchedule(integration)) {
            return problem(HttpStatus.BAD_REQUEST, "Not a schedule", integration + " is not started by a schedule, "
                    + "so there is no run to start; POST /api/integrations/" + integration + "/test-events sends it "
                    + "a test event.");
        }
        InboxStore.RunStart start = inbox.startRun(integration, who.getName());
        if (start.alreadyGoing()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "A run of " + integration
                    + " is already waiting or going (event " + start.eventId() + "); wait for it to finish.");
            problem.setTitle("Run already going");
            problem.setProperty("runningRunId", start.eventId());
            problem.setProperty("runningEventId", start.eventId());
            return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
        }
        signal.wake(integration);
        // The run is an event of the journal: its id is both.
        return ResponseEntity.accepted().body(Map.of("runId", start.eventId(), "eventId", start.eventId()));
    }

    @GetMapping("/api/integrations/{integration}/runs")
    ResponseEntity<?> runs(@PathVariable String integration, @RequestParam(defaultValue = "20") int limit) {
        if (!isSchedule(integration)) {
            return notASync(integration);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("integration", integration);
        Watermarks.State state = watermarks.state(integration).orElse(null);
        answer.put("watermark", state == null ? null : state.watermark());
        answer.put("running", state != null && state.runningRunId() != null);
        answer.put("lastRunAt", state == null ? null : state.lastRunAt());
        answer.put("lastSuccessAt", state == null ? null : state.lastSuccessAt());
        answer.put("lastFailureAt", state == null ? null : state.lastFailureAt());
        answer.put("runs", watermarks.runs(integration, limit));
        return ResponseEntity.ok(answer);
    }

    /** Body: {@code {"watermark": "2025-01-31T00:00:00Z"}}, or {@code null} to read everything again. */
    @PostMapping("/api/integrations/{integration}/watermark")
    ResponseEntity<?> rewind(@PathVariable String integration, @RequestBody Map<String, String> body) {
        if (!isSchedule(integration)) {
            return notASync(integration);
        }
        Instant watermark;
        try {
            String value = body.get("watermark");
            watermark = value == null || value.isBlank() ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return problem(HttpStatus.BAD_REQUEST, "Invalid watermark",
                    "watermark must be an ISO-8601 instant such as 2025-01-31T00:00:00Z, or null");
        }
        if (!watermarks.rewind(integration, watermark)) {
            return problem(HttpStatus.CONFLICT, "Sync is running",
                    "A run of " + integration + " is going; set the watermark after it has finished.");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("integration", integration);
        answer.put("watermark", watermark);
        return ResponseEntity.ok(answer);
    }

    private boolean isSchedule(String integration) {
        return integrations.find(integration).map(i -> i.trigger() == Trigger.SCHEDULE).orElse(false);
    }

    private static ResponseEntity<ProblemDetail> notASync(String integration) {
        return problem(HttpStatus.NOT_FOUND, "No scheduled sync",
                "There is no integration " + integration + " with trigger schedule.");
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}

package io.switchboard.journal;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;

import io.switchboard.integration.PageLimit;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code /api/events}: the journal, newest first, filtered and searched; one event with its step trail. */
@RestController
@RequestMapping("/api/events")
class EventsController {

    private final EventQueries queries;
    private final SearchLimiter searches;

    EventsController(EventQueries queries, SearchLimiter searches) {
        this.queries = queries;
        this.searches = searches;
    }

    @GetMapping
    ResponseEntity<?> list(@RequestParam(required = false) String integration,
            @RequestParam(required = false) String status, @RequestParam(required = false) String q,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(defaultValue = "0") int offset,
            Principal who) {
        if (offset < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "offset must be 0 or more; it was " + offset + ".");
        }
        if (q != null && !q.isBlank()) {
            Duration wait = searches.waitBeforeSearch(who.getName());
            if (wait != null) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
                        "Too many journal searches from this account; search again in " + seconds
                                + " s (the limit is switchboard.journal.searches-per-minute).");
                problem.setTitle("Too many searches");
                return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                        .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(problem);
            }
        }
        return ResponseEntity.ok(queries.find(new EventQueries.Filter(integration, status, q, since, until,
                PageLimit.of(limit, 500), offset)));
    }

    @GetMapping("/{id}")
    ResponseEntity<?> get(@PathVariable String id) {
        return queries.get(id).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No event " + id + ".");
            problem.setTitle("Unknown event");
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
        });
    }
}

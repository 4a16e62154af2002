package io.switchboard.journal;

import java.time.Instant;
import java.util.List;

import io.switchboard.integration.PageLimit;
import org.springframework.format.annotation.DateTimeFormat;
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

    EventsController(EventQueries queries) {
        this.queries = queries;
    }

    @GetMapping
    List<EventQueries.EventSummary> list(@RequestParam(required = false) String integration,
            @RequestParam(required = false) String status, @RequestParam(required = false) String q,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(defaultValue = "0") int offset) {
        if (offset < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "offset must be 0 or more; it was " + offset + ".");
        }
        return queries.find(new EventQueries.Filter(integration, status, q, since, until, PageLimit.of(limit, 500),
                offset));
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

package io.switchboard.inbox;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.switchboard.inbox.DeadLetterStore.DeadLetter;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.PageLimit;
import io.switchboard.integration.Trigger;
import io.switchboard.journal.PayloadMask;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Parked events for a person: list and filter them (viewer), replay one or many through
 * their integration, or discard one (operator). A replay re-runs the original payload; the
 * journal shows {@code REPLAYED} and then the new outcome.
 */
@RestController
@RequestMapping("/api/dead-letters")
class DeadLetterController {

    private final DeadLetterStore deadLetters;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final TransactionTemplate tx;
    private final IntegrationsProperties integrations;
    private final PayloadMask mask;

    DeadLetterController(DeadLetterStore deadLetters, InboxStore inbox, InboxSignal signal, TransactionTemplate tx,
            IntegrationsProperties integrations, PayloadMask mask) {
        this.integrations = integrations;
        this.mask = mask;
        this.deadLetters = deadLetters;
        this.inbox = inbox;
        this.signal = signal;
        this.tx = tx;
    }

    @GetMapping
    List<DeadLetter> list(@RequestParam(required = false) String integration,
            @RequestParam(required = false) String category,
            @RequestParam(required = false, defaultValue = DeadLetterStore.PARKED) String status,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(required = false, defaultValue = "100") int limit) {
        return deadLetters.find(integration, category, "all".equalsIgnoreCase(status) ? null : status, since, until,
                PageLimit.of(limit, 1000)).stream().map(letter -> letter.shownWith(mask)).toList();
    }

    @GetMapping("/{id}")
    ResponseEntity<?> get(@PathVariable String id) {
        DeadLetter letter = deadLetters.get(id);
        return letter == null ? notFound(id) : ResponseEntity.ok(letter.shownWith(mask));
    }

    @PostMapping("/{id}/replay")
    ResponseEntity<?> replay(@PathVariable String id, Principal who) {
        DeadLetter letter = deadLetters.get(id);
        if (letter == null) {
            return notFound(id);
        }
        if (letter.eventId() == null && isSchedule(letter.integration())) {
            // A run of a schedule that failed outside the inbox (a direct call): replay means run now.
            if (!deadLetters.resolve(letter.id(), DeadLetterStore.REPLAYED, who.getName())) {
                return conflict("Dead letter " + id + " is " + letter.status() + ", not PARKED; nothing was replayed.");
            }
            InboxStore.RunStart run = inbox.startRun(letter.integration(), who.getName());
            signal.wake(letter.integration());
            return ResponseEntity.ok(Map.of("deadLetterId", id, "eventId", run.eventId(), "status", "REPLAYED"));
        }
        if (letter.eventId() == null) {
            return conflict("Dead letter " + id + " came from route " + letter.routeId()
                    + ", which has no inbox event to replay; run that route again instead.");
        }
        try {
            if (!replayOne(letter, who.getName())) {
                return conflict("Dead letter " + id + " is " + letter.status() + ", not PARKED; nothing was replayed.");
            }
        } catch (InboxStore.EventLeasedException running) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, running.getMessage()
                    + " Nothing was replayed; dead letter " + id + " stays PARKED.");
            problem.setTitle("Event being processed");
            problem.setProperty("eventId", running.eventId());
            problem.setProperty("node", running.node());
            problem.setProperty("leasedUntil", running.until());
            return ResponseEntity.status(HttpStatus.CONFLICT).header("Retry-After", String.valueOf(Math.max(1,
                    Duration.between(Instant.now(), running.until()).toSeconds() + 1))).body(problem);
        }
        return ResponseEntity.ok(Map.of("deadLetterId", id, "eventId", letter.eventId(), "status", "REPLAYED"));
    }

    @PostMapping("/{id}/discard")
    ResponseEntity<?> discard(@PathVariable String id, Principal who) {
        DeadLetter letter = deadLetters.get(id);
        if (letter == null) {
            return notFound(id);
        }
        if (!deadLetters.resolve(id, DeadLetterStore.DISCARDED, who.getName())) {
            return conflict("Dead letter " + id + " is " + letter.status() + ", not PARKED; nothing was discarded.");
        }
        return ResponseEntity.ok(Map.of("deadLetterId", id, "status", DeadLetterStore.DISCARDED));
    }

    /**
     * Bulk replay of every parked letter matching the filter, e.g. after an outage is fixed; with
     * {@code incident}, the letters of the events that incident affected. {@code dryRun=true}
     * only counts them ({@code {"matching": N}}). Letters whose event a worker is processing stay
     * PARKED and are listed as {@code beingProcessed}.
     */
    @PostMapping("/replay")
    Map<String, Object> replayMatching(@RequestParam(required = false) String integration,
            @RequestParam(required = false) String category,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(required = false) String incident, @RequestParam(defaultValue = "false") boolean dryRun,
            @RequestParam(required = false, defaultValue = "1000") int limit, Principal who) {
        List<DeadLetter> matching = incident != null
                ? deadLetters.parkedOfIncident(incident, PageLimit.of(limit, 10_000)).stream()
                        .filter(letter -> integration == null || integration.equals(letter.integration()))
                        .filter(letter -> category == null || category.equals(letter.category())).toList()
                : deadLetters.find(integration, category, DeadLetterStore.PARKED, since, until,
                        PageLimit.of(limit, 10_000));
        if (dryRun) {
            return Map.of("matching", matching.size());
        }
        int replayed = 0;
        List<String> beingProcessed = new ArrayList<>();
        for (DeadLetter letter : matching) {
            try {
                if (letter.eventId() != null && replayOne(letter, who.getName())) {
                    replayed++;
                }
            } catch (InboxStore.EventLeasedException running) {
                beingProcessed.add(letter.id()); // left PARKED: replay it once the worker is done
            }
        }
        return beingProcessed.isEmpty() ? Map.of("replayed", replayed)
                : Map.of("replayed", replayed, "beingProcessed", beingProcessed);
    }

    private boolean isSchedule(String integration) {
        return integrations.find(integration).map(i -> i.trigger() == Trigger.SCHEDULE).orElse(false);
    }

    private boolean replayOne(DeadLetter letter, String by) {
        Boolean done = tx.execute(status -> {
            if (!deadLetters.resolve(letter.id(), DeadLetterStore.REPLAYED, by)) {
                return false;
            }
            inbox.replay(letter.eventId(), by);
            return true;
        });
        if (Boolean.TRUE.equals(done)) {
            signal.wake(letter.integration());
            return true;
        }
        return false;
    }

    private static ResponseEntity<ProblemDetail> notFound(String id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No dead letter " + id + ".");
        problem.setTitle("Unknown dead letter");
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    private static ResponseEntity<ProblemDetail> conflict(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle("Not replayable");
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }
}

package io.switchboard.connect;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Whether a system is there, judged from the calls the integrations make to it: over the last
 * {@link #WINDOW}, how many calls failed for want of the system (a 5xx answer, a timeout, a
 * refused or reset connection) against all calls. A connection is failing from the
 * {@link #MIN_FAILURES}th such failure once they are at least half its calls, or as soon as
 * {@link #MIN_FAILURES} calls in a row failed (a busy minute before the outage must not hide
 * it), and ok again after
 * {@link #SUCCESSES_TO_RECOVER} calls in a row succeed: one lucky call in an outage does not
 * flip it back, one unlucky call in good times does not flip it over.
 */
final class CallOutcomes {

    static final Duration WINDOW = Duration.ofSeconds(60);
    static final int MIN_FAILURES = 3;
    static final int SUCCESSES_TO_RECOVER = 2;
    /** Bounded memory at any call rate: the share is then over the latest calls only. */
    private static final int MAX_REMEMBERED = 2_000;

    /** What the connection's card shows about its availability. */
    record Availability(boolean failing, int calls, int failed, String lastError, Instant lastErrorAt,
            Instant lastSuccessAt) {

        /** Share of the window's calls that failed for want of the system, 0 to 1. */
        double failingShare() {
            return calls == 0 ? 0.0 : (double) failed / calls;
        }
    }

    private record Outcome(Instant at, boolean failed) {
    }

    private final Deque<Outcome> outcomes = new ArrayDeque<>();
    /** Of {@link #outcomes}, the failed ones: kept as they come and go, since every call reads it. */
    private int failedInWindow;
    private boolean failing;
    private int successesInARow;
    private int failuresInARow;
    private String lastError;
    private Instant lastErrorAt;
    private Instant lastSuccessAt;

    /** A call that reached the system and got an answer it meant (2xx-4xx). */
    synchronized Availability succeeded(Instant now) {
        add(new Outcome(now, false));
        successesInARow++;
        failuresInARow = 0;
        lastSuccessAt = now;
        if (failing && successesInARow >= SUCCESSES_TO_RECOVER) {
            failing = false;
        }
        return availability(now);
    }

    /** A call the system did not serve: 5xx, timeout, refused connection. */
    synchronized Availability failed(Instant now, String error) {
        add(new Outcome(now, true));
        successesInARow = 0;
        failuresInARow++;
        lastError = error;
        lastErrorAt = now;
        Availability seen = availability(now);
        if (!failing && (failuresInARow >= MIN_FAILURES
                || seen.failed() >= MIN_FAILURES && seen.failed() * 2 >= seen.calls())) {
            failing = true;
            return availability(now);
        }
        return seen;
    }

    synchronized Availability availability(Instant now) {
        trim(now);
        return new Availability(failing, outcomes.size(), failedInWindow, lastError, lastErrorAt, lastSuccessAt);
    }

    private void add(Outcome outcome) {
        outcomes.addLast(outcome);
        if (outcome.failed()) {
            failedInWindow++;
        }
        if (outcomes.size() > MAX_REMEMBERED) {
            forget();
        }
    }

    private void trim(Instant now) {
        Instant start = now.minus(WINDOW);
        while (!outcomes.isEmpty() && outcomes.peekFirst().at().isBefore(start)) {
            forget();
        }
    }

    private void forget() {
        if (outcomes.pollFirst().failed()) {
            failedInWindow--;
        }
    }
}

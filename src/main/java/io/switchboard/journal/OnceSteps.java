package io.switchboard.journal;

import io.switchboard.integration.RouteCalls;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.stereotype.Component;

/**
 * The idempotent repository {@code once}: a side effect done once per event, kept in the
 * event's step trail. In a route:
 *
 * <pre>
 * - idempotentConsumer:
 *     simple: ${header.SwitchboardEventId}/welcome-email
 *     idempotentRepository: once
 *     eager: false
 *     completionEager: true
 *     steps: [...]
 * </pre>
 *
 * The key is the event id and the step's name. The block runs unless an earlier attempt of
 * the same event finished it; when it finishes, the step is written to the journal
 * ({@code welcome-email ok}), with the exchange property {@code stepDetail} as its detail
 * when the block set one; {@code already-done} instead when the block's call was answered from
 * the target's Idempotency-Key record ({@link RouteCalls#IDEMPOTENT_REPLAYED}), as a re-run's is. A block that fails records nothing, so the retry runs it again.
 */
@Component("once")
public class OnceSteps extends ServiceSupport implements IdempotentRepository {

    /** Exchange property a once-only block may set to say what it did, for the journal. */
    public static final String DETAIL = "stepDetail";

    private final StepJournal steps;

    public OnceSteps(StepJournal steps) {
        this.steps = steps;
    }

    @Override
    public boolean contains(String key) {
        Key parsed = Key.of(key);
        return !steps.pending(parsed.eventId(), parsed.step());
    }

    @Override
    public boolean add(String key) {
        return add(null, key);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        Key parsed = Key.of(key);
        if (!steps.pending(parsed.eventId(), parsed.step())) {
            return false;
        }
        String detail = exchange == null ? null : exchange.getProperty(DETAIL, String.class);
        if (exchange != null && "true".equalsIgnoreCase(
                exchange.getMessage().getHeader(RouteCalls.IDEMPOTENT_REPLAYED, String.class))) {
            // A re-run repeats the step's call; the target's Idempotency-Key record answered it.
            steps.alreadyDone(parsed.eventId(), parsed.step(), "the target had done it already"
                    + (detail == null ? "" : " (" + detail + ")") + ": it answered the repeated Idempotency-Key "
                    + "with the first result");
        } else {
            steps.done(parsed.eventId(), parsed.step(), detail == null ? "done" : detail);
        }
        if (exchange != null) {
            exchange.removeProperty(DETAIL);
        }
        return true;
    }

    @Override
    public boolean remove(String key) {
        return true; // nothing is recorded before the block finished
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        // the journal is not this repository's to clear
    }

    /** {@code <event id>/<step>}: the step's name is what follows the last slash. */
    record Key(String eventId, String step) {
        static Key of(String key) {
            int slash = key == null ? -1 : key.lastIndexOf('/');
            if (slash <= 0 || slash == key.length() - 1) {
                throw new IllegalArgumentException("a once-only key is '${header.SwitchboardEventId}/<step>', not '"
                        + key + "'");
            }
            return new Key(key.substring(0, slash), key.substring(slash + 1));
        }
    }
}

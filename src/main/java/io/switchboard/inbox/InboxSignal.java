package io.switchboard.inbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

/**
 * Wakes this node's inbox consumers as soon as an event is committed, so an event does not
 * wait for the next poll. Other nodes find it at their next poll.
 */
@Component
public class InboxSignal {

    private final Map<String, Semaphore> signals = new ConcurrentHashMap<>();

    public void wake(String integration) {
        Semaphore semaphore = signals.computeIfAbsent(integration, id -> new Semaphore(0));
        if (semaphore.availablePermits() < 64) {
            semaphore.release();
        }
    }

    /** Waits until woken or the poll interval passes. */
    void await(String integration, long millis) throws InterruptedException {
        signals.computeIfAbsent(integration, id -> new Semaphore(0)).tryAcquire(millis, TimeUnit.MILLISECONDS);
    }
}

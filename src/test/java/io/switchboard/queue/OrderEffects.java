package io.switchboard.queue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * The far end of the test-only {@code queue-outage} route: a system that, like the sandbox's
 * mail API, keeps an {@code Idempotency-Key} and does a repeated request's effect only once.
 * A test reads how often each key was asked for (a call the once-only step could not spare:
 * its attempt was cut off before it recorded the step) and how often its effect happened.
 */
@Component("orderEffects")
public class OrderEffects {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();

    public void apply(@Header("Idempotency-Key") String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("an order effect needs an Idempotency-Key");
        }
        calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        effects.computeIfAbsent(key, k -> new AtomicInteger()).compareAndSet(0, 1);
    }

    /** Requests per key, repeats included. */
    public Map<String, AtomicInteger> calls() {
        return calls;
    }

    /** Effects per key: 1 for every key asked for, never more. */
    public Map<String, AtomicInteger> effects() {
        return effects;
    }

    public void reset() {
        calls.clear();
        effects.clear();
    }
}

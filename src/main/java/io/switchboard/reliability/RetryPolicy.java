package io.switchboard.reliability;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.switchboard.integration.IntegrationsProperties.Inbox;

/**
 * How long to wait before the next attempt: exponential backoff with full jitter, capped,
 * and never shorter than what the failing system asked for with {@code Retry-After}.
 */
public final class RetryPolicy {

    private RetryPolicy() {
    }

    public static Duration delayBefore(int nextAttempt, Inbox settings, Duration retryAfter) {
        long base = settings.retryDelay().toMillis();
        long cap = settings.maxRetryDelay().toMillis();
        int exponent = Math.min(Math.max(nextAttempt - 2, 0), 30);
        long ceiling = Math.min(cap, base * (1L << exponent));
        // Half fixed, half random: spreads retries of many events apart without ever retrying at once.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = retryAfter.toMillis();
        }
        return Duration.ofMillis(delay);
    }
}

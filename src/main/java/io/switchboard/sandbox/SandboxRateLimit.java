package io.switchboard.sandbox;

import java.time.Duration;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.springframework.stereotype.Component;

/**
 * The sandbox CRM's rate limit (default 10 requests/s, {@code switchboard.sandbox.crm.rate-limit},
 * 0 for none). A fault may set a different limit until the faults are cleared.
 */
@SandboxEnabled
@Component
class SandboxRateLimit {

    private final int configured;
    private volatile int current;
    private volatile Bucket bucket;

    SandboxRateLimit(SandboxProperties properties) {
        this.configured = properties.crm().rateLimit();
        set(configured);
    }

    /** Zero when the call may pass, else how long to wait. */
    Duration tryPass() {
        Bucket limit = bucket;
        if (limit == null) {
            return Duration.ZERO;
        }
        ConsumptionProbe probe = limit.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill()));
    }

    int current() {
        return current;
    }

    synchronized void set(int perSecond) {
        current = perSecond;
        bucket = perSecond <= 0 ? null : Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build();
    }

    void reset() {
        set(configured);
    }
}

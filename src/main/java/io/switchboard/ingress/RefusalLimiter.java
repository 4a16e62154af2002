package io.switchboard.ingress;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import org.springframework.http.HttpStatus;

/**
 * Refused webhook requests, counted per client address. An address that keeps sending what
 * is refused (unsigned floods, guessed signatures, wrong URLs) is answered 429 before its
 * requests are read, while other senders, and the integration's own rate limit, are not
 * touched: only authenticated deliveries count against an integration.
 */
final class RefusalLimiter {

    /** More addresses than this and the table starts afresh: memory stays bounded under a spoofed-address storm. */
    private static final int MAX_ADDRESSES = 50_000;

    private final int perSecond;
    private final int burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RefusalLimiter(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** 429 when this address has used up its refusals; costs one map lookup for a well-behaved sender. */
    void checkAllowed(String address) {
        if (perSecond == 0 || address == null) {
            return;
        }
        Bucket bucket = buckets.get(address);
        if (bucket != null && bucket.getAvailableTokens() <= 0) {
            throw new WebhookRejection(HttpStatus.TOO_MANY_REQUESTS, "Too many refused requests",
                    "Too many requests from this address were refused (bad signature, unknown integration or bad "
                            + "body); fix the sender and retry after the Retry-After delay.",
                    Duration.ofSeconds(Math.max(1, burst / perSecond)));
        }
    }

    void refused(String address) {
        if (perSecond == 0 || address == null) {
            return;
        }
        if (buckets.size() >= MAX_ADDRESSES) {
            buckets.clear();
        }
        buckets.computeIfAbsent(address, ignored -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build()).tryConsume(1);
    }
}

package io.switchboard.connect;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;

/**
 * The rate limit toward one external system, for all routes of this node together: the
 * routes' throttles bound each route, this bounds their sum. In a cluster each node takes
 * an equal share of the configured rate (rate / live nodes), so the system never sees
 * more than its limit however many nodes run. Requests are spaced evenly (no burst), so
 * no one-second window holds more than the limit.
 */
final class ConnectionLimiter {

    private final double rate;
    private final IntSupplier liveNodes;
    private final Map<Integer, Bucket> buckets = new ConcurrentHashMap<>();

    ConnectionLimiter(double rate, IntSupplier liveNodes) {
        this.rate = rate;
        this.liveNodes = liveNodes;
    }

    /** Waits until this node may send one more request. */
    void acquire() throws InterruptedException {
        if (rate <= 0) {
            return;
        }
        int nodes = Math.max(1, liveNodes.getAsInt());
        buckets.computeIfAbsent(nodes, this::bucket).asBlocking().consume(1);
    }

    /** One request every 1 / (rate / nodes) seconds. */
    private Bucket bucket(int nodes) {
        long spacingNanos = (long) Math.ceil(1_000_000_000d * nodes / rate);
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofNanos(spacingNanos)).build())
                .build();
    }
}

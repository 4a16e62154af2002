package io.switchboard.connect;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The rate limit toward one external system, for all routes of this node together: the
 * routes' throttles bound each route, this bounds their sum. In a cluster each node takes
 * an equal share of the configured rate (rate / live nodes), so the system never sees
 * more than its limit however many nodes run. Requests are spaced evenly (no burst), so
 * no one-second window holds more than the limit.
 *
 * <p>Each request is let go at the moment it leaves, at least one spacing after the one
 * before, rather than given a time slot in advance: a thread that wakes late (a busy
 * machine) would otherwise send in a slot's wake together with the next one, and the system
 * would see two requests closer than the spacing. The spacing keeps {@link #MARGIN} below
 * the limit, for the jitter between leaving here and arriving there.
 */
final class ConnectionLimiter {

    /** The share of the limit used: 1 % is left for the network's jitter. */
    static final double MARGIN = 0.99;

    private final double rate;
    private final IntSupplier liveNodes;
    private final Object lock = new Object();
    private long lastSent = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    ConnectionLimiter(double rate, IntSupplier liveNodes) {
        this.rate = rate;
        this.liveNodes = liveNodes;
    }

    /** Waits until this node may send one more request. */
    void acquire() throws InterruptedException {
        if (rate <= 0) {
            return;
        }
        long spacing = spacingNanos(Math.max(1, liveNodes.getAsInt()));
        while (true) {
            long wait;
            synchronized (lock) {
                long now = System.nanoTime();
                wait = lastSent + spacing - now;
                if (wait <= 0) {
                    lastSent = now;
                    return;
                }
            }
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the rate limit");
            }
        }
    }

    /** One request every 1 / (rate / nodes) seconds, less the margin. */
    long spacingNanos(int nodes) {
        return (long) Math.ceil(1_000_000_000d * nodes / (rate * MARGIN));
    }
}

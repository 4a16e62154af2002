package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** The connection's limiter spaces requests evenly, a little under the limit, however many threads ask. */
class ConnectionLimiterTest {

    @Test
    void theSpacingLeavesTheMarginAndSharesTheRateAmongTheNodes() {
        ConnectionLimiter limiter = new ConnectionLimiter(400, () -> 1);
        assertThat(limiter.spacingNanos(1)).isEqualTo(2_525_253L);
        assertThat(limiter.spacingNanos(2)).isEqualTo(5_050_506L);
    }

    @Test
    void manyThreadsTogetherNeverGoFasterThanTheSpacing() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(1000, () -> 1);
        int requests = 200;
        ExecutorService threads = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                done.add(threads.submit(() -> {
                    limiter.acquire();
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        // A lower bound only: a busy machine can make it slower, never faster.
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo((requests - 1) * limiter.spacingNanos(1));
    }
}

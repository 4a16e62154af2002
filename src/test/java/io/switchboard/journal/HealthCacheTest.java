package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.support.MutableClock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/** Many open consoles cost one health computation per cache period, not one per request. */
class HealthCacheTest {

    @Test
    void theHealthIsComputedOncePerCachePeriodHoweverOftenItIsAsked() {
        AtomicInteger computations = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        EventQueries counting = new EventQueries(null, new JournalProperties(null, null, null, 0, 0),
                new PayloadMask(new JournalProperties(null, null, null, 0, 0), new ObjectMapper()), clock) {
            @Override
            public Map<String, IntegrationActivity> activitySince(Instant since) {
                computations.incrementAndGet();
                return Map.of();
            }

            @Override
            public Map<String, Attempts> attemptsSince(Instant since) {
                return Map.of();
            }
        };
        JdbcTemplate noRows = new JdbcTemplate() {
            @Override
            public void query(String sql, RowCallbackHandler rch) {
                // no dead letters, nothing waiting
            }

            @Override
            public void query(String sql, RowCallbackHandler rch, Object... args) {
                // no dead letters, nothing waiting
            }
        };
        IntegrationHealth health = new IntegrationHealth(new IntegrationsProperties(Map.of()), counting, noRows, clock,
                new StaticListableBeanFactory().getBeanProvider(ActivitySource.class), Duration.ofSeconds(3));

        for (int request = 0; request < 50; request++) {
            health.all();
        }
        assertThat(computations).hasValue(1);
        clock.advance(Duration.ofSeconds(3));
        health.all();
        health.all();
        assertThat(computations).hasValue(2);
    }
}

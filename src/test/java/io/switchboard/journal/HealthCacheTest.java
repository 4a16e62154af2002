package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.integration.IntegrationsProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** Many open consoles cost one health computation per cache period, not one per request. */
class HealthCacheTest {

    @Test
    void theHealthIsComputedOncePerCachePeriodHoweverOftenItIsAsked() {
        AtomicInteger computations = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        EventQueries counting = new EventQueries(null, new JournalProperties(null, null, null, 0), new ObjectMapper(),
                clock) {
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
        org.springframework.jdbc.core.JdbcTemplate noRows = new org.springframework.jdbc.core.JdbcTemplate() {
            @Override
            public void query(String sql, org.springframework.jdbc.core.RowCallbackHandler rch) {
                // no dead letters, nothing waiting
            }

            @Override
            public void query(String sql, org.springframework.jdbc.core.RowCallbackHandler rch, Object... args) {
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

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

package io.switchboard.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import io.switchboard.reliability.ErrorCategory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Per-integration metrics in {@code /actuator/prometheus}: events received, done, failed
 * attempts, dead, duplicates, end-to-end latency (received to done) and the inbox backlog.
 */
@Component
public class EventMetrics {

    private static final List<String> COUNTERS = List.of("switchboard.events.received",
            "switchboard.events.duplicates", "switchboard.events.done", "switchboard.events.failed");
    private static final String DEAD = "switchboard.events.dead";

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final Map<String, Long> backlog = new ConcurrentHashMap<>();
    private final Map<String, Double> freshness = new ConcurrentHashMap<>();
    private ObjectProvider<ActivitySource> syncs;

    public EventMetrics(MeterRegistry registry, JdbcTemplate jdbc, IntegrationsProperties integrations) {
        this.registry = registry;
        this.jdbc = jdbc;
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.SCHEDULE) {
                freshness.put(id, Double.NaN);
                Gauge.builder("switchboard.sync.freshness.seconds", freshness, map -> map.getOrDefault(id, Double.NaN))
                        .description("Seconds since the scheduled sync last succeeded").tag("integration", id)
                        .register(registry);
            }
        });
        integrations.all().keySet().forEach(id -> {
            // Every counter exists from the start at 0, so increase() and rate() see the first
            // events after a restart (a counter born at its first event has no earlier sample).
            COUNTERS.forEach(name -> counter(name, id));
            for (ErrorCategory category : ErrorCategory.values()) {
                deadCounter(id, category.label());
            }
            latency(id);
            backlog.put(id, 0L);
            Gauge.builder("switchboard.inbox.backlog", backlog, map -> map.getOrDefault(id, 0L))
                    .description("Events waiting in the inbox").tag("integration", id).register(registry);
        });
    }

    public void received(String integration) {
        counter("switchboard.events.received", integration).increment();
    }

    public void duplicate(String integration) {
        counter("switchboard.events.duplicates", integration).increment();
    }

    public void done(String integration, Duration sinceReceived) {
        counter("switchboard.events.done", integration).increment();
        latency(integration).record(sinceReceived);
    }

    private Timer latency(String integration) {
        return Timer.builder("switchboard.events.latency")
                .description("From accepted to done")
                .tag("integration", integration)
                .publishPercentileHistogram()
                .register(registry);
    }

    public void failedAttempt(String integration) {
        counter("switchboard.events.failed", integration).increment();
    }

    /** One event parked as a dead letter, counted by its category ({@code transient}, {@code credentials}...). */
    public void dead(String integration, String category) {
        deadCounter(integration, category).increment();
    }

    private Counter deadCounter(String integration, String category) {
        return Counter.builder(DEAD).tag("integration", integration).tag("category", category).register(registry);
    }

    /** Where sync runs are recorded (the schedule package); optional so the journal does not depend on it. */
    @Autowired
    void setSyncs(ObjectProvider<ActivitySource> syncs) {
        this.syncs = syncs;
    }

    /** Counts the backlog (and sync freshness) every few seconds rather than on every scrape. */
    @Scheduled(fixedDelayString = "${switchboard.metrics.backlog-refresh:5s}")
    public void refreshBacklog() {
        Map<String, Long> counts = new HashMap<>();
        jdbc.query("select integration, count(*) from inbox group by integration",
                rs -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                });
        backlog.replaceAll((id, old) -> counts.getOrDefault(id, 0L));
        if (syncs != null && !freshness.isEmpty()) {
            Instant now = Instant.now();
            syncs.forEach(source -> source.activity().forEach((id, activity) -> {
                if (freshness.containsKey(id) && activity.lastSuccess() != null) {
                    freshness.put(id, (double) Duration.between(activity.lastSuccess(), now).toSeconds());
                }
            }));
        }
    }

    private Counter counter(String name, String integration) {
        return Counter.builder(name).tag("integration", integration).register(registry);
    }
}

package io.switchboard.journal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The live health of each integration, as the console, the API and the alerts see it:
 * last success and failure, failure rate over the last hour, backlog, parked dead letters,
 * and the SLA state ({@code ok}, {@code silent}: no event within the expected interval,
 * {@code late}: an event has waited longer than the latency budget).
 */
@Component
public class IntegrationHealth {

    public static final Duration WINDOW = Duration.ofHours(1);

    private final IntegrationsProperties integrations;
    private final EventQueries events;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Instant startedAt;
    private final List<ActivitySource> otherActivity;

    /** The last answer and when it was computed. */
    private record Computed(Instant at, Map<String, Health> health) {
    }

    private final Duration cacheFor;
    private volatile Computed last;

    public IntegrationHealth(IntegrationsProperties integrations, EventQueries events, JdbcTemplate jdbc, Clock clock,
            ObjectProvider<ActivitySource> otherActivity,
            @Value("${switchboard.console.health-cache:3s}")
            Duration cacheFor) {
        this.cacheFor = cacheFor;
        this.integrations = integrations;
        this.events = events;
        this.jdbc = jdbc;
        this.clock = clock;
        this.startedAt = Instant.now(clock);
        this.otherActivity = otherActivity.orderedStream().toList();
    }

    /**
     * One integration's health right now. {@code failed1h} and {@code failureRate1h} count the
     * events that ended badly; {@code failedAttempts1h} and {@code attemptFailureRate1h} every
     * attempt that failed, also those a retry mended (what the failure-rate alert counts).
     */
    public record Health(Instant lastSuccess, Instant lastFailure, Instant lastReceived, long received1h,
            long failed1h, double failureRate1h, long failedAttempts1h, double attemptFailureRate1h, long backlog,
            long waitingForConnection, Duration oldestWaiting, long deadLetters, String sla, String slaReason) {
    }

    /**
     * Every integration's health. The answer is kept for {@code switchboard.console.health-cache}
     * (3 s): however many consoles poll, the aggregates run at most once in that time.
     */
    public Map<String, Health> all() {
        Instant now = Instant.now(clock);
        Computed kept = last;
        if (kept != null && !cacheFor.isZero() && !cacheFor.isNegative() && now.isBefore(kept.at().plus(cacheFor))) {
            return kept.health();
        }
        Map<String, Health> health = Collections.unmodifiableMap(compute(now));
        last = new Computed(now, health);
        return health;
    }

    private Map<String, Health> compute(Instant now) {
        Map<String, EventQueries.IntegrationActivity> activity = events.activitySince(now.minus(WINDOW));
        Map<String, EventQueries.Attempts> attempts = events.attemptsSince(now.minus(WINDOW));
        Map<String, Long> parked = new LinkedHashMap<>();
        jdbc.query("select d.integration, count(*) from dead_letter d left join event e on e.id = d.event_id where "
                + "d.status = 'PARKED' and (e.id is null or e.test_event = false) group by d.integration",
                rs -> {
                    parked.put(rs.getString(1), rs.getLong(2));
                });
        Map<String, Instant> oldest = new LinkedHashMap<>();
        jdbc.query("select integration, min(received_at) from inbox where test_event = false group by integration",
                rs -> {
                    Timestamp t = rs.getTimestamp(2);
                    if (t != null) {
                        oldest.put(rs.getString(1), t.toInstant());
                    }
                });
        Map<String, Health> health = new LinkedHashMap<>();
        otherActivity.forEach(source -> source.activity().forEach((id, other) -> {
            EventQueries.IntegrationActivity a = activity.computeIfAbsent(id, k -> new EventQueries.IntegrationActivity());
            a.lastReceived = latest(a.lastReceived, other.lastRun());
            a.lastSuccess = latest(a.lastSuccess, other.lastSuccess());
            a.lastFailure = latest(a.lastFailure, other.lastFailure());
        }));
        integrations.all().forEach((id, integration) -> {
            EventQueries.IntegrationActivity a = activity.getOrDefault(id, new EventQueries.IntegrationActivity());
            Duration waiting = oldest.containsKey(id) ? Duration.between(oldest.get(id), now) : Duration.ZERO;
            long received = a.counts.values().stream().mapToLong(Long::longValue).sum();
            long failed = a.counts.getOrDefault("FAILED", 0L) + a.counts.getOrDefault("DEAD", 0L);
            String[] sla = sla(integration, a.lastReceived, waiting, now);
            EventQueries.Attempts tried = attempts.getOrDefault(id, EventQueries.Attempts.NONE);
            health.put(id, new Health(a.lastSuccess, latest(a.lastFailure, tried.lastFailedAt()), a.lastReceived,
                    received, failed, a.failureRate(), tried.failed(), tried.failureRate(), a.backlog,
                    a.waitingForConnection, waiting,
                    parked.getOrDefault(id, 0L), sla[0], sla[1]));
        });
        return health;
    }

    private String[] sla(Integration integration, Instant lastReceived, Duration waiting, Instant now) {
        if (integration.card() == null) {
            return new String[] {"unknown", "no card"};
        }
        Duration budget = integration.card().latencyBudget();
        if (budget != null && waiting.compareTo(budget) > 0) {
            return new String[] {"late", "an event has waited " + waiting.toSeconds() + " s; the budget is "
                    + budget.toSeconds() + " s"};
        }
        Duration expected = integration.card().expectedInterval();
        if (expected != null) {
            Instant since = lastReceived == null ? startedAt : lastReceived;
            if (Duration.between(since, now).compareTo(expected) > 0) {
                return new String[] {"silent", "no event for " + Duration.between(since, now).toSeconds()
                        + " s; expected at least one every " + expected.toSeconds() + " s"};
            }
        }
        return new String[] {"ok", null};
    }

    private static Instant latest(Instant a, Instant b) {
        return EventQueries.latest(a, b);
    }

    public List<String> ids() {
        return List.copyOf(integrations.all().keySet());
    }
}

package io.switchboard.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.ingress.ApiIntegrationPaths;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import org.apache.camel.Route;

/**
 * A burst sized by the connections' limits (what the slowest carries in {@value #BURST_SECONDS}
 * seconds, ten times its limit at once): all {@code DONE} within the latency budget, no system
 * ever over its rate limit in any one-second window, and at the pace the burst kept, the load
 * the slowest connection carries in 80 % of the budget ({@code switchboard.drills.volume} at
 * most) DONE within the budget too; for an api integration, as many calls answered within the
 * budget.
 */
final class VolumeCase implements DrillCase {

    /** The burst: what the slowest connection's limit lets through in this many seconds. */
    static final int BURST_SECONDS = 10;
    /** At least this many events: more than one second's worth of calls even at a limit below 1/s. */
    static final int MIN_BURST = 3;

    @Override
    public String name() {
        return "volume";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        if (drill.settings.trigger() == Trigger.SCHEDULE) {
            return drill.skipped(name,
                    "runs of a schedule go one at a time by design (the run lock): there is no burst "
                    + "to send");
        }
        if (drill.settings.trigger() == Trigger.API) {
            return apiVolume(drill, name);
        }
        if (drill.normalEffects == null || drill.normalEffects.isEmpty()) {
            return drill.inconclusive(name, DrillContext.NO_EFFECT, List.of(), Map.of("normalEffects",
                    String.valueOf(drill.normalEffects)));
        }
        // What the slowest connection carries in 80 % of the budget (more fails by arithmetic):
        // the load the case vouches for. Sent in full it would wait on the rate limit for minutes
        // (240 events at chat's 1/s), so the burst sent is what the limit lets through in
        // BURST_SECONDS, ten times the limit at once, and the pace it kept is extrapolated.
        double slowest = RouteCalls.connections(drill.route).stream().mapToDouble(drill::rateLimitOf)
                .filter(rate -> rate > 0).min().orElse(0);
        int vouched = slowest > 0 ? (int) Math.max(1, Math.min(drill.volume,
                Math.floor(slowest * drill.budget.toSeconds() * 0.8)))
                : drill.volume;
        int burst = slowest > 0 ? (int) Math.min(vouched, Math.max(MIN_BURST,
                Math.ceil(slowest * BURST_SECONDS))) : vouched;
        Instant from = Instant.now(drill.clock);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            events.add(drill.send(drill.next(), null));
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        if (vouched < drill.volume) {
            evidence.put("capped", "vouching for " + vouched + " events, not " + drill.volume + ": the slowest "
                    + "connection allows " + slowest + "/s within the budget " + drill.budget);
        }
        Instant deadline = from.plus(drill.budget);
        List<String> late = new ArrayList<>();
        for (String event : events) {
            String status = drill.awaitUntil(event, deadline);
            if (!"DONE".equals(status)) {
                late.add(event + " " + status);
            }
        }
        Duration took = Duration.between(from, Instant.now(drill.clock));
        Map<String, Integer> peaks = drill.peaksPerSecond(drill.traffic.since(from));
        peaks.putAll(drill.doublePeaksPerSecond(from));
        Map<String, Integer> effects = drill.effects(from, drill.marker);
        evidence.put("events", burst);
        evidence.put("effects", effects.values().stream().mapToInt(Integer::intValue).sum());
        evidence.put("tookMs", took.toMillis());
        evidence.put("peakRequestsPerSecond", peaks);
        List<String> problems = new ArrayList<>();
        if (!late.isEmpty()) {
            problems.add(late.size() + " of " + burst + " not DONE within the latency budget " + drill.budget
                    + " (first: " + late.get(0) + ")");
        }
        // At the pace the burst kept, the load vouched for must fit the budget too.
        Duration projected = took.multipliedBy(vouched).dividedBy(burst);
        if (vouched > burst) {
            evidence.put("vouchedEvents", vouched);
            evidence.put("projectedMs", projected.toMillis());
            if (late.isEmpty() && projected.compareTo(drill.budget) > 0) {
                problems.add("at the pace of " + burst + " events in " + took.toMillis() + " ms, " + vouched
                        + " events (what the slowest connection carries in 80 % of the budget) would take "
                        + projected.toSeconds() + " s, over the latency budget " + drill.budget);
            }
        }
        Map<String, Double> limits = new TreeMap<>();
        peaks.forEach((system, peak) -> {
            double limit = drill.limitOf(system);
            if (limit > 0) {
                limits.put(system, limit);
            }
            if (limit > 0 && peak > Math.ceil(limit)) {
                problems.add(system + " got " + peak + " requests within one second; its rate limit is " + limit
                        + "/s");
            }
        });
        evidence.put("rateLimits", limits);
        if (problems.isEmpty() && (peaks.isEmpty() || effects.isEmpty())) {
            return drill.inconclusive(name, burst + " events DONE, but " + (peaks.isEmpty() ? "no system was called"
                    : "no system shows an effect of them") + ": nothing to hold to a rate limit; "
                            + DrillContext.NO_EFFECT,
                    List.of(), evidence);
        }
        return problems.isEmpty()
                ? drill.passed(name, burst + " events DONE in " + took.toMillis() + " ms (budget " + drill.budget
                        + (vouched > burst ? "; " + vouched + " at that pace in " + projected.toSeconds() + " s" : "")
                        + "); peak requests within one second " + peaks + ", rate limits " + limits + "/s",
                        List.of(), evidence)
                : drill.failed(name, String.join("; ", problems), List.of(), evidence);
    }

    private static CaseResult apiVolume(DrillContext drill, String name) {
        Route running = drill.camel.getRoute(drill.route.getRouteId());
        int calls = Math.min(drill.volume, 200);
        int slow = 0;
        int failedCalls = 0;
        long worst = 0;
        for (int i = 0; i < calls; i++) {
            ApiIntegrationPaths.Answer answer = ApiIntegrationPaths.call(running, drill.id,
                    drill.payload(drill.next()));
            worst = Math.max(worst, answer.durationMs());
            slow += answer.durationMs() > drill.budget.toMillis() ? 1 : 0;
            failedCalls += answer.status() >= 500 ? 1 : 0;
        }
        Map<String, Object> evidence = Map.of("calls", calls, "slowest", worst, "over-budget", slow, "5xx",
                failedCalls);
        return slow == 0 && failedCalls == 0
                ? drill.passed(name, calls + " calls answered, the slowest in " + worst + " ms (budget "
                        + drill.budget + ")",
                        List.of(), evidence)
                : drill.failed(name, slow + " calls over the budget " + drill.budget + ", " + failedCalls
                        + " answered 5xx",
                        List.of(), evidence);
    }
}

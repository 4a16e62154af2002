package io.switchboard.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl.Fault;
import io.switchboard.sandbox.SandboxTraffic.Call;

/**
 * {@code 503} twice, then {@code DONE} with no doubled effect; after a {@code 429} with
 * {@code Retry-After: 2} the next call not sooner.
 */
final class OutageCase implements DrillCase {

    @Override
    public String name() {
        return "outage";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        if (drill.settings.trigger() == Trigger.API) {
            return drill.skipped(name, drill.apiFaultSkip());
        }
        if (drill.settings.trigger() != Trigger.SCHEDULE) {
            CaseResult unreached = drill.unreached(name);
            if (unreached != null) {
                return unreached;
            }
        }
        String connection = drill.firstCalled();
        if (connection == null) {
            return drill.skipped(name, "the route calls no connection");
        }
        String system = drill.systemOf(connection);
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        // 503 twice, then the system is back.
        Instant from = Instant.now(drill.clock);
        String instance = drill.next();
        // The drill's own calls only (a run has no marker: its faults meet the next calls).
        String match = drill.settings.trigger() == Trigger.SCHEDULE ? null : instance;
        drill.faults.inject(Fault.status(system, 503, 2, null, null, match));
        String event = drill.settings.trigger() == Trigger.SCHEDULE ? drill.runNow() : drill.send(instance, null);
        String status = drill.await(event, evidence);
        int attempts = drill.jdbc.queryForObject("select attempts from event where id = ?", Integer.class, event);
        Map<String, Integer> effects = drill.settings.trigger() == Trigger.SCHEDULE ? Map.of() : drill.effects(from,
                instance);
        evidence.put("attempts", attempts);
        evidence.put("effects", effects);
        if (!"DONE".equals(status)) {
            problems.add("after two 503s it ended " + status + " (" + drill.lastError(event) + ")");
        } else if (effects.values().stream().anyMatch(n -> n != 1)) {
            problems.add("an effect was doubled by the retries " + effects);
        }
        drill.faults.clear();
        // 429 with Retry-After: 2 s, once: the event's next call must not come sooner. Another
        // integration's call may meet the fault first; then the event never saw it: once more.
        long waitedMs = -1;
        String second = null;
        String secondStatus = null;
        for (int round = 0; round < 2 && waitedMs < 0; round++) {
            drill.faults.clear();
            Instant limited = Instant.now(drill.clock);
            String own = drill.marker + String.format("n%04d", drill.sequence + 1);
            drill.faults.inject(Fault.status(system, 429, 1, 2, null,
                    drill.settings.trigger() == Trigger.SCHEDULE ? null : own));
            second = drill.settings.trigger() == Trigger.SCHEDULE ? drill.runNow() : drill.send(drill.next(), null);
            secondStatus = drill.await(second, new LinkedHashMap<>());
            List<Call> window = drill.traffic.since(limited).stream().filter(c -> system.equals(c.system())).toList();
            evidence.put("callsAfter429Round" + (round + 1), window.stream().limit(8).map(c -> c.method() + " "
                    + c.path() + " " + c.status() + (c.mentions(own) ? " (this event)" : "")).toList());
            List<Call> calls = window.stream()
                    .filter(c -> drill.settings.trigger() == Trigger.SCHEDULE || c.mentions(own)).toList();
            Call refused = calls.stream().filter(c -> c.status() == 429).findFirst().orElse(null);
            Call after = refused == null ? null : calls.stream().filter(c -> c.at().isAfter(refused.at()))
                    .findFirst().orElse(null);
            waitedMs = refused == null || after == null ? -1 : Duration.between(refused.at(), after.at()).toMillis();
        }
        evidence.put("retryAfterWaitedMs", waitedMs);
        if (!"DONE".equals(secondStatus)) {
            problems.add("after a 429 it ended " + secondStatus + " (" + drill.lastError(second) + ")");
        } else if (waitedMs < 0) {
            problems.add("the 429 never met this event's own calls (twice another caller's): not measured");
        } else if (waitedMs < 1_950) {
            problems.add("the next call came " + waitedMs + " ms after a 429 with Retry-After: 2");
        }
        List<String> events = List.of(event, second);
        return problems.isEmpty()
                ? drill.passed(name, "two 503s then DONE after " + attempts
                        + " attempts with each effect once; after a "
                        + "429 with Retry-After: 2 the next call came " + waitedMs + " ms later", events, evidence)
                : drill.failed(name, String.join("; ", problems), events, evidence);
    }
}

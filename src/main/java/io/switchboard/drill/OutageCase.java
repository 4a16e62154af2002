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
    public CaseResult run(DrillContext d) {
        String name = name();
        if (d.settings.trigger() == Trigger.API) {
            return d.skipped(name, d.apiFaultSkip());
        }
        if (d.settings.trigger() != Trigger.SCHEDULE) {
            CaseResult unreached = d.unreached(name);
            if (unreached != null) {
                return unreached;
            }
        }
        String connection = d.firstCalled();
        if (connection == null) {
            return d.skipped(name, "the route calls no connection");
        }
        String system = d.systemOf(connection);
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        // 503 twice, then the system is back.
        Instant from = Instant.now(d.clock);
        String instance = d.next();
        // The drill's own calls only (a run has no marker: its faults meet the next calls).
        String match = d.settings.trigger() == Trigger.SCHEDULE ? null : instance;
        d.faults.inject(Fault.status(system, 503, 2, null, null, match));
        String event = d.settings.trigger() == Trigger.SCHEDULE ? d.runNow() : d.send(instance, null);
        String status = d.await(event, evidence);
        int attempts = d.jdbc.queryForObject("select attempts from event where id = ?", Integer.class, event);
        Map<String, Integer> effects = d.settings.trigger() == Trigger.SCHEDULE ? Map.of() : d.effects(from, instance);
        evidence.put("attempts", attempts);
        evidence.put("effects", effects);
        if (!"DONE".equals(status)) {
            problems.add("after two 503s it ended " + status + " (" + d.lastError(event) + ")");
        } else if (effects.values().stream().anyMatch(n -> n != 1)) {
            problems.add("an effect was doubled by the retries " + effects);
        }
        d.faults.clear();
        // 429 with Retry-After: 2 s, once: the event's next call must not come sooner. Another
        // integration's call may meet the fault first; then the event never saw it: once more.
        long waitedMs = -1;
        String second = null;
        String secondStatus = null;
        for (int round = 0; round < 2 && waitedMs < 0; round++) {
            d.faults.clear();
            Instant limited = Instant.now(d.clock);
            String own = d.marker + String.format("n%04d", d.sequence + 1);
            d.faults.inject(Fault.status(system, 429, 1, 2, null,
                    d.settings.trigger() == Trigger.SCHEDULE ? null : own));
            second = d.settings.trigger() == Trigger.SCHEDULE ? d.runNow() : d.send(d.next(), null);
            secondStatus = d.await(second, new LinkedHashMap<>());
            List<Call> window = d.traffic.since(limited).stream().filter(c -> system.equals(c.system())).toList();
            evidence.put("callsAfter429Round" + (round + 1), window.stream().limit(8).map(c -> c.method() + " "
                    + c.path() + " " + c.status() + (c.mentions(own) ? " (this event)" : "")).toList());
            List<Call> calls = window.stream()
                    .filter(c -> d.settings.trigger() == Trigger.SCHEDULE || c.mentions(own)).toList();
            Call refused = calls.stream().filter(c -> c.status() == 429).findFirst().orElse(null);
            Call after = refused == null ? null : calls.stream().filter(c -> c.at().isAfter(refused.at()))
                    .findFirst().orElse(null);
            waitedMs = refused == null || after == null ? -1 : Duration.between(refused.at(), after.at()).toMillis();
        }
        evidence.put("retryAfterWaitedMs", waitedMs);
        if (!"DONE".equals(secondStatus)) {
            problems.add("after a 429 it ended " + secondStatus + " (" + d.lastError(second) + ")");
        } else if (waitedMs < 0) {
            problems.add("the 429 never met this event's own calls (twice another caller's): not measured");
        } else if (waitedMs < 1_950) {
            problems.add("the next call came " + waitedMs + " ms after a 429 with Retry-After: 2");
        }
        List<String> events = List.of(event, second);
        return problems.isEmpty()
                ? d.passed(name, "two 503s then DONE after " + attempts + " attempts with each effect once; after a "
                        + "429 with Retry-After: 2 the next call came " + waitedMs + " ms later", events, evidence)
                : d.failed(name, String.join("; ", problems), events, evidence);
    }
}

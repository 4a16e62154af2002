package io.switchboard.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl.Fault;
import io.switchboard.sandbox.SandboxTraffic.Call;

/**
 * The systems go away and come back. From the sandbox (the first HTTP connection called):
 * {@code 503} twice, then {@code DONE} with no doubled effect; after a {@code 429} with
 * {@code Retry-After: 2} the next call not sooner. For each test double with a network (a
 * database, a mail server), through its {@link TcpFaultProxy}: cut off (open connections reset,
 * new ones refused) until the event has failed against it, then back: {@code DONE} with each
 * effect once; then slowed down ({@value #SLOW_MILLIS} ms on every packet): {@code DONE} within
 * the latency budget, each effect once.
 */
final class OutageCase implements DrillCase {

    /** How long the proxy holds each packet when the case slows a double down. */
    static final long SLOW_MILLIS = 150;
    /** How long a cut waits for the event to fail against it. */
    private static final Duration CUT_WAIT = Duration.ofSeconds(30);

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
        String connection = drill.firstCalledHttp();
        List<DrillDouble> cuttable = drill.doubles.all().stream().filter(d -> d.proxy() != null).toList();
        if (connection == null && cuttable.isEmpty()) {
            return drill.skipped(name, drill.doubles.isEmpty() ? "the route calls no connection"
                    : "the route calls only " + drill.doubles.described() + ", with no network to cut off");
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        if (connection != null) {
            sandboxOutage(drill, connection, evidence, problems, events, seen);
        }
        for (DrillDouble standIn : cuttable) {
            Map<String, Object> own = new LinkedHashMap<>();
            evidence.put(standIn.connection(), own);
            cutOff(drill, standIn, own, problems, events, seen);
            slowDown(drill, standIn, own, problems, events, seen);
        }
        return problems.isEmpty()
                ? drill.passed(name, String.join("; ", seen), events, evidence)
                : drill.failed(name, String.join("; ", problems), events, evidence);
    }

    /** The connection's double cut off until the event failed against it, then back. */
    private static void cutOff(DrillContext drill, DrillDouble standIn, Map<String, Object> evidence,
            List<String> problems, List<String> events, List<String> seen) {
        String connection = standIn.connection();
        boolean run = drill.settings.trigger() == Trigger.SCHEDULE;
        String instance = drill.next();
        TcpFaultProxy proxy = standIn.proxy();
        long before = proxy.accepted();
        String event;
        String met;
        proxy.cut();
        try {
            event = run ? drill.runNow() : drill.send(instance, null);
            met = awaitFailedOrFinal(drill, event);
        } finally {
            proxy.restore();
        }
        events.add(event);
        String status = drill.await(event, evidence);
        int attempts = drill.jdbc.queryForObject("select attempts from event where id = ?", Integer.class, event);
        Map<String, Integer> effects = run ? Map.of() : standIn.effects(instance);
        evidence.put("cutOff", Map.of("connectionsRefusedOrReset", proxy.accepted() - before, "whileCut", met,
                "attempts", attempts, "status", status, "effects", effects));
        if (!"FAILED".equals(met)) {
            problems.add(connection + " cut off: the event never failed against it (" + met + "), so the cut was "
                    + "not met");
        } else if (!"DONE".equals(status)) {
            problems.add(connection + " cut off, then back: it ended " + status + " (" + drill.lastError(event) + ")");
        } else if (effects.values().stream().anyMatch(n -> n != 1)) {
            problems.add(connection + " cut off, then back: an effect was doubled by the retries " + effects);
        } else if (!run && effects.isEmpty() && expectsEffect(drill, connection)) {
            problems.add(connection + " cut off, then back: DONE, but its double shows no effect of it");
        } else {
            seen.add(connection + " cut off (connections reset and refused): the event failed, then ended DONE "
                    + "after " + attempts + " attempts" + (effects.isEmpty() ? "" : " with each effect once"));
        }
    }

    /** Every packet to and from the double held {@link #SLOW_MILLIS}. */
    private static void slowDown(DrillContext drill, DrillDouble standIn, Map<String, Object> evidence,
            List<String> problems, List<String> events, List<String> seen) {
        String connection = standIn.connection();
        boolean run = drill.settings.trigger() == Trigger.SCHEDULE;
        String instance = drill.next();
        Instant from = Instant.now(drill.clock);
        String event;
        String status;
        standIn.proxy().delay(SLOW_MILLIS);
        try {
            event = run ? drill.runNow() : drill.send(instance, null);
            status = drill.await(event, new LinkedHashMap<>());
        } finally {
            standIn.proxy().delay(0);
        }
        long took = Duration.between(from, Instant.now(drill.clock)).toMillis();
        events.add(event);
        Map<String, Integer> effects = run ? Map.of() : standIn.effects(instance);
        evidence.put("slowedDown", Map.of("delayMsPerPacket", SLOW_MILLIS, "tookMs", took, "status", status,
                "effects", effects));
        if (!"DONE".equals(status)) {
            problems.add(connection + " slowed down by " + SLOW_MILLIS + " ms a packet: it ended " + status + " ("
                    + drill.lastError(event) + ")");
        } else if (took > drill.budget.toMillis()) {
            problems.add(connection + " slowed down by " + SLOW_MILLIS + " ms a packet: DONE after " + took
                    + " ms, over the latency budget " + drill.budget);
        } else if (effects.values().stream().anyMatch(n -> n != 1)) {
            problems.add(connection + " slowed down: an effect happened more than once " + effects);
        } else {
            seen.add(connection + " slowed down by " + SLOW_MILLIS + " ms a packet: DONE in " + took + " ms"
                    + (effects.isEmpty() ? "" : " with each effect once"));
        }
    }

    /** Whether the normal case's event wrote to the connection's double. */
    private static boolean expectsEffect(DrillContext drill, String connection) {
        return drill.normalEffects != null && drill.normalEffects.keySet().stream()
                .anyMatch(key -> key.startsWith(connection + " "));
    }

    /** FAILED once the event failed an attempt, else its final status or where it stood when the wait ended. */
    private static String awaitFailedOrFinal(DrillContext drill, String event) {
        Instant deadline = Instant.now(drill.clock).plus(CUT_WAIT);
        String status = null;
        while (Instant.now(drill.clock).isBefore(deadline)) {
            status = drill.jdbc.queryForObject("select status from event where id = ?", String.class, event);
            if (Set.of("FAILED", "DONE", "DEAD", "DUPLICATE", "WAITING").contains(status)) {
                return status;
            }
            drill.pause(50);
        }
        return status + " after " + CUT_WAIT.toSeconds() + " s";
    }

    /** 503 twice, then the system is back; then a 429 with Retry-After: 2. */
    private static void sandboxOutage(DrillContext drill, String connection, Map<String, Object> evidence,
            List<String> problems, List<String> events, List<String> seen) {
        String system = drill.systemOf(connection);
        int before = problems.size();
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
        drill.faults.clear();
        evidence.put("retryAfterWaitedMs", waitedMs);
        if (!"DONE".equals(secondStatus)) {
            problems.add("after a 429 it ended " + secondStatus + " (" + drill.lastError(second) + ")");
        } else if (waitedMs < 0) {
            problems.add("the 429 never met this event's own calls (twice another caller's): not measured");
        } else if (waitedMs < 1_950) {
            problems.add("the next call came " + waitedMs + " ms after a 429 with Retry-After: 2");
        }
        events.add(event);
        events.add(second);
        if (problems.size() == before) {
            seen.add("two 503s then DONE after " + attempts + " attempts with each effect once; after a 429 with "
                    + "Retry-After: 2 the next call came " + waitedMs + " ms later");
        }
    }
}

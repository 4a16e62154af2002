package io.switchboard.drill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.ingress.ApiIntegrationPaths;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;

/**
 * The normal case: a valid payload (an api call, a scheduled run) ends {@code DONE} with each
 * system's effect once; no effect at all is inconclusive, not a pass.
 */
final class NormalCase implements DrillCase {

    @Override
    public String name() {
        return "normal";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        Instant from = Instant.now(drill.clock);
        if (drill.settings.trigger() == Trigger.API) {
            ApiIntegrationPaths.Answer answer = ApiIntegrationPaths.call(
                    drill.camel.getRoute(drill.route.getRouteId()), drill.id, drill.payload(drill.next()));
            Map<String, Object> evidence = Map.of("status", answer.status(), "durationMs", answer.durationMs());
            return answer.status() < 500 && answer.durationMs() <= drill.budget.toMillis()
                    ? drill.passed(name, "answered " + answer.status() + " in " + answer.durationMs() + " ms",
                            List.of(), evidence)
                    : drill.failed(name, "answered " + answer.status() + " in " + answer.durationMs() + " ms (budget "
                            + drill.budget + ")" + (answer.error() == null ? "" : ": " + answer.error()),
                            List.of(), evidence);
        }
        if (drill.settings.trigger() == Trigger.SCHEDULE) {
            String run = drill.runNow();
            Map<String, Object> evidence = new LinkedHashMap<>();
            String status = drill.await(run, evidence);
            // A run writes what changed since its watermark: its effects are whatever it found.
            Map<String, Integer> effects = drill.effects(from, "");
            drill.normalEffects = effects;
            evidence.put("effects", effects);
            List<String> calls = drill.traffic.since(from).stream().filter(c -> !"oauth".equals(c.system()))
                    .map(c -> c.system() + " " + c.method() + " " + c.path()).distinct().toList();
            evidence.put("calls", calls);
            if (!"DONE".equals(status)) {
                return drill.failed(name, "a run started now ended " + status + ": " + drill.lastError(run),
                        List.of(run), evidence);
            }
            // Reading its source is what a run with nothing new to write shows of itself.
            return calls.isEmpty()
                    ? drill.inconclusive(name, "a run started now ended DONE without calling any system: "
                            + DrillContext.NO_EFFECT, List.of(run), evidence)
                    : drill.passed(name, "a run started now ended DONE; it called " + calls + " and wrote " + effects,
                            List.of(run), evidence);
        }
        String instance = drill.next();
        String event = drill.send(instance, null);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = drill.await(event, evidence);
        Map<String, Integer> effects = drill.effects(from, instance);
        evidence.put("effects", effects);
        if (!"DONE".equals(status)) {
            return drill.failed(name, "ended " + status + ": " + drill.lastError(event), List.of(event), evidence);
        }
        drill.normalEffects = effects;
        if (effects.isEmpty()) {
            // The route may branch on data the payload did not carry: that is the drill's
            // blind spot, not the route's fault, unless the card's own example missed too.
            JsonNode example = drill.example();
            if (example != null && DrillPayloads.marks(example) && drill.writes()) {
                return drill.failed(name,
                        "DONE, but no system shows an effect of the card's drill example although the "
                        + "route writes to " + RouteCalls.connections(drill.route), List.of(event), evidence);
            }
            return drill.inconclusive(name, "DONE, but no system shows an effect of it" + (!drill.writes()
                    ? " (the route writes nothing)" : example != null
                    ? " (the card's drill example has no " + DrillPayloads.MARK + " to tell its effects by)"
                    : " (the route writes to " + RouteCalls.connections(drill.route) + " on some path)")
                    + ": " + DrillContext.NO_EFFECT, List.of(event), evidence);
        }
        return effects.values().stream().allMatch(n -> n == 1)
                ? drill.passed(name, "DONE; each system shows its effect once " + effects, List.of(event), evidence)
                : drill.failed(name, "DONE, but an effect happened more than once: " + effects, List.of(event),
                        evidence);
    }
}

package io.switchboard.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.ingress.WebhookRejection;
import io.switchboard.integration.Trigger;

/**
 * Each required field left out: refused {@code 400} naming it at a webhook, parked
 * {@code invalid-data} by an event route; nothing reaches any system.
 */
final class MissingDataCase implements DrillCase {

    @Override
    public String name() {
        return "missing-data";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        if (drill.settings.trigger() == Trigger.SCHEDULE) {
            return drill.skipped(name, "a scheduled run takes no payload");
        }
        if (drill.settings.trigger() == Trigger.API) {
            return drill.skipped(name, "an api call's parameters are its path " + drill.pathParameters()
                    + "; a missing one "
                    + "is a 404 of the HTTP layer");
        }
        JsonNode schema = drill.ingress.schemaOf(drill.id).orElse(null);
        if (schema == null || !schema.path("required").isArray() || schema.path("required").isEmpty()) {
            return drill.skipped(name, "no schema with required fields: add routes/" + drill.id + ".schema.json");
        }
        Instant from = Instant.now(drill.clock);
        List<String> events = new ArrayList<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode required : schema.path("required")) {
            String instance = drill.next();
            ObjectNode payload = drill.payload(instance);
            payload.remove(required.asText());
            if (drill.settings.trigger() == Trigger.WEBHOOK) {
                try {
                    drill.ingress.checkPayload(drill.id, drill.json.writeValueAsBytes(payload));
                    problems.add("without " + required.asText() + " it was accepted");
                } catch (WebhookRejection refused) {
                    evidence.put(required.asText(), refused.status().value() + " " + refused.getMessage());
                    if (refused.status().value() != 400 || !refused.getMessage().contains(required.asText())) {
                        problems.add("without " + required.asText() + ": " + refused.status().value() + " "
                                + refused.getMessage());
                    }
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                // An internal event is not checked on its way in: the route must park it.
                String event = drill.send(instance, payload);
                events.add(event);
                String status = drill.await(event, new LinkedHashMap<>());
                String error = String.valueOf(drill.lastError(event));
                evidence.put(required.asText(), status + " " + error);
                if (!"DEAD".equals(status) || !error.startsWith("invalid-data")) {
                    problems.add("without " + required.asText() + " it ended " + status + " (" + error + ")");
                }
            }
        }
        Map<String, Integer> effects = drill.effects(from, drill.marker);
        evidence.put("effects", effects);
        if (!effects.isEmpty()) {
            problems.add("incomplete data reached a system: " + effects);
        }
        return problems.isEmpty()
                ? drill.passed(name, "each required field left out was " + (drill.settings.trigger() == Trigger.WEBHOOK
                        ? "refused 400 naming it" : "parked as invalid-data") + "; nothing reached any system",
                        events, evidence)
                : drill.failed(name, String.join("; ", problems), events, evidence);
    }
}

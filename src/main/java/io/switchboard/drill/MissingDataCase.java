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
    public CaseResult run(DrillContext d) {
        String name = name();
        if (d.settings.trigger() == Trigger.SCHEDULE) {
            return d.skipped(name, "a scheduled run takes no payload");
        }
        if (d.settings.trigger() == Trigger.API) {
            return d.skipped(name, "an api call's parameters are its path " + d.pathParameters() + "; a missing one "
                    + "is a 404 of the HTTP layer");
        }
        JsonNode schema = d.ingress.schemaOf(d.id).orElse(null);
        if (schema == null || !schema.path("required").isArray() || schema.path("required").isEmpty()) {
            return d.skipped(name, "no schema with required fields: add routes/" + d.id + ".schema.json");
        }
        Instant from = Instant.now(d.clock);
        List<String> events = new ArrayList<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode required : schema.path("required")) {
            String instance = d.next();
            ObjectNode payload = d.payload(instance);
            payload.remove(required.asText());
            if (d.settings.trigger() == Trigger.WEBHOOK) {
                try {
                    d.ingress.checkPayload(d.id, d.json.writeValueAsBytes(payload));
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
                String event = d.send(instance, payload);
                events.add(event);
                String status = d.await(event, new LinkedHashMap<>());
                String error = String.valueOf(d.lastError(event));
                evidence.put(required.asText(), status + " " + error);
                if (!"DEAD".equals(status) || !error.startsWith("invalid-data")) {
                    problems.add("without " + required.asText() + " it ended " + status + " (" + error + ")");
                }
            }
        }
        Map<String, Integer> effects = d.effects(from, d.marker);
        evidence.put("effects", effects);
        if (!effects.isEmpty()) {
            problems.add("incomplete data reached a system: " + effects);
        }
        return problems.isEmpty()
                ? d.passed(name, "each required field left out was " + (d.settings.trigger() == Trigger.WEBHOOK
                        ? "refused 400 naming it" : "parked as invalid-data") + "; nothing reached any system",
                        events, evidence)
                : d.failed(name, String.join("; ", problems), events, evidence);
    }
}

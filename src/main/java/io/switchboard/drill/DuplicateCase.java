package io.switchboard.drill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.Trigger;

/**
 * The same delivery twice, and the same business key under a new delivery id: one effect.
 */
final class DuplicateCase implements DrillCase {

    @Override
    public String name() {
        return "duplicate";
    }

    @Override
    public CaseResult run(DrillContext d) {
        String name = name();
        if (d.settings.trigger() == Trigger.SCHEDULE) {
            return d.skipped(name, "a run has no delivery to repeat" + (d.written().isEmpty() ? " and writes nothing ("
                    + d.calling() + ")" : "; what keeps a re-read from writing twice to " + d.written()
                    + " is the route's own (a watermark, an idempotent write)"));
        }
        if (d.settings.trigger() == Trigger.API) {
            return d.skipped(name, d.written().isEmpty() ? "an api call is answered, not stored, and writes nothing ("
                    + d.calling() + "): there is no effect to double"
                    : "an api call is answered, not stored: there is no delivery to repeat (each call writes to "
                            + d.written() + ")");
        }
        if (d.normalEffects == null || d.normalEffects.isEmpty()) {
            return d.inconclusive(name, DrillContext.NO_EFFECT, List.of(), Map.of("normalEffects", String.valueOf(d.normalEffects)));
        }
        Instant from = Instant.now(d.clock);
        String instance = d.next();
        String delivery = "drill-" + instance;
        String payload = d.text(d.payload(instance));
        InboxStore.Accepted first = d.inbox.acceptTest(d.id, delivery, payload, "drill");
        InboxStore.Accepted again = d.inbox.acceptTest(d.id, delivery, payload, "drill");
        InboxStore.Accepted sameKey = d.inbox.acceptTest(d.id, delivery + "-new", payload, "drill");
        d.signal.wake(d.id);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = d.await(first.eventId(), evidence);
        String second = d.await(sameKey.eventId(), new LinkedHashMap<>());
        Map<String, Integer> effects = d.effects(from, instance);
        evidence.put("effects", effects);
        evidence.put("sameDeliveryIsDuplicate", again.duplicate());
        evidence.put("newDeliverySameKey", second);
        List<String> events = List.of(first.eventId(), sameKey.eventId());
        if (!again.duplicate()) {
            return d.failed(name, "the same delivery was stored twice", events, evidence);
        }
        if (!"DONE".equals(status)) {
            return d.failed(name, "the first delivery ended " + status + ": " + d.lastError(first.eventId()), events, evidence);
        }
        if (!"DONE".equals(second) && !"DUPLICATE".equals(second)) {
            return d.failed(name, "the same business key under a new delivery id ended " + second + ": "
                    + d.lastError(sameKey.eventId()), events, evidence);
        }
        if (effects.isEmpty()) {
            return d.inconclusive(name, "the first delivery made no effect this time: " + DrillContext.NO_EFFECT, events, evidence);
        }
        return effects.values().stream().allMatch(n -> n == 1)
                ? d.passed(name, "the same delivery again was a duplicate, and the same business key under a new "
                        + "delivery id made no second effect " + effects, events, evidence)
                : d.failed(name, "the same business key under a new delivery id doubled an effect " + effects
                        + ": the idempotency key must come from the business data, not the delivery", events, evidence);
    }
}

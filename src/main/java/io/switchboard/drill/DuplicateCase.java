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
    public CaseResult run(DrillContext drill) {
        String name = name();
        if (drill.settings.trigger() == Trigger.SCHEDULE) {
            return drill.skipped(name, "a run has no delivery to repeat" + (drill.written().isEmpty()
                    ? " and writes nothing ("
                    + drill.calling() + ")" : "; what keeps a re-read from writing twice to " + drill.written()
                    + " is the route's own (a watermark, an idempotent write)"));
        }
        if (drill.settings.trigger() == Trigger.API) {
            return drill.skipped(name, drill.written().isEmpty()
                    ? "an api call is answered, not stored, and writes nothing ("
                    + drill.calling() + "): there is no effect to double"
                    : "an api call is answered, not stored: there is no delivery to repeat (each call writes to "
                            + drill.written() + ")");
        }
        if (drill.normalEffects == null || drill.normalEffects.isEmpty()) {
            return drill.inconclusive(name, DrillContext.NO_EFFECT, List.of(), Map.of("normalEffects",
                    String.valueOf(drill.normalEffects)));
        }
        Instant from = Instant.now(drill.clock);
        String instance = drill.next();
        String delivery = "drill-" + instance;
        String payload = drill.text(drill.payload(instance));
        InboxStore.Accepted first = drill.inbox.acceptTest(drill.id, delivery, payload, "drill");
        InboxStore.Accepted again = drill.inbox.acceptTest(drill.id, delivery, payload, "drill");
        InboxStore.Accepted sameKey = drill.inbox.acceptTest(drill.id, delivery + "-new", payload, "drill");
        drill.signal.wake(drill.id);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = drill.await(first.eventId(), evidence);
        String second = drill.await(sameKey.eventId(), new LinkedHashMap<>());
        Map<String, Integer> effects = drill.effects(from, instance);
        evidence.put("effects", effects);
        evidence.put("sameDeliveryIsDuplicate", again.duplicate());
        evidence.put("newDeliverySameKey", second);
        List<String> events = List.of(first.eventId(), sameKey.eventId());
        if (!again.duplicate()) {
            return drill.failed(name, "the same delivery was stored twice", events, evidence);
        }
        if (!"DONE".equals(status)) {
            return drill.failed(name, "the first delivery ended " + status + ": " + drill.lastError(first.eventId()),
                    events, evidence);
        }
        if (!"DONE".equals(second) && !"DUPLICATE".equals(second)) {
            return drill.failed(name, "the same business key under a new delivery id ended " + second + ": "
                    + drill.lastError(sameKey.eventId()), events, evidence);
        }
        if (effects.isEmpty()) {
            return drill.inconclusive(name, "the first delivery made no effect this time: " + DrillContext.NO_EFFECT,
                    events, evidence);
        }
        return effects.values().stream().allMatch(n -> n == 1)
                ? drill.passed(name, "the same delivery again was a duplicate, and the same business key under a new "
                        + "delivery id made no second effect " + effects, events, evidence)
                : drill.failed(name, "the same business key under a new delivery id doubled an effect " + effects
                        + ": the idempotency key must come from the business data, not the delivery", events, evidence);
    }
}

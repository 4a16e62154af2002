package io.switchboard.drill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl.Fault;

/**
 * A {@code 403} naming a scope from the first connection called: parked {@code permission} naming it.
 */
final class PermissionCase implements DrillCase {

    @Override
    public String name() {
        return "permission";
    }

    @Override
    public CaseResult run(DrillContext d) {
        String name = name();
        if (d.settings.trigger() == Trigger.API) {
            return d.skipped(name, d.apiFaultSkip());
        }
        if (d.settings.trigger() == Trigger.SCHEDULE) {
            return d.skipped(name, d.scheduledFaultSkip());
        }
        CaseResult unreached = d.unreached(name);
        if (unreached != null) {
            return unreached;
        }
        String connection = d.firstCalled();
        if (connection == null) {
            return d.skipped(name, "the route calls no connection");
        }
        List<String> cardScopes = d.settings.card() == null || d.settings.card().scopes() == null ? List.of()
                : d.settings.card().scopes().getOrDefault(connection, List.of());
        String scope = cardScopes.isEmpty() ? "drill:scope" : cardScopes.get(cardScopes.size() - 1);
        String instance = d.next();
        d.faults.inject(Fault.status(d.systemOf(connection), 403, 1, null, scope, instance));
        String event = d.send(instance, null);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = d.await(event, evidence);
        String error = String.valueOf(d.lastError(event));
        evidence.put("lastError", error);
        return "DEAD".equals(status) && error.startsWith("permission") && error.contains(scope)
                ? d.passed(name, "a 403 from " + connection + " parked it as permission naming " + scope, List.of(event),
                        evidence)
                : d.failed(name, "a 403 naming " + scope + " from " + connection + " ended " + status + " (" + error + ")",
                        List.of(event), evidence);
    }
}

package io.switchboard.drill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.sandbox.SandboxFaultControl.Fault;

/**
 * A {@code 403} naming a scope from the first HTTP connection called: parked {@code permission}
 * naming it. A database's, mail server's or folder's double grants everything: not drilled there.
 */
final class PermissionCase implements DrillCase {

    @Override
    public String name() {
        return "permission";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        CaseResult cannot = drill.cannotMeetACredentialFault(name);
        if (cannot != null) {
            return cannot;
        }
        String connection = drill.firstCalledHttp();
        if (connection == null) {
            return drill.skipped(name, drill.doubles.isEmpty() ? "the route calls no connection"
                    : "the route calls no HTTP API, whose scopes a 403 names; its test doubles "
                    + drill.doubles.described() + " grant every permission, so a refused one is not drilled");
        }
        List<String> cardScopes = drill.settings.card() == null || drill.settings.card().scopes() == null ? List.of()
                : drill.settings.card().scopes().getOrDefault(connection, List.of());
        String scope = cardScopes.isEmpty() ? "drill:scope" : cardScopes.get(cardScopes.size() - 1);
        String instance = drill.next();
        drill.faults.inject(Fault.status(drill.systemOf(connection), 403, 1, null, scope, instance));
        String event = drill.send(instance, null);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = drill.await(event, evidence);
        String error = String.valueOf(drill.lastError(event));
        evidence.put("lastError", error);
        return "DEAD".equals(status) && error.startsWith("permission") && error.contains(scope)
                ? drill.passed(name, "a 403 from " + connection + " parked it as permission naming " + scope,
                        List.of(event),
                        evidence)
                : drill.failed(name, "a 403 naming " + scope + " from " + connection + " ended " + status + " ("
                        + error + ")",
                        List.of(event), evidence);
    }
}

package io.switchboard.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl.Fault;

/**
 * The OAuth2 client revoked: every event parked {@code credentials}, with exactly one alert.
 * Last in the registry: the credentials cool-down that follows holds the connection back a while.
 */
final class RevokedCredentialCase implements DrillCase {

    @Override
    public String name() {
        return "revoked-credential";
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
        List<String> clients = d.calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS);
        if (clients.isEmpty()) {
            return d.skipped(name, "the route calls no OAuth2 client-credentials connection the sandbox can revoke"
                    + (d.calledWith(type -> type == AuthType.OAUTH2_AUTHORIZATION_CODE).isEmpty() ? ""
                            : "; revoking a connected account needs a person to connect it again, which "
                                    + "ConnectAccountTest covers (events wait, one alert, resumed after Connect)"));
        }
        String connection = clients.get(0);
        String key = "connection:" + connection + ":credentials-rejected";
        Instant from = Instant.now(d.clock);
        d.faults.inject(Fault.revokeClient(d.systemOf(connection)));
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(d.send(d.next(), null));
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String event : events) {
            String status = d.await(event, evidence);
            String error = String.valueOf(d.lastError(event));
            if (!"DEAD".equals(status) || !error.startsWith("credentials")) {
                problems.add(event + " ended " + status + " (" + error + ")");
            }
        }
        long raised = d.alerts.recent(200).stream().filter(a -> a.key().equals(key))
                .filter(a -> !a.firstAt().isBefore(from.minusMillis(5))).count();
        evidence.put("alerts", raised);
        if (raised != 1) {
            problems.add(raised + " alerts " + key + " (one outage is one alert)");
        }
        d.faults.clear();
        d.recoverFrom(connection);
        return problems.isEmpty()
                ? d.passed(name, "the revoked client parked every event as credentials, with one alert", events, evidence)
                : d.failed(name, String.join("; ", problems), events, evidence);
    }
}

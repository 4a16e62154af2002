package io.switchboard.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.sandbox.SandboxFaultControl.Fault;

/**
 * The OAuth2 client revoked: every event parked {@code credentials}, with exactly one alert. A
 * route with no such client but a database double: the double refuses the password instead.
 * Last in the registry: the credentials cool-down that follows holds the connection back a while.
 */
final class RevokedCredentialCase implements DrillCase {

    @Override
    public String name() {
        return "revoked-credential";
    }

    @Override
    public CaseResult run(DrillContext drill) {
        String name = name();
        CaseResult cannot = drill.cannotMeetACredentialFault(name);
        if (cannot != null) {
            return cannot;
        }
        List<String> clients = drill.calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS);
        List<DrillDouble> refusing = drill.doubles.all().stream().filter(DrillDouble::refusesCredentials).toList();
        if (clients.isEmpty() && !refusing.isEmpty()) {
            return refusedByDoubles(drill, name, refusing);
        }
        if (clients.isEmpty()) {
            return drill.skipped(name, "the route calls no OAuth2 client-credentials connection the sandbox can revoke"
                    + (drill.calledWith(type -> type == AuthType.OAUTH2_AUTHORIZATION_CODE).isEmpty() ? ""
                            : "; revoking a connected account needs a person to connect it again, which "
                                    + "ConnectAccountTest covers (events wait, one alert, resumed after Connect)"));
        }
        String connection = clients.get(0);
        String key = "connection:" + connection + ":credentials-rejected";
        Instant from = Instant.now(drill.clock);
        drill.faults.inject(Fault.revokeClient(drill.systemOf(connection)));
        List<String> events = new ArrayList<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                events.add(drill.send(drill.next(), null));
            }
            for (String event : events) {
                String status = drill.await(event, evidence);
                String error = String.valueOf(drill.lastError(event));
                if (!"DEAD".equals(status) || !error.startsWith("credentials")) {
                    problems.add(event + " ended " + status + " (" + error + ")");
                }
            }
            long raised = drill.alerts.recent(200).stream().filter(a -> a.key().equals(key))
                    .filter(a -> !a.firstAt().isBefore(from.minusMillis(5))).count();
            evidence.put("alerts", raised);
            if (raised != 1) {
                problems.add(raised + " alerts " + key + " (one outage is one alert)");
            }
        } finally {
            // Whatever became of the case: the drill restored the client itself, so there is no
            // cool-down to sit out (it would fail real events fast after the drill).
            drill.faults.clear();
            drill.connections.get(connection).credentialsRestored();
        }
        // The next event must go through again, and resolve the alert.
        String recovered = drill.send(drill.next(), null);
        String recoveredStatus = drill.await(recovered, new LinkedHashMap<>());
        evidence.put("afterRestore", recovered + " " + recoveredStatus);
        boolean resolved = drill.alerts.recent(200).stream().filter(a -> a.key().equals(key))
                .filter(a -> !a.firstAt().isBefore(from.minusMillis(5))).anyMatch(a -> a.resolvedAt() != null);
        evidence.put("alertResolved", resolved);
        if (!"DONE".equals(recoveredStatus)) {
            problems.add("with the client restored the next event ended " + recoveredStatus + " ("
                    + drill.lastError(recovered) + ")");
        } else if (!resolved) {
            problems.add("the next event went through, but the alert " + key + " stayed open");
        }
        return problems.isEmpty()
                ? drill.passed(name, "the revoked client parked every event as credentials, with one alert; restored, "
                        + "the next event ended DONE and resolved it", events, evidence)
                : drill.failed(name, String.join("; ", problems), events, evidence);
    }

    /**
     * A database double refuses the connection's password: the event parked {@code credentials}
     * (another attempt with the same password cannot help); the password taken again, the next
     * event {@code DONE}.
     */
    private static CaseResult refusedByDoubles(DrillContext drill, String name, List<DrillDouble> refusing) {
        List<String> events = new ArrayList<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (DrillDouble standIn : refusing) {
            String connection = standIn.connection();
            String event;
            String status;
            standIn.refuseCredentials(true);
            try {
                event = drill.send(drill.next(), null);
                status = drill.await(event, new LinkedHashMap<>());
            } finally {
                standIn.refuseCredentials(false);
            }
            String error = String.valueOf(drill.lastError(event));
            String recovered = drill.send(drill.next(), null);
            String recoveredStatus = drill.await(recovered, new LinkedHashMap<>());
            events.add(event);
            events.add(recovered);
            evidence.put(connection, Map.of("refused", status + " " + error, "afterwards", recoveredStatus));
            if (!"DEAD".equals(status) || !error.startsWith("credentials")) {
                problems.add(connection + " refusing the password: it ended " + status + " (" + error + ")");
            } else if (!"DONE".equals(recoveredStatus)) {
                problems.add(connection + " taking the password again: the next event ended " + recoveredStatus
                        + " (" + drill.lastError(recovered) + ")");
            }
        }
        List<String> names = refusing.stream().map(DrillDouble::connection).toList();
        return problems.isEmpty()
                ? drill.passed(name, "the doubles of " + names + " refused the password: the event was parked as "
                        + "credentials; with the password taken again the next event ended DONE", events, evidence)
                : drill.failed(name, String.join("; ", problems), events, evidence);
    }
}

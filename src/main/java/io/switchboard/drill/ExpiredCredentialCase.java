package io.switchboard.drill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl.Fault;

/**
 * Tokens expired at the provider: one refresh per OAuth2 connection, then {@code DONE}.
 */
final class ExpiredCredentialCase implements DrillCase {

    @Override
    public String name() {
        return "expired-credential";
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
        List<String> oauth = d.calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS
                || type == AuthType.OAUTH2_AUTHORIZATION_CODE);
        if (oauth.isEmpty()) {
            return d.skipped(name, "the route calls no OAuth2 connection: static keys do not expire");
        }
        d.warmUp();
        Instant from = Instant.now(d.clock);
        d.faults.inject(Fault.expireTokens("oauth"));
        String instance = d.next();
        String event = d.send(instance, null);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = d.await(event, evidence);
        long tokenRequests = d.traffic.since(from).stream().filter(c -> c.path().endsWith("/oauth/token")).count();
        evidence.put("tokenRequests", tokenRequests);
        evidence.put("oauthConnections", oauth);
        if (!"DONE".equals(status)) {
            return d.failed(name, "with the tokens expired it ended " + status + ": " + d.lastError(event), List.of(event),
                    evidence);
        }
        return tokenRequests >= 1 && tokenRequests <= oauth.size()
                ? d.passed(name, "tokens expired at the provider: " + tokenRequests + " token request(s) for " + oauth
                        + ", then DONE", List.of(event), evidence)
                : d.failed(name, tokenRequests + " token requests for " + oauth.size() + " connection(s): one "
                        + "refresh each (at least one) was expected", List.of(event), evidence);
    }
}

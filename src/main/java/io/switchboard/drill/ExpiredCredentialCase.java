package io.switchboard.drill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.drill.Drills.CaseResult;
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
    public CaseResult run(DrillContext drill) {
        String name = name();
        CaseResult cannot = drill.cannotMeetACredentialFault(name);
        if (cannot != null) {
            return cannot;
        }
        List<String> oauth = drill.calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS
                || type == AuthType.OAUTH2_AUTHORIZATION_CODE);
        if (oauth.isEmpty()) {
            return drill.skipped(name, "the route calls no OAuth2 connection: static keys do not expire");
        }
        drill.warmUp();
        Instant from = Instant.now(drill.clock);
        drill.faults.inject(Fault.expireTokens("oauth"));
        String instance = drill.next();
        String event = drill.send(instance, null);
        Map<String, Object> evidence = new LinkedHashMap<>();
        String status = drill.await(event, evidence);
        long tokenRequests = drill.traffic.since(from).stream().filter(c -> c.path().endsWith("/oauth/token")).count();
        evidence.put("tokenRequests", tokenRequests);
        evidence.put("oauthConnections", oauth);
        if (!"DONE".equals(status)) {
            return drill.failed(name, "with the tokens expired it ended " + status + ": " + drill.lastError(event),
                    List.of(event),
                    evidence);
        }
        return tokenRequests >= 1 && tokenRequests <= oauth.size()
                ? drill.passed(name, "tokens expired at the provider: " + tokenRequests + " token request(s) for "
                        + oauth
                        + ", then DONE", List.of(event), evidence)
                : drill.failed(name, tokenRequests + " token requests for " + oauth.size() + " connection(s): one "
                        + "refresh each (at least one) was expected", List.of(event), evidence);
    }
}
